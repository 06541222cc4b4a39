/**
 * One sluice start in this fresh process, split into phases (ms): runtime boot to the
 * first line of this module, importing the YAML package (npm `yaml`, loaded as CommonJS
 * through Deno's Node layer), the rest of the config loader, the server modules,
 * parsing the config, startServer (libsrt dlopen, SRT and RTP listeners, HTTP), the
 * first /api/v1/health answer. Prints one JSON line; bench/startup_bench.ts runs it in
 * fresh processes and reports medians.
 *
 *   deno run --unstable-net --allow-all bench/startup_phases.ts CONFIG
 */
const boot = performance.now();
const phases: Record<string, number> = { boot };
let t = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  phases[name] = now - t;
  t = now;
};
await import("yaml");
lap("yaml");
const { loadConfig } = await import("../lib/config/load.ts");
lap("configModules");
const { startServer } = await import("../lib/app/server.ts");
const { createLogger } = await import("../lib/core/log.ts");
lap("serverModules");
const cfg = await loadConfig(Deno.args[0]);
lap("parse");
const server = await startServer(cfg, createLogger("error", "text"));
lap("startServer");
const r = await fetch(`http://${server.apiAddress}/api/v1/health`);
await r.body?.cancel();
lap("firstHealth");
await server.stop();
console.log(JSON.stringify(phases));
Deno.exit(0);
