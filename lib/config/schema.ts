/**
 * The configuration schema: every key, its type, unit, range and default (the
 * seed's table, README.md "Configuration reference"), one file a section in
 * lib/config/schema/. The loader (lib/config/load.ts, lib/config/walker.ts) walks YAML
 * against this table, so a key documented here is a key that is validated.
 */
import { API } from "./schema/api.ts";
import { INGESTION } from "./schema/ingestion.ts";
import { LOG } from "./schema/log.ts";
import { NATS } from "./schema/nats.ts";
import { OUTPUTS } from "./schema/outputs.ts";
import { RTP } from "./schema/rtp.ts";
import type { Spec } from "./schema/spec.ts";
import { SRT } from "./schema/srt.ts";

/** The schema of the whole file; the sections' order is the order of sluice.example.yaml. */
export const SCHEMA: Spec = {
  t: "obj",
  fields: {
    ingestion: INGESTION,
    api: API,
    srt: SRT,
    rtp: RTP,
    outputs: OUTPUTS,
    nats: NATS,
    log: LOG,
  },
};
