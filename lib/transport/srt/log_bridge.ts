/**
 * libsrt's own log lines into sluice's logger (srt_setloghandler, logging_api.h), so
 * `log.format: json` holds for them too instead of libsrt printing to stderr. Syslog
 * levels map to error (0-3), warn (4), info (5-6) and debug (7). Lines that repeat
 * (same area and text with numbers ignored: socket ids, ports) are logged once per
 * REPEAT_WINDOW_MS with the count of the ones left out.
 *
 * The handler is a thread-safe FFI callback: libsrt calls it on its own threads and
 * waits until the JS thread has run it, as for the listen callback (listen_socket.ts),
 * so it only formats and hands the line on. Install it before srt_startup; uninstall it
 * after srt_cleanup.
 */
import { LOG_HANDLER, SRT_LOGF_PLAIN, type SrtSymbols } from "../../../ffi/srt.ts";

/** Identical libsrt lines are logged at most once per this window, ms. */
export const REPEAT_WINDOW_MS = 10_000;
/** Distinct repeating lines remembered. */
const MAX_KEYS = 256;
/** libsrt log level set with the handler: LOG_WARNING (syslog 4). */
export const SRT_LOG_LEVEL = 4;

/** Where the lines go: level, event name, fields. */
export type SrtLogSink = (
  level: "debug" | "info" | "warn" | "error",
  event: string,
  fields: Record<string, unknown>,
) => void;

function levelOf(syslog: number): "debug" | "info" | "warn" | "error" {
  return syslog <= 3 ? "error" : syslog === 4 ? "warn" : syslog <= 6 ? "info" : "debug";
}

/** One installed handler. */
export class SrtLogBridge {
  readonly #cb: Deno.UnsafeCallback<typeof LOG_HANDLER>;
  readonly #seen = new Map<string, { lastMs: number; left: number }>();
  #sym: SrtSymbols;

  constructor(sym: SrtSymbols, sink: SrtLogSink, now: () => number = () => performance.now()) {
    this.#sym = sym;
    this.#cb = Deno.UnsafeCallback.threadSafe(LOG_HANDLER, (_o, level, _f, _l, area, msg) => {
      try {
        const message = msg ? Deno.UnsafePointerView.getCString(msg).trim() : "";
        const a = area ? Deno.UnsafePointerView.getCString(area) : "";
        const key = `${a} ${message.replace(/\d+/g, "#")}`;
        const t = now();
        const s = this.#seen.get(key);
        if (s && t - s.lastMs < REPEAT_WINDOW_MS) {
          s.left++;
          return;
        }
        if (!s && this.#seen.size >= MAX_KEYS) {
          this.#seen.delete(this.#seen.keys().next().value!);
        }
        const repeated = s?.left ?? 0;
        this.#seen.set(key, { lastMs: t, left: 0 });
        const fields: Record<string, unknown> = { area: a, message };
        if (repeated) fields.repeated = repeated;
        sink(levelOf(level), "libsrt", fields);
      } catch { /* never throw into libsrt */ }
    });
    this.#cb.unref();
    sym.srt_setlogflags(SRT_LOGF_PLAIN);
    sym.srt_setloghandler(null, this.#cb.pointer);
    sym.srt_setloglevel(SRT_LOG_LEVEL);
  }

  /** Hands logging back to libsrt's default (stderr) and frees the callback. */
  close(): void {
    this.#sym.srt_setloghandler(null, null);
    this.#cb.close();
  }
}
