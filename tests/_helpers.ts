/**
 * Shared test helpers: fixture paths, peer-program discovery, free loopback ports.
 * Policy: a test that needs a peer program (ffmpeg, gst-launch-1.0, srt-live-transmit,
 * ffprobe) or libsrt skips with a visible reason when it is missing on a developer's
 * box, but under CI=true a missing peer fails the test.
 */

/** Absolute path of a file under tests/fixtures/. */
export function fixture(rel: string): string {
  return new URL(`./fixtures/${rel}`, import.meta.url).pathname;
}

/** Reads a fixture file. */
export function readFixture(rel: string): Uint8Array {
  return Deno.readFileSync(fixture(rel));
}

const found = new Map<string, boolean>();

/** True when `cmd` is on PATH. */
export function hasProgram(cmd: string): boolean {
  let v = found.get(cmd);
  if (v === undefined) {
    try {
      const r = new Deno.Command("sh", {
        args: ["-c", `command -v ${cmd}`],
        stdout: "null",
        stderr: "null",
      })
        .outputSync();
      v = r.success;
    } catch {
      v = false;
    }
    found.set(cmd, v);
  }
  return v;
}

/**
 * `ignore` value for Deno.test: true (skip, with a logged reason) when a program is
 * missing and we are not in CI. In CI a missing program is not ignored, so the test
 * runs and fails on it.
 */
export function missing(...cmds: string[]): boolean {
  const absent = cmds.filter((c) => !hasProgram(c));
  if (absent.length === 0) return false;
  if (Deno.env.get("CI") === "true") return false;
  console.warn(`skipping: ${absent.join(", ")} not installed`);
  return true;
}

/** A free UDP or TCP port on 127.0.0.1 (bound then released). */
export function freePort(transport: "tcp" | "udp" = "tcp"): number {
  if (transport === "udp") {
    const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const p = (s.addr as Deno.NetAddr).port;
    s.close();
    return p;
  }
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const p = (l.addr as Deno.NetAddr).port;
  l.close();
  return p;
}

/**
 * Parses an ffprobe packets CSV oracle: pts, dts, duration, size, flags (the TS files),
 * or pts, dts, size, flags (the es/ files, whose pts/dts are N/A: NaN here).
 */
export function readPacketsCsv(rel: string): {
  pts: number;
  dts: number;
  duration: number;
  size: number;
  key: boolean;
}[] {
  const text = new TextDecoder().decode(readFixture(rel));
  return text.trim().split("\n").map((line) => {
    const cols = line.split(",");
    const [pts, dts, duration, size, flags] = cols.length === 4
      ? [cols[0], cols[1], "NaN", cols[2], cols[3]]
      : cols;
    return {
      pts: Number(pts),
      dts: Number(dts),
      duration: Number(duration),
      size: Number(size),
      key: (flags ?? "").includes("K"),
    };
  });
}

/**
 * Fuzz run count: `n` scaled by SLUICE_FUZZ_SCALE (default 1, fixed seeds in CI;
 * `deno task fuzz` runs 50x longer).
 */
export function fuzzRuns(n: number): number {
  const s = Number(Deno.env.get("SLUICE_FUZZ_SCALE") ?? "1");
  return Math.max(1, Math.round(n * (Number.isFinite(s) && s > 0 ? s : 1)));
}

/**
 * Asserts that ffmpeg decodes `data` (an elementary stream such as a preview keyframe,
 * `suffix` naming its format: ".h264", ".hevc") into one picture.
 */
export async function assertPictureDecodes(data: Uint8Array, suffix: string): Promise<void> {
  const tmp = await Deno.makeTempFile({ suffix });
  const png = tmp + ".png";
  try {
    await Deno.writeFile(tmp, data);
    const dec = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-y", "-i", tmp, "-frames:v", "1", png],
      stderr: "piped",
      signal: AbortSignal.timeout(10_000),
    }).output();
    if (dec.code !== 0) throw new Error(`ffmpeg: ${new TextDecoder().decode(dec.stderr)}`);
    if (Deno.statSync(png).size === 0) throw new Error("ffmpeg wrote an empty picture");
  } finally {
    await Deno.remove(tmp).catch(() => {});
    await Deno.remove(png).catch(() => {});
  }
}

/**
 * Stops a child the way an operator's service manager does: SIGTERM, then SIGKILL if it
 * is still running after `graceMs`; resolves with its exit status. Safe on a child that
 * has already exited.
 */
export async function stopChild(
  child: Deno.ChildProcess,
  graceMs: number,
): Promise<Deno.CommandStatus> {
  const signal = (sig: Deno.Signal) => {
    try {
      child.kill(sig);
    } catch { /* gone */ }
  };
  signal("SIGTERM");
  const t = setTimeout(() => signal("SIGKILL"), graceMs);
  try {
    return await child.status;
  } finally {
    clearTimeout(t);
  }
}
