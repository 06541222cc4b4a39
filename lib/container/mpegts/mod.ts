/** MPEG-TS demuxing (ISO/IEC 13818-1): the public surface of lib/media/mpegts. */
export { MAX_TRACKS, TsDemuxer, type TsDemuxerOptions } from "./demuxer.ts";
export { MAX_CARRY_BYTES, SYNC_CONFIRM, TsFramer } from "./framer.ts";
export { NULL_PID, PAT_PID, readTsHeader, TS_PACKET_SIZE, TS_SYNC, TsHeader } from "./packet.ts";
export { MAX_PES_BYTES, parsePesHeader, type PesHeader, readTimestamp33 } from "./pes.ts";
export { crc32Mpeg, MAX_SECTION_BYTES, parsePat, parsePmt, registration } from "./psi.ts";
export { classifyStream, type StreamClass, StreamType } from "./stream_types.ts";
export { opusPacketSamples, splitOpusTs } from "./opus_ts.ts";
