/**
 * Views of the 184-byte payloads of whole TS packets in a reused receive buffer, made once
 * per position instead of once per packet. An SRT listener reads every connection's
 * messages into one buffer (lib/transport/srt/listener.ts) and hands on views of it, so the
 * packet at a given offset of that buffer always has its payload at the same place; copying
 * it into a PES buffer needs a view of those 184 bytes, and a `subarray` made per packet was
 * most of the young garbage of the TS path (bench/README.md). Buffers larger than
 * MAX_CACHED_BYTES (a file pushed whole, a test's capture) get no cache.
 */
import { TS_PACKET_SIZE } from "./packet.ts";

/** Largest buffer whose payload views are kept (the SRT drain buffer is 93 KB). */
export const MAX_CACHED_BYTES = 256 * 1024;

/** Payload views per position, by buffer; weak in the buffer. */
const CACHE = new WeakMap<ArrayBufferLike, (Uint8Array | undefined)[]>();

/** The payload views of `bytes`' buffer, or undefined when it is not one to cache. */
export function payloadViewsOf(bytes: Uint8Array): (Uint8Array | undefined)[] | undefined {
  const ab = bytes.buffer;
  if (ab.byteLength > MAX_CACHED_BYTES) return undefined;
  let views = CACHE.get(ab);
  if (!views) CACHE.set(ab, views = []);
  return views;
}

/**
 * The view of the payload of the packet at `buf[off, off + 188)` (4-byte header, no
 * adaptation field), from `views` (payloadViewsOf(buf)) when the packet starts on a
 * 188-byte boundary of its buffer, else a new one.
 */
export function payloadView(
  views: (Uint8Array | undefined)[],
  buf: Uint8Array,
  off: number,
): Uint8Array {
  const at = buf.byteOffset + off;
  const i = at / TS_PACKET_SIZE;
  if (i !== (i | 0)) return buf.subarray(off + 4, off + TS_PACKET_SIZE);
  let v = views[i];
  if (v === undefined) {
    views[i] = v = new Uint8Array(buf.buffer, at + 4, TS_PACKET_SIZE - 4);
  }
  return v;
}
