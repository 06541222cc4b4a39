/**
 * RTP receive logic without sockets (RFC 3550, RFC 3551, RFC 5761, RFC 8285, RFC 8866):
 * header parsing, sequencing, jitter buffer, RTCP, SDP, payload type map, demux, session.
 */
export * from "./packet.ts";
export * from "./sequencer.ts";
export * from "./jitter.ts";
export * from "./rtcp.ts";
export * from "./sdp.ts";
export * from "./payload_map.ts";
export * from "./demux.ts";
export * from "./session.ts";
