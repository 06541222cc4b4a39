/** JPEG XS (ISO/IEC 21122): MPEG-TS stream_type 0x32, RTP "jxsv" (RFC 9134). */
import type { CodecSpec } from "../spec.ts";
import { JpegXsDepacketizer } from "./depacketizer.ts";
import { JxsParams } from "./params.ts";
import { sniffJpegXs } from "./sniff.ts";

export const jpegxs: CodecSpec = {
  name: "jpegxs",
  kind: "video",
  ts: { streamTypes: { 0x32: "pes" } },
  rtp: { encodings: ["jxsv"], clockRate: 90000 },
  sniffers: [{ score: sniffJpegXs }],
  depacketizer: (o) => new JpegXsDepacketizer(o),
  isKeyFrame: () => true, // every JPEG XS frame is intra coded
  params: () => new JxsParams(),
};
