/**
 * Control through NATS: a NATS micro service (`$SRV.PING`/`$SRV.INFO`/`$SRV.STATS`
 * discovery; name `sluice`, metadata `box`) with one endpoint per operation on
 * `sluice.<box>.api.<operation>`. Each request is turned into the matching REST request
 * and answered by the HTTP API itself (routes/mod.ts, called in-process with a synthetic
 * Request), so the reply is exactly the REST response body and the two can never
 * disagree. Errors are the REST error body, with the micro protocol's
 * `Nats-Service-Error-Code` (the HTTP status) and `Nats-Service-Error` headers.
 *
 * Request body: JSON, `{}` or `{ "id": "cam1", ...REST body fields }`. When `api.tokens`
 * is set the request must carry `Authorization: Bearer <token>` as a NATS header (checked
 * by the API's own middleware).
 */
import type { NatsConnection, Service, ServiceMsg } from "nats";
import type { BoxNames } from "./names.ts";
import { SERVICE_NAME } from "./names.ts";

/** A REST call an operation maps to. */
export interface ApiCall {
  method: "GET" | "POST" | "DELETE";
  path: string;
  body?: Record<string, unknown>;
}

type Body = Record<string, unknown>;

/** The request's `id` (or `name` for outputs), URL-encoded; a string is an error message. */
function idOf(b: Body, field = "id"): string | undefined {
  const v = b[field] ?? b.id;
  return typeof v === "string" && v !== "" ? encodeURIComponent(v) : undefined;
}

function withId(
  field: string,
  make: (id: string, rest: Body) => ApiCall,
): (b: Body) => ApiCall | string {
  return (b) => {
    const id = idOf(b, field);
    if (!id) return `body must be { "${field}": "<${field}>" ... }`;
    const { id: _i, [field]: _f, ...rest } = b;
    return make(id, rest);
  };
}

/** Operation -> REST call. Keep in step with README "Fleet on NATS". */
export const OPERATIONS: Record<string, (b: Body) => ApiCall | string> = {
  "streams.list": () => ({ method: "GET", path: "/api/v1/streams" }),
  "streams.get": withId("id", (id) => ({ method: "GET", path: `/api/v1/streams/${id}` })),
  "streams.delete": withId("id", (id) => ({ method: "DELETE", path: `/api/v1/streams/${id}` })),
  "streams.pause": withId("id", (id) => ({ method: "POST", path: `/api/v1/streams/${id}/pause` })),
  "streams.resume": withId(
    "id",
    (id) => ({ method: "POST", path: `/api/v1/streams/${id}/resume` }),
  ),
  "sync.adjust": withId(
    "id",
    (id, rest) => ({ method: "POST", path: `/api/v1/sync/adjust/${id}`, body: rest }),
  ),
  "outputs.list": () => ({ method: "GET", path: "/api/v1/outputs" }),
  "outputs.restart": withId(
    "name",
    (name) => ({ method: "POST", path: `/api/v1/outputs/${name}/restart` }),
  ),
};

/** What the control service needs. */
export interface ControlDeps {
  names: BoxNames;
  version: string;
  /** The HTTP API (Hono's app.fetch). */
  fetch: (req: Request) => Response | Promise<Response>;
  /** Called once per answered request with the operation and HTTP status. */
  counted?: (operation: string, status: number) => void;
}

const enc = new TextEncoder();

function errorBody(code: string, message: string): Uint8Array {
  return enc.encode(JSON.stringify({ error: { code, message } }));
}

/** Answers one request through the API; returns the status and body. */
export async function callApi(
  d: ControlDeps,
  operation: string,
  data: Uint8Array,
  authorization: string | undefined,
): Promise<{ status: number; body: Uint8Array }> {
  let body: unknown = {};
  const text = new TextDecoder().decode(data).trim();
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 400, body: errorBody("bad_request", "body must be JSON") };
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { status: 400, body: errorBody("bad_request", "body must be a JSON object") };
  }
  const call = OPERATIONS[operation]?.(body as Body);
  if (call === undefined) {
    return { status: 404, body: errorBody("not_found", `no operation ${operation}`) };
  }
  if (typeof call === "string") return { status: 400, body: errorBody("bad_request", call) };
  const h = new Headers();
  if (authorization) h.set("authorization", authorization);
  if (call.body) h.set("content-type", "application/json");
  const res = await d.fetch(
    new Request(`http://nats.invalid${call.path}`, {
      method: call.method,
      headers: h,
      body: call.body ? JSON.stringify(call.body) : undefined,
    }),
  );
  return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
}

/** The message of a REST error body, for the Nats-Service-Error header. */
function messageOf(body: Uint8Array, status: number): string {
  try {
    const j = JSON.parse(new TextDecoder().decode(body));
    if (typeof j?.error?.message === "string") return j.error.message.slice(0, 200);
  } catch { /* not JSON */ }
  return `status ${status}`;
}

async function answer(d: ControlDeps, operation: string, msg: ServiceMsg): Promise<void> {
  let r: { status: number; body: Uint8Array };
  try {
    r = await callApi(d, operation, msg.data, msg.headers?.get("Authorization") || undefined);
  } catch (e) {
    r = { status: 500, body: errorBody("internal", String(e)) };
  }
  d.counted?.(operation, r.status);
  if (r.status >= 400) msg.respondError(r.status, messageOf(r.body, r.status), r.body);
  else msg.respond(r.body);
}

/** Registers the service and its endpoints on a connection. */
export async function startControl(nc: NatsConnection, d: ControlDeps): Promise<Service> {
  const srv = await nc.services.add({
    name: SERVICE_NAME,
    version: d.version,
    description: "sluice live ingest: control API over NATS",
    metadata: { box: d.names.box },
  });
  for (const operation of Object.keys(OPERATIONS)) {
    srv.addEndpoint(operation.replace(".", "_"), {
      subject: d.names.api(operation),
      metadata: { operation },
      handler: (err, msg) => {
        if (!err) void answer(d, operation, msg);
      },
    });
  }
  return srv;
}
