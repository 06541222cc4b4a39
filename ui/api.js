// API access: the bearer token (asked for once, kept in sessionStorage), JSON calls, and
// what this sluice offers, read from its OpenAPI document (/api/v1/openapi.json, public):
// whether tokens are required, which routes exist and which answer 200 yet. The page
// asks only for what is there, so a box without outputs or A/V sync shows that calmly.

const KEY = "sluice.token";
let spec;
let asking;

export function token() {
  return sessionStorage.getItem(KEY) ?? "";
}

/** Headers for an API request. */
export function authHeaders(extra = {}) {
  const t = token();
  return t ? { ...extra, authorization: `Bearer ${t}` } : extra;
}

/** Shows the token dialog; resolves once a token is entered. */
export function askToken(why) {
  asking ??= new Promise((resolve) => {
    const dlg = document.getElementById("token-dialog");
    const input = document.getElementById("token-input");
    document.getElementById("token-why").textContent = why ??
      "This sluice needs a bearer token (api.tokens).";
    input.value = "";
    dlg.addEventListener("close", function done() {
      const v = input.value.trim();
      if (!v) {
        dlg.showModal();
        return;
      }
      dlg.removeEventListener("close", done);
      sessionStorage.setItem(KEY, v);
      asking = undefined;
      resolve(v);
    });
    dlg.showModal();
    input.focus();
  });
  return asking;
}

/** The OpenAPI document (fetched once). */
export async function openapi() {
  spec ??= await (await fetch("/api/v1/openapi.json")).json();
  return spec;
}

/** True when the API needs a token. */
export async function needsToken() {
  return ((await openapi()).security ?? []).length > 0;
}

/** True when `method path` (OpenAPI path, e.g. /api/v1/outputs) exists and can answer `status`. */
export async function offers(method, path, status = "200") {
  const op = (await openapi()).paths?.[path]?.[method];
  return !!op && status in (op.responses ?? {});
}

/** An API error with its status and the server's error code/message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Makes sure a token is there when one is needed (before any call, so no 401 happens). */
export async function ready() {
  if (await needsToken() && !token()) await askToken();
}

/** fetch() with the token; a 401 asks for a new token and retries once. */
export async function call(path, init = {}) {
  await ready();
  for (let attempt = 0;; attempt++) {
    const r = await fetch(path, { ...init, headers: authHeaders(init.headers ?? {}) });
    if (r.status !== 401 || attempt > 0) return r;
    sessionStorage.removeItem(KEY);
    await askToken("The token was refused; enter a valid one.");
  }
}

/** JSON call; non-2xx throws ApiError. */
export async function json(path, init = {}) {
  const r = await call(path, init);
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    throw new ApiError(r.status, body?.error?.code ?? "", body?.error?.message ?? r.statusText);
  }
  return body;
}

/** POST with an optional JSON body. */
export function post(path, body) {
  return json(path, {
    method: "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
