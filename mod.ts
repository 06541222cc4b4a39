/**
 * sluice's public API for embedding: config loading, the server, the manager, and
 * the media stages.
 */
export { type Config, ConfigError, defaultConfig, loadConfig, parseConfig } from "./lib/config.ts";
export { type Server, startServer } from "./lib/server.ts";
export { Manager } from "./lib/manager.ts";
export { Stream } from "./lib/stream.ts";
export { createApp } from "./routes/mod.ts";
export { VERSION } from "./lib/version.ts";
export type * from "./lib/media/types.ts";
export type * from "./lib/stream_types.ts";
