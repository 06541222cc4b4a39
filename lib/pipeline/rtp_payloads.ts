/**
 * Which payload types an RTP source speaks (for rtp_adapter.ts): the global map from
 * `rtp.payload_types` and the `rtp.sdp` files, and per configured SSRC (`rtp.streams`) its
 * name, own SDP and payload types on top. SDP files are read when the adapter is built
 * and, for `rtp.streams[].sdp`, when a source of that SSRC opens.
 */
import type { Config } from "../config/config.ts";
import { PayloadMap } from "../transport/rtp/payload_map.ts";
import { parseSdp, type SdpSession } from "../transport/rtp/sdp.ts";

/** A source's payload map, with its configured name and SDP when it has them. */
export interface MappedSource {
  map: PayloadMap;
  name?: string;
  sdp?: SdpSession;
  /** The configured entry lists several SSRCs (they join one stream). */
  several?: boolean;
}

function readSdp(path: string): ReturnType<typeof parseSdp> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw new TypeError(`Cannot read SDP file ${path}: ${(e as Error).message}`);
  }
  const r = parseSdp(text);
  if (!r.ok) throw new TypeError(`Cannot parse SDP file ${path}: ${r.reason}`);
  return r;
}

/** The payload configuration of the RTP listener; see the module doc. */
export class RtpPayloads {
  /** Payload map of sources without an entry of their own. */
  readonly global: PayloadMap;
  /** Parsed `rtp.sdp` files (SDP joins). */
  readonly #sdps: SdpSession[] = [];

  /** Reads `rtp.payload_types` and the `rtp.sdp` files; throws naming an unreadable file. */
  constructor(cfg: Config["rtp"]) {
    this.global = new PayloadMap().addConfig(cfg.payloadTypes, "rtp.payload_types");
    for (const f of cfg.sdp) {
      const r = readSdp(f);
      if (r.ok) {
        this.global.addSdp(r.value);
        this.#sdps.push(r.value);
      }
    }
  }

  /** Payload map, name and SDP of a configured SSRC (`streams` = `rtp.streams`). */
  mapFor(ssrc: number, streams: Config["rtp"]["streams"]): MappedSource {
    const entry = streams.find((s) => (s.ssrcs ?? [s.ssrc]).includes(ssrc));
    if (!entry) return { map: this.global };
    const map = this.global.clone();
    let sdp: SdpSession | undefined;
    if (entry.sdp) {
      const r = readSdp(entry.sdp);
      if (r.ok) {
        map.addSdp(r.value);
        sdp = r.value;
      }
    }
    map.addConfig(entry.payloadTypes, `rtp.streams[${entry.name}].payload_types`);
    return { map, name: entry.name, sdp, several: (entry.ssrcs ?? []).length > 1 };
  }

  /** The first `rtp.sdp` file with an `m=` line of payload type `pt`. */
  sdpFor(pt: number): SdpSession | undefined {
    return this.#sdps.find((x) => x.media.some((md) => md.payloadTypes.includes(pt)));
  }
}
