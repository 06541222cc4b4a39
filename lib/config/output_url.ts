/**
 * Output URLs (`outputs[].url`): `srt://host:port?streamid=..&passphrase=..&latency=200ms
 * &connect_timeout=3s&pbkeylen=16` (SRT caller, live mode) and `udp://host:port?ttl=4
 * &pkt_size=1316&localaddr=10.0.0.5` (TS over UDP, 7 x 188 bytes per datagram, unicast or
 * multicast; `localaddr` is the address of the interface to send from, as in ffmpeg's udp
 * protocol: the multicast interface, IP_MULTICAST_IF, and the source address).
 * `{stream}` in the URL is replaced by the stream id (one connection per matching stream).
 * Pure parsing: used by the config loader (errors with key and line) and the relays.
 */
import { parseDuration } from "../config/units.ts";
import { fail, ok, type Result } from "../core/result.ts";

/** An SRT caller target. */
export interface SrtTarget {
  scheme: "srt";
  host: string;
  port: number;
  streamId?: string;
  passphrase?: string;
  pbkeylen?: number;
  /** SRTO_LATENCY, ms. */
  latencyMs?: number;
  /** SRTO_CONNTIMEO, ms (default 3000). */
  connectTimeoutMs: number;
}

/** A UDP target. */
export interface UdpTarget {
  scheme: "udp";
  host: string;
  port: number;
  /** IP_MULTICAST_TTL (multicast) or IP_TTL (unicast); undefined = system default. */
  ttl?: number;
  multicast: boolean;
  /** Datagram payload, a multiple of 188 (default 1316). */
  pktSize: number;
  /**
   * IPv4 address of the interface to send from: bound as the source address and, for a
   * multicast group, set as IP_MULTICAST_IF. Undefined = the routing table decides.
   */
  localAddr?: string;
}

/** Either target. */
export type Target = SrtTarget | UdpTarget;

/** Schemes an output can use. */
export const SCHEMES = ["srt", "udp"] as const;

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*|\d{1,3}(?:\.\d{1,3}){3})$/;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A unicast IPv4 literal (what `localaddr` must be), or undefined. */
function unicastIpv4(s: string): string | undefined {
  const m = IPV4.exec(s);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) return undefined;
  const first = Number(m[1]);
  return first === 0 || first >= 224 ? undefined : s;
}

function isMulticast(host: string): boolean {
  const m = /^(\d+)\./.exec(host);
  return !!m && Number(m[1]) >= 224 && Number(m[1]) <= 239;
}

/** Parses an output URL (after `{stream}` substitution); reasons read as config errors. */
export function parseTarget(url: string): Result<Target> {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/.exec(url.trim());
  if (!m) return fail("not a URL (scheme://host:port)");
  const scheme = m[1].toLowerCase();
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    return fail(`unknown scheme "${scheme}" (srt, udp)`);
  }
  const hp = /^(.*?)(?::(\d*))?$/.exec(m[2])!;
  const host = hp[1].replace(/^\[|\]$/g, "");
  if (!host) return fail("missing host");
  if (!HOST.test(host.replace("{stream}", "x"))) return fail(`bad host "${host}"`);
  if (hp[2] === undefined || hp[2] === "") return fail("missing port");
  const port = Number(hp[2]);
  if (!(port >= 1 && port <= 65535)) return fail(`port ${hp[2]} out of range 1-65535`);
  if (m[3] && m[3] !== "/") return fail("a path is not allowed");
  const q = new URLSearchParams(m[4] ?? "");
  const known = scheme === "srt"
    ? ["streamid", "passphrase", "pbkeylen", "latency", "connect_timeout", "mode"]
    : ["ttl", "pkt_size", "localaddr"];
  for (const k of q.keys()) {
    if (!known.includes(k)) return fail(`unknown parameter "${k}" (${known.join(", ")})`);
  }
  if (scheme === "udp") {
    const ttl = q.get("ttl");
    const t = ttl === null ? undefined : Number(ttl);
    if (t !== undefined && !(Number.isInteger(t) && t >= 0 && t <= 255)) {
      return fail("ttl must be 0-255");
    }
    const ps = Number(q.get("pkt_size") ?? 1316);
    if (!(Number.isInteger(ps) && ps >= 188 && ps <= 1316 && ps % 188 === 0)) {
      return fail("pkt_size must be a multiple of 188 up to 1316");
    }
    const la = q.get("localaddr");
    const localAddr = la === null ? undefined : unicastIpv4(la);
    if (la !== null && localAddr === undefined) {
      return fail(`localaddr must be the IPv4 address of a local interface, got "${la}"`);
    }
    return ok({
      scheme: "udp",
      host,
      port,
      ttl: t,
      multicast: isMulticast(host),
      pktSize: ps,
      localAddr,
    });
  }
  const mode = q.get("mode");
  if (mode !== null && mode !== "caller") return fail("only mode=caller is supported");
  const pass = q.get("passphrase") ?? undefined;
  if (pass !== undefined && (pass.length < 10 || pass.length > 79)) {
    return fail("passphrase must be 10-79 characters");
  }
  const pbk = q.get("pbkeylen");
  const pbkeylen = pbk === null ? undefined : Number(pbk);
  if (pbkeylen !== undefined && ![16, 24, 32].includes(pbkeylen)) {
    return fail("pbkeylen must be 16, 24 or 32");
  }
  const lat = q.get("latency");
  const latencyMs = lat === null ? undefined : parseDuration(lat);
  if (lat !== null && (latencyMs === undefined || latencyMs < 0 || latencyMs > 60_000)) {
    return fail("latency must be a duration up to 60s");
  }
  const ct = q.get("connect_timeout");
  const connectTimeoutMs = ct === null ? 3000 : parseDuration(ct);
  if (connectTimeoutMs === undefined || connectTimeoutMs < 50 || connectTimeoutMs > 120_000) {
    return fail("connect_timeout must be a duration 50ms-120s");
  }
  return ok({
    scheme: "srt",
    host,
    port,
    streamId: q.get("streamid") ?? undefined,
    passphrase: pass,
    pbkeylen,
    latencyMs,
    connectTimeoutMs,
  });
}

/** The URL with any passphrase hidden, for the API and logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]passphrase=)[^&#]*/i, "$1***");
}

/** `host:port` of a target. */
export function targetAddress(t: Target): string {
  return `${t.host.includes(":") ? `[${t.host}]` : t.host}:${t.port}`;
}
