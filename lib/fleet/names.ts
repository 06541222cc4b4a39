/**
 * Names on NATS: the box name, subject tokens for stream ids, the subjects, registry keys
 * and JetStream names of the fleet link (README "Fleet on NATS"). One home so the box,
 * scripts/fleet.ts and the tests agree.
 *
 * A stream id becomes one subject token (and one KV key part): letters, digits, '_' and '-'
 * stay; every other byte of its UTF-8 form (including '.', '*', '>', ' ', '=') is written
 * `=XX` (upper-case hex). `cam1` stays `cam1`; `lobby.north` becomes `lobby=2Enorth`.
 */
import { BOX_NAME } from "../config/nats.ts";

/** KV bucket of the registry: one entry per stream, key `<box>.<stream token>`. */
export const REGISTRY_BUCKET = "sluice_streams";
/** JetStream stream holding every box's events (`sluice.*.events`). */
export const EVENTS_STREAM = "sluice_events";
/** Name of the NATS micro service every box registers (`$SRV.PING.sluice`). */
export const SERVICE_NAME = "sluice";

const KEEP = /^[A-Za-z0-9_-]$/;
const enc = new TextEncoder();

/** A stream id as one subject token (see the module comment). */
export function streamToken(id: string): string {
  let out = "";
  for (const ch of id) {
    if (KEEP.test(ch)) out += ch;
    else {
      for (const b of enc.encode(ch)) out += "=" + b.toString(16).toUpperCase().padStart(2, "0");
    }
  }
  return out || "=";
}

/** The inverse of streamToken. */
export function tokenToStream(token: string): string {
  if (token === "=") return "";
  const bytes: number[] = [];
  for (let i = 0; i < token.length;) {
    const hex = token.slice(i + 1, i + 3);
    if (token[i] === "=" && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      for (const b of enc.encode(token[i])) bytes.push(b);
      i++;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** The box name: the configured one, else the hostname with other characters as '-'. */
export function boxName(configured: string, hostname: () => string = Deno.hostname): string {
  if (configured) return configured;
  let h = "";
  try {
    h = hostname();
  } catch {
    // no --allow-sys=hostname: fall through to the fixed name
  }
  h = h.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64);
  return BOX_NAME.test(h) ? h : "sluice";
}

/** Subjects and names of one box. */
export class BoxNames {
  constructor(readonly box: string) {}

  /** Events of this box. */
  get events(): string {
    return `sluice.${this.box}.events`;
  }

  /** Frames of one track: `sluice.<box>.frames.<stream>.<track>`. */
  frames(stream: string, track: number | string): string {
    return `sluice.${this.box}.frames.${streamToken(stream)}.${track}`;
  }

  /** Every frame subject of this box (the frames stream's filter). */
  get allFrames(): string {
    return `sluice.${this.box}.frames.>`;
  }

  /** Control endpoint subject: `sluice.<box>.api.<operation>`. */
  api(operation: string): string {
    return `sluice.${this.box}.api.${operation}`;
  }

  /** Registry key of a stream. */
  key(stream: string): string {
    return `${this.box}.${streamToken(stream)}`;
  }

  /** This box's JetStream stream of frames. */
  get framesStream(): string {
    return `sluice_frames_${this.box}`;
  }
}

/**
 * A matcher for `frames.streams`: comma-separated globs where `*` is any run of characters
 * and `?` one character; "" matches nothing.
 */
export function streamGlob(spec: string): (id: string) => boolean {
  const parts = spec.split(",").map((p) => p.trim()).filter((p) => p !== "");
  if (parts.length === 0) return () => false;
  const res = parts.map((p) =>
    new RegExp(
      "^" + p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$",
      "s",
    )
  );
  return (id) => res.some((r) => r.test(id));
}
