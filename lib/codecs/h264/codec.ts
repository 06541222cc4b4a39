/** H.264 / AVC (ITU-T H.264): MPEG-TS stream_type 0x1b, RTP "H264" (RFC 6184). */
import { AnnexBParams } from "../h26x/params.ts";
import { spropParameterSets } from "../h26x/sprop.ts";
import type { AnnexBRules, CodecSpec } from "../spec.ts";
import { H264Depacketizer } from "./depacketizer.ts";
import { h264IsVcl, H264Nal } from "./nal.ts";
import { sniffH264 } from "./sniff.ts";
import { parseH264Sps } from "./sps.ts";

/** NAL unit rules for the shared Annex B machinery (lib/codecs/h26x/). */
export const H264_RULES: AnnexBRules = {
  codec: "h264",
  nalType: (b0) => b0 & 0x1f,
  isVcl: h264IsVcl,
  paramSetTypes: [H264Nal.SPS, H264Nal.PPS],
  spropKeys: ["sprop-parameter-sets"],
};

export const h264: CodecSpec = {
  name: "h264",
  kind: "video",
  ts: { streamTypes: { 0x1b: "pes" } },
  rtp: { encodings: ["H264"], clockRate: 90000 },
  sniffers: [{ score: sniffH264 }],
  depacketizer: (o) => new H264Depacketizer(o),
  annexB: H264_RULES,
  params: () =>
    new AnnexBParams(H264_RULES, (type, nal) => {
      if (type !== H264Nal.SPS) return undefined;
      const r = parseH264Sps(nal);
      return r.ok ? r.value : undefined;
    }),
  spropSets: (fmtp, count) => spropParameterSets(H264_RULES, fmtp, count),
};
