import { fail, ok, type Result } from "../../core/result.ts";
/**
 * SRT stream id parsing (SRTO_STREAMID, at most 512 bytes).
 *
 * Two forms are accepted, following the SRT Access Control guidelines
 * (Haivision srt docs/features/access-control.md, "Standard Keys"):
 *
 * ```
 *   plain:   cam1
 *   keyed:   #!::r=cam1,m=publish,u=alice,s=sess42,h=example.com,t=stream
 *            ^^^^ prefix, then key=value pairs separated by ',' in any order
 * ```
 *
 * sluice only ingests: `m=request` (the spec's default mode, "the caller wants to
 * receive") is refused, `m=publish` and `m=bidirectional` are accepted, a missing
 * `m` is taken as publish (most encoders omit it). `t` must be `stream` when given.
 * Unknown keys are kept in `extra`, never interpreted. Parsing never throws.
 */

import type { RefusalReason } from "../../core/reasons/catalogue.ts";
/** Largest stream id libsrt carries (SRTO_STREAMID, srt.h), in bytes. */
export const STREAMID_MAX_BYTES = 512;
/** Largest stream name (the `r=` value or the plain id), in bytes: it becomes an API path segment. */
export const STREAM_NAME_MAX_BYTES = 128;
/** Largest number of key=value pairs in a keyed stream id. */
export const STREAMID_MAX_KEYS = 16;

/** A parsed stream id. `name` is the stream's identity (plain id or `r=`). */
export interface StreamId {
  /** The resource name: the plain id, or the `r=` value. */
  name: string;
  /** `u=`: the user name, when given. */
  user?: string;
  /** `s=`: the session id, when given. */
  session?: string;
  /** `h=`: the host name, when given. */
  host?: string;
  /** `m=`: the mode; "publish" when absent. */
  mode: "publish" | "bidirectional";
  /** `t=`: the type; "stream" when absent. */
  type: "stream";
  /** True for the `#!::` form. */
  keyed: boolean;
  /** Keys the standard does not define, as given. */
  extra: Record<string, string>;
  /** The stream id exactly as received. */
  raw: string;
}

/**
 * SRT reject code (access_control.h, SRT_REJX_*) for each parse failure reason, so a
 * listener can answer the caller with the right status.
 */
export const STREAMID_REJECT_STATUS: Readonly<Partial<Record<RefusalReason, number>>> = {
  streamid_missing: 1400,
  streamid_too_long: 1400,
  streamid_bad_chars: 1400,
  streamid_syntax: 1400,
  streamid_duplicate_key: 1400,
  streamid_too_many_keys: 1400,
  streamid_no_resource: 1400,
  streamid_bad_name: 1400,
  streamid_mode_request: 1405,
  streamid_bad_mode: 1405,
  streamid_bad_type: 1415,
};

const NAME_RE = /^[A-Za-z0-9._~-]+$/;
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when every char is printable ASCII (0x20..0x7e). */
function printable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function checkName(name: string): Result<string, RefusalReason> {
  if (name.length === 0) return fail("streamid_no_resource");
  if (name.length > STREAM_NAME_MAX_BYTES) return fail("streamid_bad_name");
  if (!NAME_RE.test(name) || name === "." || name === "..") return fail("streamid_bad_name");
  return ok(name);
}

/**
 * Parses an SRT stream id (plain or `#!::` keyed). Returns a reason from
 * {@link STREAMID_REJECT_STATUS} on failure; never throws.
 */
export function parseStreamId(raw: string): Result<StreamId, RefusalReason> {
  if (raw.length === 0) return fail("streamid_missing");
  if (raw.length > STREAMID_MAX_BYTES) return fail("streamid_too_long");
  if (!printable(raw)) return fail("streamid_bad_chars");
  if (!raw.startsWith("#!::")) {
    const n = checkName(raw);
    if (!n.ok) return n;
    return ok({ name: n.value, mode: "publish", type: "stream", keyed: false, extra: {}, raw });
  }
  const body = raw.slice(4);
  if (body.length === 0) return fail("streamid_no_resource");
  const parts = body.split(",");
  if (parts.length > STREAMID_MAX_KEYS) return fail("streamid_too_many_keys");
  const kv = new Map<string, string>();
  for (const p of parts) {
    const eq = p.indexOf("=");
    if (eq <= 0) return fail("streamid_syntax");
    const k = p.slice(0, eq).trim();
    const v = p.slice(eq + 1).trim();
    if (!KEY_RE.test(k)) return fail("streamid_syntax");
    if (kv.has(k)) return fail("streamid_duplicate_key");
    kv.set(k, v);
  }
  const m = kv.get("m");
  if (m === "request") return fail("streamid_mode_request");
  if (m !== undefined && m !== "publish" && m !== "bidirectional") return fail("streamid_bad_mode");
  const t = kv.get("t");
  if (t !== undefined && t !== "stream") return fail("streamid_bad_type");
  const r = kv.get("r");
  if (r === undefined) return fail("streamid_no_resource");
  const n = checkName(r);
  if (!n.ok) return n;
  const extra: Record<string, string> = {};
  for (const [k, v] of kv) if (!"rumtsh".includes(k) || k.length !== 1) extra[k] = v;
  const id: StreamId = {
    name: n.value,
    mode: m === "bidirectional" ? "bidirectional" : "publish",
    type: "stream",
    keyed: true,
    extra,
    raw,
  };
  const u = kv.get("u"), s = kv.get("s"), h = kv.get("h");
  if (u) id.user = u;
  if (s) id.session = s;
  if (h) id.host = h;
  return ok(id);
}
