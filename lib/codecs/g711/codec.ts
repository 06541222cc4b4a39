/** G.711 mu-law and A-law: RTP "PCMU" (static type 0) and "PCMA" (static type 8), RFC 3551 4.5.14. */
import type { CodecSpec } from "../spec.ts";
import { G711Depacketizer } from "./depacketizer.ts";

export const pcmu: CodecSpec = {
  name: "pcmu",
  kind: "audio",
  rtp: { encodings: ["PCMU"], clockRate: 8000 },
  depacketizer: (o) => new G711Depacketizer(o),
};

export const pcma: CodecSpec = {
  name: "pcma",
  kind: "audio",
  rtp: { encodings: ["PCMA"], clockRate: 8000 },
  depacketizer: (o) => new G711Depacketizer(o),
};
