import assert from "node:assert/strict";
import { openUdpReceiver } from "@lib/transport/udp/receiver.ts";
import { G711Depacketizer } from "@lib/codecs/g711/depacketizer.ts";
import { missing } from "@tests/_helpers.ts";
import { parseRtp } from "@lib/transport/rtp/packet.ts";

Deno.test({
  name: "udp recvmmsg: live ffmpeg PCMU RTP sender (1 s sine) arrives whole",
  ignore: missing("ffmpeg"),
  fn: async () => {
    const rx = await openUdpReceiver({ hostname: "127.0.0.1", port: 0, kind: "recvmmsg" });
    const seqs: number[] = [];
    let samples = 0, other = 0;
    const depay = new G711Depacketizer({
      onUnit: (u) => samples += u.data.length,
      count: () => other++,
    });
    rx.start((data, remote, arrivalMs) => {
      const r = parseRtp(data, arrivalMs);
      const p = r.ok ? r.value : undefined;
      if (!p || p.payloadType !== 0 || remote.hostname !== "127.0.0.1") return void other++;
      seqs.push(p.seq);
      depay.push(p, false);
    });
    try {
      const out = await new Deno.Command("ffmpeg", {
        args: [
          ...["-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "sine=d=1"],
          ...["-ar", "8000", "-c:a", "pcm_mulaw", "-f", "rtp", `rtp://127.0.0.1:${rx.port}`],
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(other, 0);
      assert.ok(seqs.length > 20, `got ${seqs.length} packets`);
      for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], (seqs[i - 1] + 1) & 0xffff);
      // 1 s of audio at 8 kHz, one byte per sample.
      assert.ok(samples >= 7800 && samples <= 8200, `samples ${samples}`);
      const st = rx.stats();
      assert.equal(st.datagrams, seqs.length);
      assert.equal(st.kernelDrops, 0);
    } finally {
      await rx.close();
    }
  },
});
