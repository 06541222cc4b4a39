/**
 * Codecs sluice recognises by name but does not parse: MPEG audio (stream_type
 * 0x03/0x04, RTP "MPA"), AC-3 (stream_type 0x81 or registration "AC-3", RTP "AC3") and
 * linear PCM (RTP "L16"). From MPEG-TS each PES is passed on as one frame; over RTP they
 * are listed and counted "rtp_codec_unsupported" (no depacketizer).
 */
import type { CodecSpec } from "./spec.ts";

export const mp2: CodecSpec = {
  name: "mp2",
  kind: "audio",
  ts: { streamTypes: { 0x03: "pes", 0x04: "pes" } },
  rtp: { encodings: ["MPA"], clockRate: 90000 },
};

export const ac3: CodecSpec = {
  name: "ac3",
  kind: "audio",
  ts: { streamTypes: { 0x81: "pes" }, registrations: { "AC-3": "pes" } },
  rtp: { encodings: ["AC3"] },
};

export const l16: CodecSpec = {
  name: "l16",
  kind: "audio",
  rtp: { encodings: ["L16"] },
};
