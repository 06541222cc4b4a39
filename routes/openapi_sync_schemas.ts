/**
 * JSON Schemas of the A/V sync resources of the API (components of /api/v1/openapi.json,
 * assembled in routes/openapi_schemas.ts): a manual offset and the sync status.
 */

import { int, nonNeg, nullable, numS, obj, type Schema, str } from "./openapi_schema_kit.ts";

export const SyncAdjust: Schema = obj({ track: int, offsetMs: numS }, ["offsetMs"]);
/** GET /api/v1/sync/status/{id} (lib/sync/status.ts). */
export const SyncStatus: Schema = obj({
  id: str,
  reference: { enum: ["pcr", "rtcp", "arrival"] },
  state: { enum: ["measuring", "locked", "correcting", "single-track"] },
  thresholdMs: numS,
  avOffsetMs: nullable(numS),
  targetAvOffsetMs: nullable(numS),
  outputAvOffsetMs: nullable(numS),
  tracks: {
    type: "array",
    items: {
      type: "object",
      properties: {
        id: int,
        kind: str,
        codec: str,
        reference: str,
        offsetMs: nullable(numS),
        driftPpm: nullable(numS),
        jitterMs: nullable(numS),
        samples: nonNeg,
        correctionMs: nullable(numS),
        manualOffsetMs: nullable(numS),
      },
      required: [
        "id",
        "kind",
        "codec",
        "reference",
        "offsetMs",
        "driftPpm",
        "jitterMs",
        "samples",
        "correctionMs",
        "manualOffsetMs",
      ],
    },
  },
  corrections: obj({
    count: nonNeg,
    slewedMs: numS,
    framesDropped: nonNeg,
    framesDuplicated: nonNeg,
    resyncs: {
      ...nonNeg,
      description:
        "output timeline rebases: each new publisher session (reconnect, takeover, RTP sender restart), timestamp jumps, PCR discontinuities",
    },
  }, ["count", "slewedMs", "framesDropped", "framesDuplicated", "resyncs"]),
}, [
  "id",
  "reference",
  "state",
  "thresholdMs",
  "avOffsetMs",
  "targetAvOffsetMs",
  "outputAvOffsetMs",
  "tracks",
  "corrections",
]);
