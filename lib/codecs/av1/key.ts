/**
 * Random access detection for an AV1 temporal unit (AV1 spec 7.5): a key TU holds a
 * sequence header and a shown KEY_FRAME frame header. Works on a low-overhead bitstream.
 */
import { splitObus } from "./obu.ts";
import { parseAv1FrameHeaderStart } from "./frame_header.ts";

const OBU_SEQUENCE_HEADER = 1;
const OBU_FRAME_HEADER = 3;
const OBU_FRAME = 6;

/** True when the temporal unit starts with a sequence header and a key frame. */
export function av1IsKeyTemporalUnit(tu: Uint8Array): boolean {
  const obus = splitObus(tu);
  if (!obus.ok) return false;
  let seq = false;
  for (const o of obus.value) {
    if (o.type === OBU_SEQUENCE_HEADER) seq = true;
    else if (o.type === OBU_FRAME || o.type === OBU_FRAME_HEADER) {
      const h = parseAv1FrameHeaderStart(o.payload);
      return seq && h.ok && h.value.key;
    }
  }
  return false;
}
