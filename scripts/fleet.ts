/**
 * The fleet view: every box's streams from the NATS registry (KV bucket `sluice_streams`),
 * read only from NATS, never from a box's HTTP API (README "Fleet on NATS").
 *
 *   deno run --allow-net --allow-read scripts/fleet.ts [--server nats://host:4222]
 *     [--creds FILE | --token T | --user U --password P] [--watch] [--events] [--json]
 *     [--box NAME] [--since DURATION] [--seconds N]
 *
 * Without flags: prints one table (box, stream, protocol, codecs, bitrate, state, age =
 * seconds since the box last wrote the entry) and exits. `--watch` keeps the table current
 * (one JSON line per change with --json); `--events` follows `sluice.<box>.events` (all
 * boxes, or --box) and prints one line per event (the event JSON with --json), starting
 * `--since` ago ("10m", "1h": replayed from the sluice_events stream) or now; `--seconds`
 * ends a watch after N seconds.
 */
import { connect, type ConnectionOptions, credsAuthenticator, type KV, type KvEntry } from "nats";
import { parseDuration } from "../lib/config/units.ts";
import { EVENTS_STREAM, REGISTRY_BUCKET } from "../lib/fleet/names.ts";

/** One row of the fleet view. */
export interface FleetRow {
  box: string;
  stream: string;
  protocol: string;
  codecs: string[];
  bitrateBps: number;
  state: string;
  /** Seconds since the entry was written. */
  ageS: number;
}

/** A registry entry as a row (undefined for deletions and unreadable values). */
export function rowOf(e: KvEntry, now = Date.now()): FleetRow | undefined {
  if (e.operation !== "PUT") return undefined;
  let s: Record<string, unknown>;
  try {
    s = e.json<Record<string, unknown>>();
  } catch {
    return undefined;
  }
  const tracks = Array.isArray(s.tracks) ? s.tracks as { codec?: string }[] : [];
  return {
    box: e.key.slice(0, e.key.indexOf(".")),
    stream: String(s.id ?? e.key.slice(e.key.indexOf(".") + 1)),
    protocol: String(s.protocol ?? ""),
    codecs: tracks.map((t) => String(t.codec ?? "?")),
    bitrateBps: Number(s.bitrateBps ?? 0),
    state: String(s.state ?? ""),
    ageS: Math.max(0, Math.round((now - e.created.getTime()) / 100) / 10),
  };
}

/** Every row of the registry now, sorted by box then stream. */
export async function listFleet(kv: KV): Promise<FleetRow[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  const rows: FleetRow[] = [];
  for (const key of keys) {
    const e = await kv.get(key);
    const r = e && rowOf(e);
    if (r) rows.push(r);
  }
  return sortRows(rows);
}

function sortRows(rows: FleetRow[]): FleetRow[] {
  return rows.sort((a, b) => a.box.localeCompare(b.box) || a.stream.localeCompare(b.stream));
}

/** The rows as an aligned text table. */
export function formatTable(rows: FleetRow[]): string {
  const head = ["BOX", "STREAM", "PROTOCOL", "CODECS", "MBIT/S", "STATE", "AGE"];
  const cells = rows.map((r) => [
    r.box,
    r.stream,
    r.protocol,
    r.codecs.join(",") || "-",
    (r.bitrateBps / 1e6).toFixed(2),
    r.state,
    `${r.ageS}s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join("  ").trimEnd();
  return [line(head), ...cells.map(line)].join("\n");
}

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

const flag = (name: string) => Deno.args.includes(`--${name}`);

/** Connection options from the command line. */
async function options(): Promise<ConnectionOptions> {
  const o: ConnectionOptions = {
    servers: (arg("server") ?? "nats://127.0.0.1:4222").split(","),
    name: "sluice fleet view",
    timeout: 5000,
  };
  const creds = arg("creds");
  if (creds) o.authenticator = credsAuthenticator(await Deno.readFile(creds));
  if (arg("token")) o.token = arg("token");
  if (arg("user")) [o.user, o.pass] = [arg("user"), arg("password")];
  return o;
}

async function main(): Promise<number> {
  const nc = await connect(await options());
  const seconds = Number(arg("seconds") ?? "0");
  const json = flag("json");
  const stopAt = seconds > 0 ? Date.now() + seconds * 1000 : Infinity;
  /** Ends the running iterator (set by each mode); the timer of --seconds calls it. */
  let stop = () => {};
  const timer = seconds > 0
    ? setTimeout(() => {
      stop();
      nc.close();
    }, seconds * 1000)
    : undefined;
  try {
    if (flag("events")) {
      const subject = `sluice.${arg("box") ?? "*"}.events`;
      const print = (text: string) => {
        if (json) return console.log(text);
        const e = JSON.parse(text) as { box: string; time: string; type: string; data: unknown };
        console.log(`${e.time} ${e.box} ${e.type} ${JSON.stringify(e.data)}`);
      };
      const since = arg("since");
      if (since) {
        const ms = parseDuration(since);
        if (ms === undefined) throw new Error(`--since must be a duration ("10m"), got ${since}`);
        const c = await nc.jetstream().consumers.get(EVENTS_STREAM, {
          filterSubjects: subject,
          opt_start_time: new Date(Date.now() - ms).toISOString(),
        });
        const msgs = await c.consume();
        stop = () => msgs.stop();
        for await (const m of msgs) {
          print(m.string());
          if (Date.now() >= stopAt) break;
        }
        return 0;
      }
      const sub = nc.subscribe(subject);
      stop = () => sub.unsubscribe();
      for await (const m of sub) {
        print(m.string());
        if (Date.now() >= stopAt) break;
      }
      return 0;
    }
    const kv = await nc.jetstream().views.kv(REGISTRY_BUCKET, { bindOnly: true });
    if (!flag("watch")) {
      const rows = await listFleet(kv);
      console.log(json ? JSON.stringify(rows) : formatTable(rows));
      return 0;
    }
    const rows = new Map<string, FleetRow>();
    const w = await kv.watch();
    stop = () => w.stop();
    for await (const e of w) {
      const r = rowOf(e);
      if (r) rows.set(e.key, r);
      else rows.delete(e.key);
      if (json) console.log(JSON.stringify({ key: e.key, op: e.operation, row: r ?? null }));
      else console.log(`\x1b[2J\x1b[H${formatTable(sortRows([...rows.values()]))}`);
      if (Date.now() >= stopAt) break;
    }
    return 0;
  } finally {
    clearTimeout(timer);
    if (!nc.isClosed()) await nc.close();
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (e) {
    console.error(`fleet: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
