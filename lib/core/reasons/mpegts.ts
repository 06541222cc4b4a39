/**
 * MPEG-TS reasons (part of the catalogue in lib/core/reasons/catalogue.ts): the demuxer of the
 * SRT payload (TS packets, PSI sections, PES, AAC framing in TS).
 */
import type { ReasonInfo } from "./reason_info.ts";

/** MPEG-TS packets, sections and PES. */
export const MPEGTS_REASONS = {
  // --- MPEG-TS (SRT payload) ---
  sync_loss: {
    kind: "error",
    layer: "mpegts",
    help: "Bytes between TS packets without the 0x47 sync byte; the input is not TS.",
  },
  tei: {
    kind: "error",
    layer: "mpegts",
    help: "A TS packet with transport_error_indicator set; the source saw corruption.",
  },
  af_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "A TS adaptation field longer than its packet; check the encoder's output.",
  },
  cc_error: {
    kind: "error",
    layer: "mpegts",
    help: "A continuity counter gap: TS packets were lost upstream or on the way.",
  },
  ts_scrambled: {
    kind: "error",
    layer: "mpegts",
    help: "A scrambled (encrypted) TS packet; sluice cannot parse it.",
  },
  psi_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "A PAT/PMT section is malformed or oversized; check the encoder's output.",
  },
  psi_crc: {
    kind: "error",
    layer: "mpegts",
    help: "A PAT/PMT section failed its CRC-32; the TS was corrupted.",
  },
  pmt_too_many_streams: {
    kind: "error",
    layer: "mpegts",
    help: "A PMT lists more elementary streams than sluice tracks.",
  },
  pes_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "A PES header is malformed; check the encoder's output.",
  },
  pes_no_pts: {
    kind: "error",
    layer: "mpegts",
    help: "A PES packet without a PTS; frames get no timestamp.",
  },
  pes_length_mismatch: {
    kind: "error",
    layer: "mpegts",
    help: "A PES packet ended before its declared length (loss).",
  },
  pes_oversize: {
    kind: "error",
    layer: "mpegts",
    help: "A PES packet over 16 MiB was discarded; check the encoder's output.",
  },
  pes_dropped: {
    kind: "drop",
    layer: "mpegts",
    help: "The PES being collected was discarded after a continuity error.",
  },
  pes_excess: {
    kind: "drop",
    layer: "mpegts",
    help: "TS payload without a PES start (after a discarded PES); skipped.",
  },
  adts_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "AAC in TS whose ADTS framing is broken; bytes skipped to resync.",
  },
  loas_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "AAC LATM/LOAS in TS whose framing is broken; skipped to resync.",
  },
} as const satisfies Record<string, ReasonInfo>;
