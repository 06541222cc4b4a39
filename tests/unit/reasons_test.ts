/**
 * The reason catalogue (lib/core/reasons/catalogue.ts, entries in the part files beside it): names
 * unique and snake_case, declared once across the parts (a part's spread overrides a name silently,
 * so the source is read), kinds and layers valid, every reason lib/ counts is a member (a grep of
 * string literals handed to counters, as a safety net beside the type), the error-vs-drop decision
 * comes from the catalogue, /metrics labels are members, and README's reasons table matches the
 * catalogue.
 */
import assert from "node:assert/strict";
import { defaultConfig } from "@lib/config/defaults.ts";
import { silentLogger } from "@lib/core/log.ts";
import { Manager } from "@lib/stream/manager.ts";
import { renderMetrics } from "../../routes/metrics.ts";
import { TsInput } from "@lib/pipeline/ts_input.ts";
import { streamCounter } from "@lib/pipeline/rtp_input.ts";
import {
  type DataReason,
  isDrop,
  isReason,
  type Reason,
  REASONS,
} from "@lib/core/reasons/catalogue.ts";
import type { ReasonKind, ReasonLayer } from "@lib/core/reasons/reason_info.ts";
import { readReasonsTable, reasonRows, withReasonsTable } from "@lib/core/reasons/doc.ts";
import { Stream } from "@lib/stream/stream.ts";

const ROOT = new URL("../../", import.meta.url);
const KINDS: readonly ReasonKind[] = ["error", "drop", "refusal", "takeover"];
const LAYERS: readonly ReasonLayer[] = [
  "srt",
  "rtp",
  "rtcp",
  "mpegts",
  "codec",
  "frames",
  "buffer",
  "output",
  "stream",
];
const NAMES = Object.keys(REASONS) as Reason[];
/** Protocol and listener names: the first argument of refuse() and portErrors.add(). */
const LABELS = new Set(["srt", "rtp"]);
/** The folder of the catalogue: catalogue.ts, its part files, the entry shape and the README table. */
const CATALOGUE_DIR = "lib/core/reasons/";

/** Every .ts file under lib/, ffi/ and routes/ with its text. */
function sources(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(new URL(dir, ROOT))) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.name.endsWith(".ts")) {
        out.push({ path: p, text: Deno.readTextFileSync(new URL(p, ROOT)) });
      }
    }
  };
  for (const d of ["lib", "ffi", "routes"]) walk(d);
  return out;
}

/**
 * Snake_case string literals in the arguments of counting calls (`count(`, `.drop(`,
 * `.error(`, `refuse(`, `#reject(`, `damage(`, `#bad(` ... and errors/drops/refused/
 * portErrors `.add(`), and in `reason: "..."` fields. Log calls are not counters.
 */
function countedLiterals(text: string): Set<string> {
  const found = new Set<string>();
  const call =
    /(?<![\w.]log|console)(?:\.|#|\b)(?:\w*count|error|drop\w*|refuse|reject|damage\w*|bad|no|truncated|lose\w*|(?:errors|drops|refused|portErrors)\.add)\??\.?\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g;
  const lit = /"([a-z][a-z0-9]*(?:_[a-z0-9]+)*)"/g;
  for (const m of text.matchAll(call)) for (const l of m[1].matchAll(lit)) found.add(l[1]);
  for (const m of text.matchAll(/\breason: "([a-z][a-z0-9]*(?:_[a-z0-9]+)*)"/g)) found.add(m[1]);
  return found;
}

Deno.test("reasons: names are unique snake_case, kinds and layers valid, help is one line", () => {
  // Every entry of every file of the catalogue's folder: a part not spread into the catalogue
  // declares more than it holds, a name in two parts (the later spread wins) less.
  const declared = sources().filter((f) => f.path.startsWith(CATALOGUE_DIR))
    .flatMap((f) => [...f.text.matchAll(/^ {2}([a-z0-9_]+): \{/gm)].map((m) => m[1]));
  assert.equal(declared.length, NAMES.length, "every entry declared once (no key overridden)");
  const twice = declared.filter((n, i) => declared.indexOf(n) !== i);
  assert.deepEqual(twice, [], "no name twice in the source");
  assert.ok(NAMES.length >= 140, `the whole catalogue (${NAMES.length})`);
  for (const name of NAMES) {
    const i = REASONS[name];
    assert.match(name, /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, name);
    assert.ok(KINDS.includes(i.kind), `${name}: kind ${i.kind}`);
    assert.ok(LAYERS.includes(i.layer), `${name}: layer ${i.layer}`);
    assert.ok(i.help.length >= 20 && i.help.length <= 110, `${name}: help length`);
    assert.match(i.help, /^[A-Z`].*\.$/, `${name}: help is a sentence`);
    assert.doesNotMatch(i.help, /[|\n]/, `${name}: help fits a table cell`);
  }
  // The duplicates of issue 9 stay gone.
  for (
    const old of [
      "wait_keyframe",
      "waiting_for_key",
      "resume_await_keyframe",
      "unit_oversize",
      "unit_too_large",
      "memory_global_gop",
    ]
  ) assert.equal(isReason(old), false, old);
});

Deno.test("reasons: every literal lib/ hands to a counter is in the catalogue, every member is used", () => {
  const files = sources().filter((f) => !f.path.startsWith(CATALOGUE_DIR));
  const missing: string[] = [];
  let seen = 0;
  for (const f of files) {
    for (const r of countedLiterals(f.text)) {
      seen++;
      if (!isReason(r) && !LABELS.has(r)) missing.push(`${f.path}: "${r}"`);
    }
  }
  assert.deepEqual(missing, [], "reasons counted but not in the catalogue (lib/core/reasons/)");
  assert.ok(seen >= 100, `the grep finds the counting calls (${seen})`);
  const all = files.map((f) => f.text).join("\n");
  const unused = NAMES.filter((n) => !all.includes(`"${n}"`));
  assert.deepEqual(unused, [], "catalogue members nothing in lib/ produces");
});

Deno.test("reasons: the grep catches a misspelt reason", () => {
  const found = countedLiterals(`this.#o.count("fram_loss"); sink.drop("x_y", 2);
    this.log.error("api.error_thing", {}); u.damage(lost ? "fu_truncated" : "stap_oops", true);`);
  assert.deepEqual([...found].sort(), ["fram_loss", "fu_truncated", "stap_oops", "x_y"]);
});

Deno.test("reasons: no kind decided outside the catalogue (no drop lists, no name matching)", () => {
  for (const f of sources()) {
    assert.doesNotMatch(f.text, /DROP_REASONS|ERROR_REASONS/, f.path);
    assert.doesNotMatch(f.text, /reason\.(includes|startsWith|endsWith)\(/, f.path);
  }
});

Deno.test("reasons: a stream counts each reason under errors or drops as its kind says", () => {
  const s = new Stream({ protocol: "rtp", name: "t", remote: "127.0.0.1:1" }, undefined);
  const data = NAMES.filter((n) => ["error", "drop"].includes(REASONS[n].kind)) as DataReason[];
  const count = streamCounter(s);
  data.forEach((r, i) => count(r, i + 1));
  const errors = s.errors.toJSON(), drops = s.drops.toJSON();
  for (const [i, r] of data.entries()) {
    const want = REASONS[r].kind === "drop" ? drops : errors;
    const other = want === drops ? errors : drops;
    assert.equal(want[r], i + 1, r);
    assert.equal(other[r], undefined, r);
    assert.equal(isDrop(r), REASONS[r].kind === "drop");
  }
  // Kinds as operators saw them before the catalogue (issue 9: no behaviour change).
  for (const r of ["frame_loss", "await_keyframe", "frame_oversize", "rtp_late", "pes_dropped"]) {
    assert.ok(r in drops, r);
  }
  for (const r of ["cc_error", "sync_loss", "jitter_gap", "fu_without_start", "pes_oversize"]) {
    assert.ok(r in errors, r);
  }
});

Deno.test("reasons: TS input counts garbage as an error through the catalogue", () => {
  const s = new Stream({ protocol: "srt", name: "ts", remote: "127.0.0.1:1" }, undefined);
  const input = new TsInput(s, { frameTimeoutMs: 1000 });
  const garbage = new Uint8Array(188 * 4).fill(0x11);
  input.push(garbage, 0);
  assert.ok((s.errors.toJSON().sync_loss ?? 0) >= 1, JSON.stringify(s.errors.toJSON()));
  assert.deepEqual(s.drops.toJSON(), {});
});

Deno.test("reasons: /metrics reason labels are catalogue members, protocol a label of its own", async () => {
  const m = new Manager(defaultConfig(), silentLogger);
  const opened = m.open({ protocol: "rtp", name: "cam", remote: "127.0.0.1:5" }, {
    disconnect() {},
  });
  assert.ok(opened.ok);
  opened.value.count("cc_error", 2);
  opened.value.count("frame_loss");
  m.refuse("srt", "not_allowed");
  m.portErrors.add("rtp", "rtp_version", 3);
  const text = renderMetrics(m, undefined);
  const labels = [...text.matchAll(/reason="([^"]*)"/g)].map((x) => x[1]);
  assert.deepEqual(labels.sort(), ["cc_error", "frame_loss", "not_allowed", "rtp_version"]);
  assert.match(text, /sluice_streams_refused_total\{protocol="srt",reason="not_allowed"\} 1\n/);
  assert.match(text, /sluice_port_errors_total\{listener="rtp",reason="rtp_version"\} 3\n/);
  assert.match(
    text,
    /sluice_stream_errors_total\{stream="cam",protocol="rtp",reason="cc_error"\} 2/,
  );
  assert.deepEqual(m.stats().refused, { srt_not_allowed: 1 }, "API keeps its flat keys");
  assert.deepEqual(m.stats().portErrors, { rtp_rtp_version: 3 });
  await m.stop();
});

Deno.test("reasons: README's table is the catalogue (run `deno task reasons` to fix)", () => {
  const readme = Deno.readTextFileSync(new URL("README.md", ROOT));
  assert.deepEqual(readReasonsTable(readme), reasonRows());
  assert.ok(withReasonsTable(readme) !== undefined, "README has the markers");
});
