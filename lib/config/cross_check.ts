/**
 * Checks across keys, after each key has passed its own (lib/config/walker.ts): SSRCs
 * claimed by two RTP streams, limits that contradict each other, ports that collide,
 * SRT passphrase lengths, TLS halves, output names, token lengths and the `nats:`
 * section (lib/config/nats.ts). Also turns each rtp.streams[] `ssrc` list into
 * `ssrcs` + `ssrc` (the first, or -1).
 */
import type { Config } from "./config.ts";
import { checkNats } from "./nats.ts";

/** Pushes each problem found across keys of `cfg` to `issues`. */
export function crossCheck(cfg: Config, issues: string[]): void {
  const ing = cfg.ingestion;
  const owner = new Map<number, string>();
  for (const s of cfg.rtp.streams) {
    // the schema reads `ssrc` as a list; `ssrc` stays the first (or -1) for lookups by one
    s.ssrcs = s.ssrc as unknown as number[];
    s.ssrc = s.ssrcs[0] ?? -1;
    for (const x of s.ssrcs) {
      const o = owner.get(x);
      if (o !== undefined && o !== s.name) {
        issues.push(`rtp.streams: ssrc ${x} is listed by both ${o} and ${s.name}`);
      }
      owner.set(x, s.name);
    }
  }
  if (ing.memory.perStreamLimit > ing.memory.globalLimit) {
    issues.push("ingestion.memory.per_stream_limit must not exceed ingestion.memory.global_limit");
  }
  if (ing.srtPort === ing.rtpPort || ing.srtPort === ing.rtpPort + 1) {
    issues.push(`ingestion.srt_port ${ing.srtPort} collides with rtp_port/rtp_port+1`);
  }
  for (const [id, s] of Object.entries(cfg.srt.streams)) {
    const p = s.passphrase;
    if (p && (p.length < 10 || p.length > 79)) {
      issues.push(`srt.streams.${id}.passphrase must be 10-79 characters (SRT rule)`);
    }
  }
  const p = cfg.srt.passphrase;
  if (p && (p.length < 10 || p.length > 79)) {
    issues.push("srt.passphrase must be 10-79 characters (SRT rule)");
  }
  if (!cfg.api.tls.cert !== !cfg.api.tls.key) {
    issues.push("api.tls needs both cert and key (PEM file paths) or neither");
  }
  const names = new Set<string>();
  cfg.outputs.forEach((o, i) => {
    if (o.name && !/^[A-Za-z0-9_.-]{1,64}$/.test(o.name)) {
      issues.push(
        `outputs[${i}].name must be 1-64 of A-Z a-z 0-9 _ . -, got ${JSON.stringify(o.name)}`,
      );
    }
    if (names.has(o.name)) {
      issues.push(`outputs[${i}].name ${JSON.stringify(o.name)} is used twice`);
    }
    names.add(o.name);
    if (o.retry.max < o.retry.initial) {
      issues.push(`outputs[${i}].retry.max must be >= retry.initial`);
    }
  });
  for (const t of cfg.api.tokens) {
    if (t.length < 8) issues.push("api.tokens entries must be at least 8 characters");
  }
  checkNats(cfg.nats, issues);
}
