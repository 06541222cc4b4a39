/**
 * Out-of-band parameter sets from SDP fmtp: `sprop-parameter-sets` (RFC 6184 8.1) and
 * `sprop-vps`/`sprop-sps`/`sprop-pps` (RFC 7798 7.1): comma-separated base64 NAL units.
 */
import type { Counter } from "../../core/types.ts";
import type { ParamSet } from "./rtp_unit.ts";
import type { AnnexBRules } from "../spec.ts";

/** Cap on the decoded bytes of one sprop parameter (parameter sets are small). */
export const MAX_SPROP_BYTES = 64 * 1024;

/**
 * Decode a comma-separated list of base64 NAL units; malformed or empty entries are
 * skipped and counted as "sprop_invalid". `nalType` reads the type from a NAL unit.
 */
export function decodeSprop(
  value: string | undefined,
  nalType: (nal: Uint8Array) => number,
  count: Counter,
): ParamSet[] {
  const out: ParamSet[] = [];
  if (!value) return out;
  let total = 0;
  for (const part of value.split(",")) {
    const b64 = part.trim();
    if (b64 === "") continue;
    let nal: Uint8Array;
    try {
      const bin = atob(b64);
      nal = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    } catch {
      count("sprop_invalid");
      continue;
    }
    total += nal.length;
    if (nal.length === 0 || total > MAX_SPROP_BYTES) {
      count("sprop_invalid");
      continue;
    }
    out.push({ type: nalType(nal), nal });
  }
  return out;
}

/** Read a non-negative integer fmtp parameter, or `dflt` when absent or malformed. */
export function fmtpInt(
  fmtp: Record<string, string> | undefined,
  key: string,
  dflt: number,
): number {
  const v = fmtp?.[key];
  if (v === undefined) return dflt;
  const n = Number(v.trim());
  return Number.isInteger(n) && n >= 0 ? n : dflt;
}

/** Out-of-band parameter sets of an Annex B codec from its fmtp keys (`rules.spropKeys`). */
export function spropParameterSets(
  rules: AnnexBRules,
  fmtp: Record<string, string>,
  count: Counter,
): Uint8Array[] {
  const nalType = (n: Uint8Array) => rules.nalType(n[0]);
  return rules.spropKeys.flatMap((k) => decodeSprop(fmtp[k], nalType, count)).map((p) => p.nal);
}
