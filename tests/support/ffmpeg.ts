/**
 * Real-peer media for tests: ffmpeg writing MPEG-TS into a temporary file, and a tool's
 * standard output (ffprobe on that file). Both throw with the tool's stderr when it fails.
 */

/** Runs `cmd args` to its end and returns its standard output. */
export function toolOutput(cmd: string, args: string[]): string {
  const r = new Deno.Command(cmd, { args }).outputSync();
  const dec = new TextDecoder();
  if (!r.success) throw new Error(`${cmd} failed: ${dec.decode(r.stderr)}`);
  return dec.decode(r.stdout);
}

/**
 * ffmpeg writes MPEG-TS from `args` (its inputs and encoders) into a temporary file, which
 * `use` reads (the bytes, ffprobe on its path); the file is gone afterwards.
 */
export function withFfmpegTs<T>(args: string[], use: (path: string) => T): T {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/a.ts`;
    toolOutput("ffmpeg", ["-v", "error", "-y", ...args, "-f", "mpegts", path]);
    return use(path);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
