/**
 * The codec registry: every codec sluice knows, once, in the sniffer's tie-break order.
 * Adding a codec: a folder lib/codecs/<codec>/ whose codec.ts exports a CodecSpec
 * (lib/codecs/spec.ts), its name in `Codec` (lib/core/types.ts) and one line here
 * (docs/ARCHITECTURE.md, "Adding a codec").
 */
import { aac } from "./aac/codec.ts";
import { av1 } from "./av1/codec.ts";
import { pcma, pcmu } from "./g711/codec.ts";
import { h264 } from "./h264/codec.ts";
import { h265 } from "./h265/codec.ts";
import { jpegxs } from "./jpegxs/codec.ts";
import { ac3, l16, mp2 } from "./named.ts";
import { opus } from "./opus/codec.ts";
import type { Codec } from "../core/types.ts";
import type { CodecSpec, PayloadSniffer, TsFraming } from "./spec.ts";

/** Every codec, in the order the sniffer breaks ties. */
export const CODECS: readonly CodecSpec[] = [
  h264,
  h265,
  av1,
  jpegxs,
  aac,
  opus,
  pcmu,
  pcma,
  mp2,
  ac3,
  l16,
];

const BY_NAME = new Map<Codec, CodecSpec>(CODECS.map((c) => [c.name, c]));
const BY_ENCODING = new Map<string, CodecSpec>(
  CODECS.flatMap((c) => (c.rtp?.encodings ?? []).map((e) => [e.toUpperCase(), c] as const)),
);
const BY_STREAM_TYPE = new Map<number, [CodecSpec, TsFraming]>(
  CODECS.flatMap((c) =>
    Object.entries(c.ts?.streamTypes ?? {}).map(([t, f]) => [Number(t), [c, f]] as const)
  ),
);
const BY_REGISTRATION = new Map<string, [CodecSpec, TsFraming]>(
  CODECS.flatMap((c) =>
    Object.entries(c.ts?.registrations ?? {}).map(([id, f]) => [id, [c, f]] as const)
  ),
);

/** The spec of a codec name; undefined for "unknown". */
export function codecSpec(name: Codec): CodecSpec | undefined {
  return BY_NAME.get(name);
}

/** The codec of an RTP encoding name (case-insensitive, RFC 8866 6.6). */
export function codecForEncoding(encoding: string): CodecSpec | undefined {
  return BY_ENCODING.get(encoding.toUpperCase());
}

/** The codec and PES framing of an MPEG-TS stream_type (ISO/IEC 13818-1 Table 2-34). */
export function codecForStreamType(streamType: number): [CodecSpec, TsFraming] | undefined {
  return BY_STREAM_TYPE.get(streamType);
}

/** The codec and framing of a registration descriptor's format_identifier (2.6.8). */
export function codecForRegistration(id: string): [CodecSpec, TsFraming] | undefined {
  return BY_REGISTRATION.get(id);
}

/** Every payload sniffer with its codec, in tie-break order. */
export const SNIFFERS: readonly { codec: CodecSpec; sniffer: PayloadSniffer }[] = CODECS.flatMap((
  codec,
) => (codec.sniffers ?? []).map((sniffer) => ({ codec, sniffer })));
