/**
 * sluice command line:
 * `sluice [--config FILE] [--check-config | --print-config] [--version] [--help]`.
 * Without a config file (flag or SLUICE_CONFIG) the built-in defaults run.
 * The config loader (with its YAML parser) and the server are imported when needed, so
 * --version and --help answer without loading them (bench/startup_bench.ts).
 */
import { VERSION } from "./lib/core/version.ts";
import { buildInfo, versionLine } from "./lib/core/build_info.ts";

const HELP = `sluice ${VERSION}: SRT and RTP live video ingest

Usage: sluice [options]
  --config FILE     YAML configuration (default: $SLUICE_CONFIG, else built-in defaults)
  --check-config    validate the configuration, print the effective config as JSON, exit 0 or 1
  --print-config    validate, print the effective config as commented YAML, exit 0 or 1
  --version         print the version and the commit it was built from
  --help            this text

Signals: SIGINT/SIGTERM stop, SIGHUP reloads the configuration file.`;

function parseArgs(
  args: string[],
): { config?: string; check: boolean; print: boolean } | number {
  let config: string | undefined;
  let check = false;
  let print = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--help" || a === "-h") {
      console.log(HELP);
      return 0;
    } else if (a === "--version" || a === "-V") {
      console.log(versionLine(buildInfo(new URL("./", import.meta.url))));
      return 0;
    } else if (a === "--check-config") check = true;
    else if (a === "--print-config") print = true;
    else if (a === "--config" || a === "-c") {
      config = args[++i];
      if (!config) {
        console.error("sluice: --config needs a file");
        return 1;
      }
    } else if (a.startsWith("--config=")) config = a.slice(9);
    else {
      console.error(`sluice: unknown argument ${a}\n\n${HELP}`);
      return 1;
    }
  }
  return { config, check, print };
}

async function main(): Promise<number> {
  const parsed = parseArgs(Deno.args);
  if (typeof parsed === "number") return parsed;
  const path = parsed.config ?? Deno.env.get("SLUICE_CONFIG") ?? undefined;
  const { ConfigError } = await import("./lib/config/load.ts");
  const { defaultConfig } = await import("./lib/config/defaults.ts");
  const { loadConfigFile } = await import("./lib/app/config_files.ts");
  let config;
  try {
    config = path ? await loadConfigFile(path) : defaultConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  const envLevel = Deno.env.get("SLUICE_LOG_LEVEL");
  if (envLevel === "debug" || envLevel === "info" || envLevel === "warn" || envLevel === "error") {
    config.log.level = envLevel;
  }
  if (parsed.check) {
    console.log(JSON.stringify(config, null, 2));
    console.error(`config ${path ?? "(defaults)"} is valid`);
    return 0;
  }
  if (parsed.print) {
    const { configYaml } = await import("./lib/config/print.ts");
    const from = path ?? "the built-in defaults";
    const header = [`sluice ${VERSION}: effective configuration from ${from}`];
    console.log(configYaml(config, header).trimEnd());
    return 0;
  }
  const { createLogger, routeConsole } = await import("./lib/core/log.ts");
  const log = createLogger(config.log.level, config.log.format);
  routeConsole(log); // every stderr line in the logger's format (log.format: json)
  let server;
  try {
    const { startServer } = await import("./lib/app/server.ts");
    server = await startServer(config, log);
  } catch (e) {
    log.error("startup_failed", { error: `sluice: cannot start: ${(e as Error).message}` });
    return 1;
  }
  // Ends the process (exit 70) if the JS thread stalls 30 s, e.g. inside a hung libsrt call,
  // so that the service manager restarts it (lib/app/watchdog/watchdog.ts).
  const { startWatchdog } = await import("./lib/app/watchdog/watchdog.ts");
  const dog = startWatchdog();
  if (!dog.ok) log.warn("watchdog_unavailable", { reason: dog.reason });
  const stop = () => {
    if (dog.ok) dog.value.stop();
    const t = setTimeout(() => Deno.exit(0), 1800);
    server.stop().finally(() => {
      clearTimeout(t);
      Deno.exit(0);
    });
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  if (Deno.build.os !== "windows") {
    Deno.addSignalListener("SIGHUP", () => void server.reload(path));
  }
  await server.finished;
  return 0;
}

if (import.meta.main) Deno.exit(await main());
