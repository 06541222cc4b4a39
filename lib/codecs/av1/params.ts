/**
 * AV1 stream info and previews: the sequence header OBU (AV1 spec 5.5) of key temporal
 * units, kept to make a key frame decodable on its own.
 */
import { concatBytes } from "../../core/bits.ts";
import type { AccessUnit, VideoParams } from "../../core/types.ts";
import { sameBytes } from "../h26x/params.ts";
import type { ParamReader } from "../spec.ts";
import { splitObus } from "./obu.ts";
import { parseAv1SequenceHeader } from "./sequence_header.ts";

const OBU_SEQUENCE_HEADER = 1;
const OBU_TEMPORAL_DELIMITER = 2;

/** The sequence header of one AV1 track. */
export class Av1Params implements ParamReader {
  readonly sets: Map<number, Uint8Array> = new Map();
  #params?: VideoParams;

  get params(): VideoParams | undefined {
    return this.#params;
  }

  addOutOfBand(): VideoParams | undefined {
    return undefined;
  }

  observe(au: AccessUnit): VideoParams | undefined {
    if (!au.key && this.#params) return undefined;
    const obus = splitObus(au.data);
    if (!obus.ok) return undefined;
    for (const o of obus.value) {
      if (
        o.type !== OBU_SEQUENCE_HEADER || sameBytes(this.sets.get(OBU_SEQUENCE_HEADER), o.bytes)
      ) {
        continue;
      }
      this.sets.set(OBU_SEQUENCE_HEADER, o.bytes.slice());
      const r = parseAv1SequenceHeader(o.payload);
      if (r.ok) return this.#params = r.value;
    }
    return undefined;
  }

  /** The TU with the sequence header put after its temporal delimiter when it lacks one. */
  decodable(au: AccessUnit): AccessUnit {
    const d = au.data;
    const seq = this.sets.get(OBU_SEQUENCE_HEADER);
    const obus = splitObus(d);
    if (!seq || !obus.ok || obus.value.some((o) => o.type === OBU_SEQUENCE_HEADER)) return au;
    const first = obus.value[0];
    const head = first?.type === OBU_TEMPORAL_DELIMITER ? first.bytes : new Uint8Array(0);
    return { ...au, data: concatBytes([head, seq, d.subarray(head.length)]) };
  }
}
