/**
 * The building blocks of the API's JSON Schemas (routes/openapi_schemas.ts and the
 * per-resource routes/openapi_*_schemas.ts, routes/openapi_events.ts): primitive types,
 * closed objects, nullable, counters by reason, and the state enums.
 */

export type Schema = Record<string, unknown>;

export const int: Schema = { type: "integer" };
export const nonNeg: Schema = { type: "integer", minimum: 0 };
export const numS: Schema = { type: "number" };
export const str: Schema = { type: "string" };
export const bool: Schema = { type: "boolean" };
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: "null" }] });
export const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});
export const counts: Schema = {
  type: "object",
  description: "counts by reason",
  additionalProperties: nonNeg,
};

export const STREAM_STATES = ["connecting", "active", "paused", "recovering", "closed"];
export const OUTPUT_STATES = ["connecting", "connected", "backoff", "open", "idle"];
export const dateTime: Schema = { type: "string", format: "date-time" };
