import { fail, ok, type Result } from "../../core/result.ts";
/**
 * Program-specific information: section reassembly, CRC32 and the PAT/PMT tables
 * (ISO/IEC 13818-1 2.4.4: pointer_field 2.4.4.2, PAT 2.4.4.3, PMT 2.4.4.8, CRC Annex A).
 *
 * ```
 * section: table_id(8) | syntax(1) 0(1) rsvd(2) section_length(12) | id(16) |
 *          rsvd(2) version(5) current_next(1) | section_number(8) | last_section(8) |
 *          ... table body ... | CRC_32(32)
 * ```
 */
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Cap on one PSI section, bytes (section_length is 12 bits: 3 + 4093). */
export const MAX_SECTION_BYTES = 4096;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32/MPEG-2 (ISO/IEC 13818-1 Annex A: poly 0x04C11DB7, init 0xFFFFFFFF, no
 * reflection, no final xor). Over a whole section including its CRC_32 field it is 0.
 */
export function crc32Mpeg(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = (c << 8) ^ CRC_TABLE[((c >>> 24) ^ data[i]) & 0xff];
  return c >>> 0;
}

/**
 * Reassembles PSI sections of one PID from TS packet payloads (ISO/IEC 13818-1 2.4.4.2).
 * Calls `onSection` with each complete section (a view valid during the call); counts
 * "psi_invalid" for an oversized or malformed section. Bounded by MAX_SECTION_BYTES.
 */
export class SectionAssembler {
  #buf = new Uint8Array(MAX_SECTION_BYTES);
  #len = 0;
  /** Expected total section size, 0 while unknown, -1 when not inside a section. */
  #need = -1;

  constructor(
    private readonly onSection: (section: Uint8Array) => void,
    private readonly count: (reason: DataReason) => void,
  ) {}

  /** Bytes buffered (never above MAX_SECTION_BYTES). */
  get bufferedBytes(): number {
    return this.#len;
  }

  /** Drops a partial section (after a continuity error). */
  reset(): void {
    this.#len = 0;
    this.#need = -1;
  }

  /** One packet's payload; `pusi` marks a pointer_field at its start. */
  push(payload: Uint8Array, pusi: boolean): void {
    let off = 0;
    if (pusi) {
      if (payload.length < 1) return this.count("psi_invalid");
      const pointer = payload[0];
      if (this.#need >= 0 && pointer > 0) {
        this.#append(payload.subarray(1, Math.min(1 + pointer, payload.length)));
        this.#emitIfComplete();
      }
      this.reset();
      off = 1 + pointer;
      if (off >= payload.length) return this.count("psi_invalid");
      this.#need = 0;
    } else if (this.#need < 0) {
      return; // not inside a section: wait for a unit start
    }
    // Sections one after another until stuffing (0xFF) or the end of the payload.
    while (off < payload.length) {
      if (this.#need < 0) {
        if (payload[off] === 0xff) return;
        this.#need = 0;
      }
      off += this.#append(payload.subarray(off));
      this.#emitIfComplete();
    }
  }

  #emitIfComplete(): void {
    if (this.#need > 0 && this.#len === this.#need) {
      const s = this.#buf.subarray(0, this.#len);
      this.reset();
      this.onSection(s);
    }
  }

  /** Appends up to the end of the current section; returns bytes consumed. */
  #append(src: Uint8Array): number {
    let used = 0;
    if (this.#need === 0) {
      const take = Math.min(3 - this.#len, src.length);
      this.#buf.set(src.subarray(0, take), this.#len);
      this.#len += take;
      used = take;
      if (this.#len < 3) return used;
      this.#need = 3 + (((this.#buf[1] & 0x0f) << 8) | this.#buf[2]);
      if (this.#need > MAX_SECTION_BYTES || this.#need < 3 + 5 + 4) {
        this.count("psi_invalid");
        this.reset();
        return src.length;
      }
    }
    if (this.#need <= 0) return used;
    const take = Math.min(this.#need - this.#len, src.length - used);
    this.#buf.set(src.subarray(used, used + take), this.#len);
    this.#len += take;
    return used + take;
  }
}

/** Long-form section header fields shared by PAT and PMT (ISO/IEC 13818-1 2.4.4.3). */
export interface SectionHeader {
  tableId: number;
  /** transport_stream_id (PAT) or program_number (PMT). */
  id: number;
  version: number;
  currentNext: boolean;
}

/** Checks syntax and CRC of a complete section; reason "psi_crc" or "psi_invalid". */
export function checkSection(s: Uint8Array): Result<SectionHeader, DataReason> {
  if (s.length < 12 || !(s[1] & 0x80)) return fail("psi_invalid");
  if (crc32Mpeg(s) !== 0) return fail("psi_crc");
  return ok({
    tableId: s[0],
    id: (s[3] << 8) | s[4],
    version: (s[5] >> 1) & 0x1f,
    currentNext: (s[5] & 1) === 1,
  });
}

/** One program of a PAT: program_number and its PMT PID (ISO/IEC 13818-1 Table 2-30). */
export interface PatProgram {
  number: number;
  pmtPid: number;
}

/** Programs of a checked PAT section (table_id 0x00); program 0 (the NIT) is skipped. */
export function parsePat(s: Uint8Array): Result<PatProgram[], DataReason> {
  if (s[0] !== 0x00) return fail("psi_invalid");
  const out: PatProgram[] = [];
  for (let i = 8; i + 4 <= s.length - 4; i += 4) {
    const number = (s[i] << 8) | s[i + 1];
    if (number !== 0) out.push({ number, pmtPid: ((s[i + 2] & 0x1f) << 8) | s[i + 3] });
  }
  return ok(out);
}

/** One elementary stream of a PMT, with its raw ES_info descriptors. */
export interface PmtStream {
  streamType: number;
  pid: number;
  descriptors: Uint8Array;
}

/** A program map (ISO/IEC 13818-1 Table 2-33). */
export interface Pmt {
  programNumber: number;
  version: number;
  pcrPid: number;
  /** program_info descriptors, raw. */
  descriptors: Uint8Array;
  streams: PmtStream[];
}

/** Parses a checked PMT section (table_id 0x02). */
export function parsePmt(s: Uint8Array): Result<Pmt, DataReason> {
  if (s[0] !== 0x02) return fail("psi_invalid");
  const end = s.length - 4;
  const pcrPid = ((s[8] & 0x1f) << 8) | s[9];
  const infoLen = ((s[10] & 0x0f) << 8) | s[11];
  let i = 12 + infoLen;
  if (i > end) return fail("psi_invalid");
  const descriptors = s.slice(12, i);
  const streams: PmtStream[] = [];
  while (i + 5 <= end) {
    const esLen = ((s[i + 3] & 0x0f) << 8) | s[i + 4];
    if (i + 5 + esLen > end) return fail("psi_invalid");
    streams.push({
      streamType: s[i],
      pid: ((s[i + 1] & 0x1f) << 8) | s[i + 2],
      descriptors: s.slice(i + 5, i + 5 + esLen),
    });
    i += 5 + esLen;
  }
  return ok({
    programNumber: (s[3] << 8) | s[4],
    version: (s[5] >> 1) & 0x1f,
    pcrPid,
    descriptors,
    streams,
  });
}

/** Body of the first descriptor with `tag` in a descriptor loop (2.6), or undefined. */
export function findDescriptor(loop: Uint8Array, tag: number): Uint8Array | undefined {
  let i = 0;
  while (i + 2 <= loop.length) {
    const len = loop[i + 1];
    if (i + 2 + len > loop.length) return undefined;
    if (loop[i] === tag) return loop.subarray(i + 2, i + 2 + len);
    i += 2 + len;
  }
  return undefined;
}

/** format_identifier of a registration_descriptor (tag 5, 2.6.8) as 4 ASCII chars. */
export function registration(loop: Uint8Array): string | undefined {
  const d = findDescriptor(loop, 0x05);
  if (!d || d.length < 4) return undefined;
  return String.fromCharCode(d[0], d[1], d[2], d[3]);
}
