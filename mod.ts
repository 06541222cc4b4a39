/**
 * sluice's public API for embedding: config loading, the server, the manager, and
 * the media stages.
 */
export type { Config } from "./lib/config/config.ts";
export { ConfigError, loadConfig, parseConfig } from "./lib/config/load.ts";
export { defaultConfig } from "./lib/config/defaults.ts";
export { type Server, startServer } from "./lib/app/server.ts";
export { Manager } from "./lib/stream/manager.ts";
export { Stream } from "./lib/stream/stream.ts";
export { createApp } from "./routes/mod.ts";
export { VERSION } from "./lib/core/version.ts";
export type * from "./lib/core/types.ts";
export type * from "./lib/stream/ports.ts";
