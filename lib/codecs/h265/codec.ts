/** H.265 / HEVC (ITU-T H.265): MPEG-TS stream_type 0x24, RTP "H265" (RFC 7798). */
import { AnnexBParams } from "../h26x/params.ts";
import { spropParameterSets } from "../h26x/sprop.ts";
import type { AnnexBRules, CodecSpec } from "../spec.ts";
import { H265Depacketizer } from "./depacketizer.ts";
import { h265IsVcl, H265Nal } from "./nal.ts";
import { sniffH265 } from "./sniff.ts";
import { parseH265Sps } from "./sps.ts";
import { type H265Vps, parseH265Vps } from "./vps.ts";

/** NAL unit rules for the shared Annex B machinery (lib/codecs/h26x/). */
export const H265_RULES: AnnexBRules = {
  codec: "h265",
  nalType: (b0) => (b0 >> 1) & 0x3f,
  isVcl: h265IsVcl,
  paramSetTypes: [H265Nal.VPS, H265Nal.SPS, H265Nal.PPS],
  spropKeys: ["sprop-vps", "sprop-sps", "sprop-pps"],
};

export const h265: CodecSpec = {
  name: "h265",
  kind: "video",
  ts: { streamTypes: { 0x24: "pes" } },
  rtp: { encodings: ["H265"], clockRate: 90000 },
  sniffers: [{ score: sniffH265 }],
  depacketizer: (o) => new H265Depacketizer(o),
  annexB: H265_RULES,
  params: () => {
    let vps: H265Vps | undefined;
    return new AnnexBParams(H265_RULES, (type, nal) => {
      if (type === H265Nal.VPS) {
        const v = parseH265Vps(nal);
        if (v.ok) vps = v.value;
        return undefined;
      }
      if (type !== H265Nal.SPS) return undefined;
      const r = parseH265Sps(nal, vps);
      return r.ok ? r.value : undefined;
    });
  },
  spropSets: (fmtp, count) => spropParameterSets(H265_RULES, fmtp, count),
};
