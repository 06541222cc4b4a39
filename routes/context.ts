/** What route handlers share: the manager, the lag monitor and the version. */
import type { Manager } from "../lib/stream/manager.ts";
import type { LagMonitor } from "../lib/core/metrics/event_loop.ts";
import type { SseHub } from "./sse_hub.ts";
import type { StreamStatsSampler } from "../lib/stream/stream_stats.ts";
import type { LiveHub } from "../lib/outputs/live.ts";
import type { OutputManager } from "../lib/outputs/manager.ts";

/** Dependencies of the HTTP API. */
export interface ApiDeps {
  manager: Manager;
  version: string;
  lag?: LagMonitor;
  /** The API's own bound address, for /health. */
  apiAddress?: () => string;
  /** The SSE hub (routes/sse_hub.ts); createApp makes one when absent. */
  sse?: SseHub;
  /** Per-second stream history (lib/stream/stream_stats.ts); createApp makes one when absent. */
  sampler?: StreamStatsSampler;
  /** True when the API is served over TLS (api.tls). */
  tls?: boolean;
  /** Live MPEG-TS clients (GET /api/v1/streams/{id}/live.ts). */
  live?: LiveHub;
  /** Push relays (`outputs:`). */
  outputs?: OutputManager;
}
