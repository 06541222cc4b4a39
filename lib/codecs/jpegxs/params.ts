/**
 * JPEG XS stream info: the picture header (ISO/IEC 21122-1 A.7) of every 50th frame;
 * every frame is decodable on its own.
 */
import type { AccessUnit, VideoParams } from "../../core/types.ts";
import type { ParamReader } from "../spec.ts";
import { parseJxsPictureHeader } from "./picture_header.ts";

/** JPEG XS frames between two picture-header reads (the header rarely changes). */
const JXS_REPARSE_EVERY = 50;

/** The picture header of one JPEG XS track. */
export class JxsParams implements ParamReader {
  readonly sets: Map<number, Uint8Array> = new Map();
  #frames = 0;
  #params?: VideoParams;

  get params(): VideoParams | undefined {
    return this.#params;
  }

  addOutOfBand(): VideoParams | undefined {
    return undefined;
  }

  observe(au: AccessUnit): VideoParams | undefined {
    if (this.#frames++ % JXS_REPARSE_EVERY !== 0) return undefined;
    const r = parseJxsPictureHeader(au.data);
    if (!r.ok) return undefined;
    const p = r.value;
    const old = this.#params;
    this.#params = p;
    return !old || old.width !== p.width || old.height !== p.height ? p : undefined;
  }

  decodable(au: AccessUnit): AccessUnit {
    return au;
  }
}
