/**
 * Payload type -> codec resolution for RTP: the RFC 3551 6 static table, then
 * `rtp.payload_types` from config, SDP `a=rtpmap`/`a=fmtp` (RFC 8866 6.6), and a
 * stream's own payload_types/SDP, later layers overriding earlier ones. When
 * `lookup` returns undefined the caller sniffs the payload (lib/codecs/sniff.ts).
 * Encoding names are the codec registry's (lib/codecs/registry.ts).
 */
import type { Codec, CodecSource, TrackKind } from "../../core/types.ts";
import { codecForEncoding } from "../../codecs/registry.ts";
import { parseRtpmapValue, type SdpMedia, type SdpSession } from "./sdp.ts";

/** What a payload type stands for. */
export interface PayloadInfo {
  codec: Codec;
  /** Encoding name as written (rtpmap / config / RFC 3551). */
  encoding: string;
  kind: TrackKind;
  clockRate: number;
  channels?: number;
  /** fmtp parameters (lower-cased keys, verbatim values). */
  fmtp?: Record<string, string>;
  source: Extract<CodecSource, "rtp_static" | "config" | "sdp">;
}

type Static = [string, TrackKind, number, number?];
/** RFC 3551 6, table 4 and 5: static payload types. */
export const STATIC_PAYLOAD_TYPES: Readonly<Record<number, Static>> = {
  0: ["PCMU", "audio", 8000, 1],
  3: ["GSM", "audio", 8000, 1],
  4: ["G723", "audio", 8000, 1],
  5: ["DVI4", "audio", 8000, 1],
  6: ["DVI4", "audio", 16000, 1],
  7: ["LPC", "audio", 8000, 1],
  8: ["PCMA", "audio", 8000, 1],
  9: ["G722", "audio", 8000, 1],
  10: ["L16", "audio", 44100, 2],
  11: ["L16", "audio", 44100, 1],
  12: ["QCELP", "audio", 8000, 1],
  13: ["CN", "audio", 8000, 1],
  14: ["MPA", "audio", 90000],
  15: ["G728", "audio", 8000, 1],
  16: ["DVI4", "audio", 11025, 1],
  17: ["DVI4", "audio", 22050, 1],
  18: ["G729", "audio", 8000, 1],
  25: ["CelB", "video", 90000],
  26: ["JPEG", "video", 90000],
  28: ["nv", "video", 90000],
  31: ["H261", "video", 90000],
  32: ["MPV", "video", 90000],
  33: ["MP2T", "video", 90000],
  34: ["H263", "video", 90000],
};

/** Codec and kind of an RTP encoding name (case-insensitive); "unknown" when not parsed. */
export function codecOfEncoding(encoding: string, kindHint?: string): [Codec, TrackKind] {
  const c = codecForEncoding(encoding);
  if (c) return [c.name, c.kind];
  const k = kindHint === "video" || kindHint === "audio" ? kindHint : "data";
  return ["unknown", k];
}

/** Resolves payload types through layered sources; see the module doc. */
export class PayloadMap {
  #map = new Map<number, PayloadInfo>();

  /**
   * Adds a config map `{ 96: "H264/90000" }` (rtp.payload_types or a stream's).
   * Throws RangeError naming `where` on a malformed entry (a configuration error).
   */
  addConfig(types: Record<number | string, string>, where = "rtp.payload_types"): this {
    for (const [k, v] of Object.entries(types)) {
      const pt = Number(k);
      const r = parseRtpmapValue(v);
      if (!Number.isInteger(pt) || pt < 0 || pt > 127 || !r) {
        throw new RangeError(
          `Cannot use ${where}.${k}: expected payload type 0-127 and "NAME/CLOCK[/CHANNELS]", got ${
            JSON.stringify(v)
          }`,
        );
      }
      const [codec, kind] = codecOfEncoding(r.encoding);
      const prev = this.#map.get(pt);
      this.#map.set(pt, {
        codec,
        encoding: r.encoding,
        kind,
        clockRate: r.clockRate,
        channels: r.channels,
        fmtp: prev?.fmtp,
        source: "config",
      });
    }
    return this;
  }

  /** Adds the rtpmap/fmtp of every media section of an SDP (or one section). */
  addSdp(sdp: SdpSession | SdpMedia): this {
    const media = "media" in sdp ? sdp.media : [sdp];
    for (const m of media) {
      for (const pt of m.payloadTypes) {
        const rm = m.rtpmap.get(pt);
        const fmtp = m.fmtp.get(pt);
        if (rm) {
          const [codec, kind] = codecOfEncoding(rm.encoding, m.kind);
          this.#map.set(pt, {
            codec,
            encoding: rm.encoding,
            kind,
            clockRate: rm.clockRate,
            channels: rm.channels,
            fmtp,
            source: "sdp",
          });
        } else if (fmtp) {
          const prev = this.lookup(pt);
          if (prev) this.#map.set(pt, { ...prev, fmtp });
        }
      }
    }
    return this;
  }

  /** A copy to layer a stream's own payload types or SDP on top of the global ones. */
  clone(): PayloadMap {
    const p = new PayloadMap();
    for (const [k, v] of this.#map) p.#map.set(k, v);
    return p;
  }

  /** What `pt` stands for, or undefined (dynamic and unmapped: sniff the payload). */
  lookup(pt: number): PayloadInfo | undefined {
    const m = this.#map.get(pt);
    if (m) return m;
    const s = STATIC_PAYLOAD_TYPES[pt];
    if (!s) return undefined;
    const [codec, kind] = codecOfEncoding(s[0], s[1]);
    const info: PayloadInfo = {
      codec,
      encoding: s[0],
      kind,
      clockRate: s[2],
      source: "rtp_static",
    };
    if (s[3] !== undefined) info.channels = s[3];
    return info;
  }
}
