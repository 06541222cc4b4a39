/** AV1: MPEG-TS stream_type 0x06 with registration "AV01", RTP "AV1" (AV1 RTP spec). */
import type { CodecSpec } from "../spec.ts";
import { Av1Depacketizer } from "./depacketizer.ts";
import { av1IsKeyTemporalUnit } from "./key.ts";
import { Av1Params } from "./params.ts";
import { av1Follows, sniffAv1 } from "./sniff.ts";

export const av1: CodecSpec = {
  name: "av1",
  kind: "video",
  ts: { registrations: { AV01: "pes" } },
  rtp: { encodings: ["AV1"], clockRate: 90000 },
  sniffers: [{ score: sniffAv1, follows: av1Follows }],
  depacketizer: (o) => new Av1Depacketizer(o),
  isKeyFrame: av1IsKeyTemporalUnit,
  params: () => new Av1Params(),
};
