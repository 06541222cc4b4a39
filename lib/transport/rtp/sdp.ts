import { fail, ok, type Result } from "../../core/result.ts";
/**
 * SDP parser for the RTP receive side (RFC 8866 5; RFC 4566 superseded): media lines
 * with port and payload types, `a=rtpmap` (RFC 8866 6.6), `a=fmtp` key=value lists
 * (values kept verbatim as strings, e.g. sprop-parameter-sets), `a=ssrc` (RFC 5576 4.1)
 * with cname, `a=rtcp-mux` (RFC 5761 5.1.1), and the connection address.
 */

/** Cap on SDP text length (bytes/characters) accepted. */
export const MAX_SDP_BYTES = 64 * 1024;
/** Cap on media sections kept. */
export const MAX_SDP_MEDIA = 32;

/** `a=rtpmap:<pt> <encoding>/<clock>[/<channels>]`. */
export interface SdpRtpmap {
  encoding: string;
  clockRate: number;
  channels?: number;
}

/** One `m=` section. */
export interface SdpMedia {
  /** "video", "audio", "application" ... */
  kind: string;
  port: number;
  proto: string;
  payloadTypes: number[];
  rtpmap: Map<number, SdpRtpmap>;
  /** fmtp parameters per payload type; keys lower-cased, values verbatim. */
  fmtp: Map<number, Record<string, string>>;
  /** `a=ssrc:<id> cname:<cname>` lines (RFC 5576). */
  ssrcs: { ssrc: number; cname?: string }[];
  rtcpMux: boolean;
  connection?: string;
}

/** A parsed session description. */
export interface SdpSession {
  /** Session-level `c=` address. */
  connection?: string;
  media: SdpMedia[];
}

/**
 * Parses an `a=fmtp` parameter list ("a=1;b=x=y; c") into lower-cased keys and
 * verbatim values (split at the first "="; a bare key gets "").
 */
export function parseFmtpParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(";")) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf("=");
    if (eq < 0) out[p.toLowerCase()] = "";
    else out[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
  }
  return out;
}

/** Parses "<encoding>/<clock>[/<channels>]" (RFC 8866 6.6); undefined when malformed. */
export function parseRtpmapValue(s: string): SdpRtpmap | undefined {
  const m = /^([A-Za-z0-9._+-]+)\/(\d{1,9})(?:\/(\d{1,3}))?$/.exec(s.trim());
  if (!m) return undefined;
  const out: SdpRtpmap = { encoding: m[1], clockRate: Number(m[2]) };
  if (m[3] !== undefined) out.channels = Number(m[3]);
  if (out.clockRate === 0) return undefined;
  return out;
}

function connAddr(v: string): string | undefined {
  const f = v.trim().split(/\s+/);
  return f.length >= 3 ? f[2].split("/")[0] : undefined;
}

/**
 * Parses SDP text (RFC 8866). Unknown lines are ignored. Reasons: "sdp_too_large",
 * "sdp_bad_media" (malformed m= line), "sdp_no_media" (no m= section).
 * Malformed rtpmap/fmtp/ssrc attributes are skipped.
 */
export function parseSdp(text: string): Result<SdpSession> {
  if (text.length > MAX_SDP_BYTES) return fail("sdp_too_large");
  const session: SdpSession = { media: [] };
  let cur: SdpMedia | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length < 2 || line[1] !== "=") continue;
    const type = line[0];
    const v = line.slice(2);
    if (type === "m") {
      const f = v.split(/\s+/);
      const port = Number(f[1]?.split("/")[0]);
      if (f.length < 3 || !Number.isInteger(port) || port < 0 || port > 65535) {
        return fail("sdp_bad_media");
      }
      if (session.media.length >= MAX_SDP_MEDIA) {
        cur = undefined;
        continue;
      }
      const pts = f.slice(3).map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n < 128);
      cur = {
        kind: f[0],
        port,
        proto: f[2],
        payloadTypes: pts,
        rtpmap: new Map(),
        fmtp: new Map(),
        ssrcs: [],
        rtcpMux: false,
        connection: session.connection,
      };
      session.media.push(cur);
    } else if (type === "c") {
      const addr = connAddr(v);
      if (cur) cur.connection = addr;
      else session.connection = addr;
    } else if (type === "a" && cur) {
      attribute(cur, v);
    }
  }
  if (session.media.length === 0) return fail("sdp_no_media");
  return ok(session);
}

function attribute(m: SdpMedia, v: string): void {
  const colon = v.indexOf(":");
  const name = colon < 0 ? v : v.slice(0, colon);
  const value = colon < 0 ? "" : v.slice(colon + 1);
  if (name === "rtcp-mux") {
    m.rtcpMux = true;
    return;
  }
  const sp = value.search(/\s/);
  const head = sp < 0 ? value : value.slice(0, sp);
  const rest = sp < 0 ? "" : value.slice(sp + 1);
  if (name === "rtpmap" || name === "fmtp") {
    const pt = Number(head);
    if (!Number.isInteger(pt) || pt < 0 || pt > 127) return;
    if (name === "rtpmap") {
      const r = parseRtpmapValue(rest);
      if (r) m.rtpmap.set(pt, r);
    } else {
      m.fmtp.set(pt, parseFmtpParams(rest));
    }
  } else if (name === "ssrc") {
    const ssrc = Number(head);
    if (!Number.isInteger(ssrc) || ssrc < 0 || ssrc > 0xffffffff) return;
    let e = m.ssrcs.find((s) => s.ssrc === ssrc);
    if (!e) {
      if (m.ssrcs.length >= 64) return;
      e = { ssrc };
      m.ssrcs.push(e);
    }
    if (rest.startsWith("cname:")) e.cname = rest.slice(6).trim();
  }
}
