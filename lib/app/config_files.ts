/**
 * Loading a config file as the running appliance does: the config loader
 * (lib/config/load.ts) plus the checks of the files it names, here the SDP files
 * (rtp.sdp, rtp.streams[].sdp) through the RTP layer's SDP parser. Used by start-up,
 * --check-config and SIGHUP reloads.
 */
import type { Config } from "../config/config.ts";
import { loadConfig } from "../config/load.ts";
import { parseSdp } from "../transport/rtp/sdp.ts";

/** The SDP check: the parser's reason when the text is not an SDP it can use. */
function sdpProblem(text: string): string | undefined {
  const r = parseSdp(text);
  return r.ok ? undefined : r.reason;
}

/** Reads, parses and validates a config file and the SDP files it names. */
export function loadConfigFile(path: string): Promise<Config> {
  return loadConfig(path, { sdp: sdpProblem });
}
