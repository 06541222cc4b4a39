/**
 * The grace a BYE gets before it closes its RTP source (used by rtp_adapter.ts on both
 * ports). RFC 3550 6.2.1: straggler data packets may arrive after the BYE, so the entry
 * SHOULD be deleted after an appropriate delay; here the BYE also races the data still
 * queued on the other socket (ffmpeg sends its last RTP packet and SR + BYE back to back).
 */

/** How long an RTCP datagram carrying a BYE waits before it is handled, ms. */
export const BYE_GRACE_MS = 500;
/** Cap on BYE datagrams waiting out BYE_GRACE_MS; beyond it a BYE is handled at once. */
export const MAX_PENDING_BYES = 64;

/** True when an RTCP compound datagram holds a BYE (RFC 3550 6.6, PT 203). */
function hasBye(d: Uint8Array): boolean {
  for (let o = 0; o + 4 <= d.length; o += (((d[o + 2] << 8) | d[o + 3]) + 1) * 4) {
    if (d[o + 1] === 203) return true;
  }
  return false;
}

/** RTCP datagrams holding a BYE, waiting out BYE_GRACE_MS. */
export class ByeGrace {
  #byes = new Set<ReturnType<typeof setTimeout>>();

  /** Hands RTCP on now, or after BYE_GRACE_MS if it holds a BYE (copied: buffers are reused). */
  later(d: Uint8Array, t: number, handle: (d: Uint8Array, t: number) => void): void {
    if (!hasBye(d) || this.#byes.size >= MAX_PENDING_BYES) return handle(d, t);
    const copy = d.slice();
    const id = setTimeout(() => {
      this.#byes.delete(id);
      handle(copy, performance.now());
    }, BYE_GRACE_MS);
    this.#byes.add(id);
  }

  /** Drops the waiting BYEs (stop). */
  clear(): void {
    for (const t of this.#byes) clearTimeout(t);
    this.#byes.clear();
  }
}
