/**
 * Global memory governor: keeps the bytes held by all streams' buffers under
 * `ingestion.memory.global_limit` by shedding whole GOPs from the largest holders
 * first (the per-stream limit is enforced inside each stream's GOP buffer).
 */

/** A holder of buffered bytes that can give some back. */
export interface Shedder {
  readonly id: string;
  readonly bufferedBytes: number;
  /** Drops the oldest whole GOP; returns the bytes freed (0 when nothing can go). */
  shed(): number;
}

/** Cap on shedding steps per enforcement pass, so one pass stays bounded. */
export const MAX_SHED_STEPS = 1000;

/**
 * Sheds until the total is at or under `limit`. Returns the bytes freed. Largest
 * holder first, so one runaway stream pays for itself before others lose data.
 */
export function enforceGlobalLimit(holders: Iterable<Shedder>, limit: number): number {
  const list = [...holders];
  let total = 0;
  for (const h of list) total += h.bufferedBytes;
  let freed = 0;
  for (let step = 0; step < MAX_SHED_STEPS && total > limit; step++) {
    let big: Shedder | undefined;
    for (const h of list) if (!big || h.bufferedBytes > big.bufferedBytes) big = h;
    if (!big || big.bufferedBytes === 0) break;
    const n = big.shed();
    if (n <= 0) {
      list.splice(list.indexOf(big), 1);
      continue;
    }
    freed += n;
    total -= n;
  }
  return freed;
}
