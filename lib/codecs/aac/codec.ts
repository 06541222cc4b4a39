/**
 * AAC: MPEG-TS stream_type 0x0f (ADTS) and 0x11 (LATM in LOAS), RTP "MPEG4-GENERIC"
 * (RFC 3640) and "MP4A-LATM" (RFC 6416); the clock comes from the rtpmap.
 */
import type { CodecSpec } from "../spec.ts";
import { LatmDepacketizer } from "./latm.ts";
import { Rfc3640Depacketizer } from "./rfc3640.ts";
import { sniffAacHbr, sniffAacLatm } from "./sniff.ts";

export const aac: CodecSpec = {
  name: "aac",
  kind: "audio",
  ts: { streamTypes: { 0x0f: "adts", 0x11: "loas" } },
  rtp: { encodings: ["MPEG4-GENERIC", "MP4A-LATM"] },
  sniffers: [{ score: sniffAacHbr }, { score: sniffAacLatm }],
  depacketizer: (o, encoding) =>
    (encoding ?? "").toUpperCase() === "MP4A-LATM"
      ? new LatmDepacketizer(o)
      : new Rfc3640Depacketizer(o),
};
