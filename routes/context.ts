/** What route handlers share: the manager, the lag monitor and the version. */
import type { Manager } from "../lib/stream/manager.ts";
import type { LagMonitor } from "./metrics.ts";
import type { LiveHub } from "../lib/outputs/live.ts";
import type { OutputManager } from "../lib/outputs/manager.ts";

/** Dependencies of the HTTP API. */
export interface ApiDeps {
  manager: Manager;
  version: string;
  lag?: LagMonitor;
  /** The API's own bound address, for /health. */
  apiAddress?: () => string;
  /** Live MPEG-TS clients (GET /api/v1/streams/{id}/live.ts). */
  live?: LiveHub;
  /** Push relays (`outputs:`). */
  outputs?: OutputManager;
}
