/**
 * Replays an RTP capture (tests/fixtures/README.md, "Capture format") to a UDP port, at
 * the recorded pace or as fast as possible, with seeded loss, duplication and reordering
 * (tests/support/replay.ts):
 *
 *   deno run --allow-all --unstable-net scripts/replay.ts FILE --port P [--host 127.0.0.1]
 *     [--pace recorded|fast] [--loss 0.01] [--dup 0.01] [--reorder 0.01] [--seed 1]
 *
 * Prints one JSON line: what was sent, lost, duplicated and reordered (by index).
 */
import { parseCapture, replay } from "../tests/support/replay.ts";

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

if (import.meta.main) {
  const file = Deno.args[0];
  const port = Number(arg("port"));
  if (!file || !Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(
      "usage: replay.ts FILE --port P [--pace recorded|fast] [--loss p] [--dup p] [--reorder p] [--seed n]",
    );
    Deno.exit(2);
  }
  const report = await replay(parseCapture(Deno.readFileSync(file)), {
    hostname: arg("host") ?? "127.0.0.1",
    port,
  }, {
    pace: arg("pace") === "fast" ? "fast" : "recorded",
    loss: Number(arg("loss") ?? 0),
    dup: Number(arg("dup") ?? 0),
    reorder: Number(arg("reorder") ?? 0),
    seed: Number(arg("seed") ?? 1),
  });
  console.log(JSON.stringify(report));
}
