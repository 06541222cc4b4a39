/**
 * The JetStream assets of the fleet, made (or bound) after every connection:
 * - the registry KV bucket `sluice_streams` (history 1, TTL = nats.registry.ttl), shared
 *   by every box; the first box creates it, the others bind to it as it is;
 * - the events stream `sluice_events` (subjects `sluice.*.events`, bounded by
 *   nats.events.max_age / max_bytes), shared the same way;
 * - this box's frames stream `sluice_frames_<box>` (subjects `sluice.<box>.frames.>`,
 *   bounded by nats.frames.max_bytes / max_age, oldest discarded), only when frames are
 *   published; its limits follow this box's config.
 */
import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type KV,
  nanos,
  type NatsConnection,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "nats";
import type { NatsConfig } from "../config/nats.ts";
import type { Logger } from "../core/log.ts";
import { type BoxNames, EVENTS_STREAM, REGISTRY_BUCKET } from "./names.ts";

/** A connection as the frame publisher needs it. */
export interface FrameSession {
  nc: NatsConnection;
  js: JetStreamClient;
}

/** A connection with the JetStream assets made (the state writer needs the bucket). */
export interface Session extends FrameSession {
  kv: KV;
}

/** Timeout of JetStream API calls and acknowledged publishes (ms). */
export const JS_TIMEOUT_MS = 5000;

function isNotFound(e: unknown): boolean {
  return /stream not found/i.test(String((e as Error)?.message ?? e));
}

/** Adds a stream, or updates it when `own` and its limits differ, or leaves a shared one. */
async function ensureStream(
  jsm: JetStreamManager,
  want: Partial<StreamConfig> & { name: string },
  own: boolean,
  log: Logger,
): Promise<void> {
  try {
    const info = await jsm.streams.info(want.name);
    const c = info.config;
    const differs = c.max_bytes !== want.max_bytes || c.max_age !== want.max_age;
    if (differs && own) await jsm.streams.update(want.name, { ...c, ...want });
    else if (differs) {
      log.info("nats.stream_exists", {
        stream: want.name,
        note: "created by another box with other limits; kept as it is",
      });
    }
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await jsm.streams.add(want);
  }
}

/** Makes or binds the assets; throws with the server's reason (JetStream disabled ...). */
export async function setupJetStream(
  nc: NatsConnection,
  names: BoxNames,
  cfg: NatsConfig,
  framesOn: boolean,
  log: Logger,
): Promise<Session> {
  const jsm = await nc.jetstreamManager({ timeout: JS_TIMEOUT_MS });
  const js = nc.jetstream({ timeout: JS_TIMEOUT_MS });
  const kv = await js.views.kv(REGISTRY_BUCKET, {
    history: 1,
    ttl: cfg.registry.ttl,
    replicas: cfg.replicas,
    timeout: JS_TIMEOUT_MS,
  });
  const common = {
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: cfg.replicas,
  };
  await ensureStream(
    jsm,
    {
      ...common,
      name: EVENTS_STREAM,
      subjects: ["sluice.*.events"],
      max_age: nanos(cfg.events.maxAge),
      max_bytes: cfg.events.maxBytes,
    },
    false,
    log,
  );
  if (framesOn) {
    await ensureStream(
      jsm,
      {
        ...common,
        name: names.framesStream,
        subjects: [names.allFrames],
        max_age: nanos(cfg.frames.maxAge),
        max_bytes: cfg.frames.maxBytes,
      },
      true,
      log,
    );
  }
  return { nc, js, kv };
}
