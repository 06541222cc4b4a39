// Live pictures: the latest keyframe of a stream (/api/v1/video/preview/{id}) decoded in
// the browser with WebCodecs VideoDecoder and drawn on a canvas. sluice never decodes;
// the browser does, so what it cannot decode is said on the tile instead of a picture.
import { call } from "./api.js";

export const WHY = {
  insecure: "No picture: WebCodecs needs a secure context. Open the dashboard over HTTPS " +
    "(api.tls) or as http://localhost (e.g. ssh -L 8080:127.0.0.1:8080 box).",
  jpegxs: "No picture: browsers have no JPEG XS decoder.",
  h265: "No picture: this browser cannot decode H.265 (Chromium does only with a hardware " +
    "decoder, which this machine lacks).",
  other: (c) => `No picture: the browser does not decode ${c}.`,
};

/** Start offsets of Annex B NAL units (after their start codes). */
function nalStarts(b) {
  const out = [];
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1) {
      out.push(i + 3);
      i += 2;
    }
  }
  return out;
}

/** avc1.PPCCLL from the SPS in an Annex B access unit (RFC 6381 3.3). */
export function h264Codec(b) {
  for (const i of nalStarts(b)) {
    if ((b[i] & 0x1f) === 7 && i + 3 < b.length) {
      const hex = (x) => x.toString(16).padStart(2, "0");
      return `avc1.${hex(b[i + 1])}${hex(b[i + 2])}${hex(b[i + 3])}`;
    }
  }
  return undefined;
}

/** Bit reader for the AV1 sequence header. */
function bits(b, o) {
  let pos = o * 8;
  return (n) => {
    let v = 0;
    for (let k = 0; k < n; k++, pos++) v = v * 2 + ((b[pos >> 3] >> (7 - (pos & 7))) & 1);
    return v;
  };
}

/** av01.P.LLT.DD from the sequence header OBU of a temporal unit (AV1 codec ISO BMFF binding). */
export function av1Codec(b, bitDepth = 8) {
  for (let o = 0; o < b.length;) {
    const hdr = b[o];
    const type = (hdr >> 3) & 0xf, ext = (hdr >> 2) & 1, hasSize = (hdr >> 1) & 1;
    let p = o + 1 + ext, size = 0;
    if (hasSize) {
      for (let k = 0, shift = 1; k < 8; k++, shift *= 128) {
        const x = b[p++];
        size += (x & 0x7f) * shift;
        if (!(x & 0x80)) break;
      }
    } else size = b.length - p;
    if (type === 1) {
      const f = bits(b, p);
      const profile = f(3);
      f(1); // still_picture
      let level = 0, tier = 0;
      if (f(1)) level = f(5); // reduced_still_picture_header
      else {
        if (f(1)) { // timing_info_present_flag
          f(32), f(32);
          if (f(1)) { // equal_picture_interval: num_ticks_per_picture_minus_1 (uvlc)
            let z = 0;
            while (!f(1) && z < 32) z++;
            f(z);
          }
          if (f(1)) f(5), f(32), f(5), f(5); // decoder_model_info
        }
        f(1); // initial_display_delay_present_flag
        f(5); // operating_points_cnt_minus_1; the first operating point decides
        f(12); // operating_point_idc[0]
        level = f(5);
        if (level > 7) tier = f(1);
      }
      const d2 = (x) => String(x).padStart(2, "0");
      return `av01.${profile}.${d2(level)}${tier ? "H" : "M"}.${d2(bitDepth)}`;
    }
    o = p + size;
  }
  return undefined;
}

/** Draws the one frame a key chunk decodes to; rejects when the decoder gives none. */
function decodeTo(canvas, codec, data) {
  return new Promise((resolve, reject) => {
    let drawn = false;
    const dec = new VideoDecoder({
      output(frame) {
        canvas.width = frame.displayWidth;
        canvas.height = frame.displayHeight;
        canvas.getContext("2d").drawImage(frame, 0, 0);
        frame.close();
        drawn = true;
      },
      error: reject,
    });
    dec.configure({ codec, optimizeForLatency: true });
    dec.decode(new EncodedVideoChunk({ type: "key", timestamp: 0, data }));
    dec.flush().then(() => {
      dec.close();
      drawn ? resolve() : reject(new Error("the decoder gave no frame"));
    }, reject);
  });
}

const supportCache = new Map();
async function supported(codec) {
  if (!supportCache.has(codec)) {
    supportCache.set(
      codec,
      VideoDecoder.isConfigSupported({ codec }).then((r) => r.supported, () => false),
    );
  }
  return await supportCache.get(codec);
}

/**
 * Why `track` (Track JSON) will never give a picture in this browser, or undefined when
 * it may: decided before fetching anything.
 */
export async function noPictureReason(track) {
  if (typeof VideoDecoder === "undefined") return WHY.insecure;
  if (track.codec === "jpegxs") return WHY.jpegxs;
  if (track.codec === "h265") {
    const ok = await supported("hev1.1.6.L93.B0") || await supported("hvc1.1.6.L93.B0");
    return ok ? undefined : WHY.h265;
  }
  if (track.codec !== "h264" && track.codec !== "av1") return WHY.other(track.codec);
  return undefined;
}

/**
 * Fetches and draws the stream's preview on `canvas`. Returns the codec string used.
 * Throws with a message fit for the tile when it cannot.
 */
export async function drawPreview(canvas, streamId, track) {
  const r = await call(`/api/v1/video/preview/${encodeURIComponent(streamId)}?track=${track.id}`);
  if (!r.ok) throw new Error(`preview: HTTP ${r.status}`);
  const data = new Uint8Array(await r.arrayBuffer());
  const codecName = r.headers.get("x-codec") ?? track.codec;
  let codec;
  if (codecName === "h264") codec = h264Codec(data);
  else if (codecName === "av1") codec = av1Codec(data, track.bitDepth ?? 8);
  else if (codecName === "h265") codec = "hev1.1.6.L93.B0";
  if (!codec) throw new Error(`No picture: no parameter sets in the ${codecName} keyframe yet.`);
  if (!(await supported(codec))) {
    throw new Error(codecName === "h265" ? WHY.h265 : WHY.other(codec));
  }
  await decodeTo(canvas, codec, data);
  canvas.dataset.codec = codec;
  canvas.dataset.pts = r.headers.get("x-pts") ?? "";
  canvas.dataset.frames = String(Number(canvas.dataset.frames ?? 0) + 1);
  return codec;
}
