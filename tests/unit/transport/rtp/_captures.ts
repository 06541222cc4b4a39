/**
 * RTP capture fixtures with their oracle figures: packet counts from
 * tests/fixtures/README.md (rows "see file": counted by tshark 4.0 `-z rtp,streams`),
 * and tshark's max interarrival jitter (ms) for the streams whose clock it knows
 * (video rewritten to PT 34 = 90 kHz for the analysis, PCMU as sent).
 */

/** name, packets, clock rate, tshark max jitter ms (undefined = no oracle). */
export const CAPTURES: [string, number, number, number | undefined][] = [
  ["rtp_h264_ffmpeg.bin", 106, 90000, 17.094],
  ["rtp_h264_gst.bin", 242, 90000, 0.788],
  ["rtp_h265_ffmpeg.bin", 86, 90000, undefined], // tshark 15.895 skips the B-frame/flush tail
  ["rtp_h265_gst.bin", 245, 90000, 0.442],
  ["rtp_av1_ffmpeg81.bin", 130, 90000, 11.585],
  ["rtp_av1_libdatachannel.bin", 130, 90000, 0.333],
  ["rtp_libopus_ffmpeg.bin", 101, 48000, undefined],
  ["rtp_pcm_mulaw_ffmpeg.bin", 94, 8000, 4.022],
  ["rtp_aac_ffmpeg.bin", 28, 48000, undefined],
  ["rtp_aac_mp4g_gst.bin", 100, 48000, undefined],
  ["rtp_aac_latm_ffmpeg.bin", 95, 48000, undefined],
  ["av_rtp_15004.bin", 111, 90000, undefined], // tshark 14.751, same tail effect
  ["av_rtp_15008.bin", 151, 48000, undefined],
];
