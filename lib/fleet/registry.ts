/**
 * The fleet registry: one entry per stream of this box in the KV bucket `sluice_streams`,
 * key `<box>.<stream token>` (lib/fleet/names.ts), value the Stream JSON of
 * `GET /api/v1/streams/{id}`. Written on open and every state change (from the event bus),
 * rewritten every `nats.registry.interval` (so live entries never reach the bucket's TTL,
 * while a dead box's entries expire), kept with `state: "closed"` while the manager still
 * lists a closed stream, and deleted when the stream leaves the manager.
 */
import type { BusEvent } from "../stream/events.ts";
import type { Manager } from "../stream/manager.ts";
import type { BoxNames } from "./names.ts";
import type { StateWriter } from "./state_writer.ts";

const enc = new TextEncoder();

/** Keeps this box's registry entries current through the state writer. */
export class Registry {
  #written = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private manager: Manager,
    private names: BoxNames,
    private writer: StateWriter,
  ) {}

  /** Queues the current entry of a stream (or its deletion when it is gone). */
  update(id: string): void {
    const s = this.manager.get(id);
    if (!s) return this.remove(id);
    this.writer.put(this.names.key(id), enc.encode(JSON.stringify(s.toJSON())));
    this.#written.add(id);
  }

  /** Queues the deletion of a stream's entry. */
  remove(id: string): void {
    if (this.#written.delete(id)) this.writer.put(this.names.key(id), null);
  }

  /** Every stream's entry again, and deletions for streams the manager no longer lists. */
  refresh(): void {
    for (const id of this.manager.streams.keys()) this.update(id);
    for (const id of [...this.#written]) if (!this.manager.streams.has(id)) this.remove(id);
  }

  /** Event bus listener: entries follow opens, state changes and removals at once. */
  onEvent(e: BusEvent): void {
    switch (e.type) {
      case "stream.opened":
      case "stream.state":
        this.update((e as BusEvent<"stream.opened">).data.stream);
        break;
      case "stream.removed":
        this.remove((e as BusEvent<"stream.removed">).data.stream);
        break;
    }
  }

  /** Rewrites every entry each `intervalMs`. */
  start(intervalMs: number): void {
    this.#timer ??= setInterval(() => this.refresh(), intervalMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
