/** Opus: MPEG-TS stream_type 0x06 with registration "Opus" (ETSI TS 102 366 style), RTP "opus" (RFC 7587). */
import type { CodecSpec } from "../spec.ts";
import { OpusDepacketizer } from "./depacketizer.ts";
import { parseOpusToc } from "./toc.ts";

export const opus: CodecSpec = {
  name: "opus",
  kind: "audio",
  ts: { registrations: { Opus: "opus" } },
  rtp: { encodings: ["opus"], clockRate: 48000 },
  sniffers: [{ score: (p) => (parseOpusToc(p).ok ? 1 : -1) }],
  depacketizer: (o) => new OpusDepacketizer(o),
};
