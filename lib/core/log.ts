/**
 * Structured log lines: time, level, event name and key=value fields (or one JSON
 * object per line with `log.format: json`). The stream id, when there is one, is the
 * `stream` field. Lines go to stderr so stdout stays clean for --check-config output.
 */

/** Log levels in increasing severity. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Fields attached to a log line. */
export type LogFields = Record<string, string | number | boolean | undefined | null>;

/** A structured logger. */
export interface Logger {
  level: LogLevel;
  format: "text" | "json";
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

function quote(v: string): string {
  return /[\s"=]/.test(v) || v === "" ? JSON.stringify(v) : v;
}

/** Formats one line in text form (exported for tests). */
export function formatLine(
  time: Date,
  level: LogLevel,
  event: string,
  fields: LogFields = {},
): string {
  let s = `${time.toISOString()} ${level.toUpperCase().padEnd(5)} ${event}`;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    s += ` ${k}=${quote(String(v))}`;
  }
  return s;
}

const encoder = new TextEncoder();

/** Writes one line to stderr directly (console.* may be routed into the logger, see main.ts). */
function toStderr(line: string): void {
  const b = encoder.encode(line + "\n");
  for (let o = 0; o < b.length;) o += Deno.stderr.writeSync(b.subarray(o));
}

/**
 * Routes console.warn/error/info/debug (the runtime's and libraries' warnings) into
 * `log`, so every stderr line has the logger's format. Returns the undo function.
 */
export function routeConsole(log: Logger): () => void {
  const saved = {
    warn: console.warn,
    error: console.error,
    info: console.info,
    debug: console.debug,
  };
  const text = (args: unknown[]) =>
    args.map((a) => (typeof a === "string" ? a : Deno.inspect(a, { colors: false }))).join(" ");
  console.warn = (...a: unknown[]) => log.warn("runtime.warning", { message: text(a) });
  console.error = (...a: unknown[]) => log.error("runtime.error", { message: text(a) });
  console.info = (...a: unknown[]) => log.info("runtime.info", { message: text(a) });
  console.debug = (...a: unknown[]) => log.debug("runtime.debug", { message: text(a) });
  return () => Object.assign(console, saved);
}

/** Creates a logger writing to `sink` (stderr by default). */
export function createLogger(
  level: LogLevel = "info",
  format: "text" | "json" = "text",
  sink: (line: string) => void = toStderr,
): Logger {
  const log = (lv: LogLevel, event: string, fields?: LogFields) => {
    if (RANK[lv] < RANK[logger.level]) return;
    const now = new Date();
    sink(
      logger.format === "json"
        ? JSON.stringify({ time: now.toISOString(), level: lv, event, ...fields })
        : formatLine(now, lv, event, fields),
    );
  };
  const logger: Logger = {
    level,
    format,
    debug: (e, f) => log("debug", e, f),
    info: (e, f) => log("info", e, f),
    warn: (e, f) => log("warn", e, f),
    error: (e, f) => log("error", e, f),
  };
  return logger;
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger("error", "text", () => {});
