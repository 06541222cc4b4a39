import { fail, ok, type Result } from "../../core/result.ts";
/**
 * The start of an AV1 uncompressed frame header (AV1 5.9.2), enough to tell a key frame
 * and a shown existing frame; carried by OBU_FRAME_HEADER and OBU_FRAME payloads.
 *
 * ```
 * reduced_still_picture_header: show_existing_frame = 0, frame_type = KEY_FRAME, show_frame = 1
 * otherwise: show_existing_frame(1)
 *              1: frame_to_show_map_idx(3) ...   (frame type is that of the shown frame)
 *              0: frame_type(2) show_frame(1) [showable_frame(1)] ...
 * ```
 */

/** frame_type values (6.8.2). */
export const Av1FrameType = {
  KEY_FRAME: 0,
  INTER_FRAME: 1,
  INTRA_ONLY_FRAME: 2,
  SWITCH_FRAME: 3,
} as const;

/** The first fields of a frame header. */
export interface Av1FrameHeaderStart {
  showExistingFrame: boolean;
  /** Slot of the frame shown again, when showExistingFrame. */
  frameToShowMapIdx?: number;
  /** frame_type, when not showExistingFrame. */
  frameType?: number;
  showFrame?: boolean;
  /** A shown KEY_FRAME: a random access point (7.5, key frame of a temporal unit). */
  key: boolean;
}

/**
 * Reads the start of a frame header payload. `reducedStillPictureHeader` comes from the
 * sequence header. Reason: "frame_header_short".
 */
export function parseAv1FrameHeaderStart(
  payload: Uint8Array,
  reducedStillPictureHeader = false,
): Result<Av1FrameHeaderStart> {
  if (reducedStillPictureHeader) {
    return ok({ showExistingFrame: false, frameType: 0, showFrame: true, key: true });
  }
  if (payload.length < 1) return fail("frame_header_short");
  const b = payload[0];
  if (b & 0x80) {
    return ok({ showExistingFrame: true, frameToShowMapIdx: (b >> 4) & 7, key: false });
  }
  const frameType = (b >> 5) & 3;
  const showFrame = (b & 0x10) !== 0;
  return ok({
    showExistingFrame: false,
    frameType,
    showFrame,
    key: frameType === Av1FrameType.KEY_FRAME && showFrame,
  });
}
