import assert from "node:assert/strict";
import {
  MAX_DROPOUT,
  SEQ_BAD,
  SEQ_DUPLICATE,
  SEQ_LATE,
  SEQ_PROBATION,
  SEQ_RESYNC,
  SEQ_VALID,
  Sequencer,
} from "@lib/transport/rtp/sequencer.ts";
import { CAPTURES } from "./_captures.ts";
import { capturePackets } from "@tests/support/rtp.ts";

Deno.test("captures: expected == received, nothing lost, max jitter equals tshark's", () => {
  for (const [name, count, rate, tsharkMax] of CAPTURES) {
    const s = new Sequencer(rate);
    let max = 0;
    for (const p of capturePackets(name)) {
      const v = s.update(p.seq, p.timestamp, p.arrivalMs);
      assert.ok(v === SEQ_VALID || v === SEQ_PROBATION, `${name} seq ${p.seq}: ${v}`);
      max = Math.max(max, s.stats().jitterMs);
    }
    const st = s.stats();
    assert.equal(st.received, count, name);
    assert.equal(st.expected, count, name);
    assert.equal(st.lost, 0);
    assert.equal(st.duplicated + st.reordered + st.late, 0);
    // tshark prints 3 decimals (rounded); the same RFC 3550 A.8 estimator gives the same max
    if (tsharkMax !== undefined) assert.ok(Math.abs(max - tsharkMax) < 0.004, `${name} ${max}`);
    assert.ok(st.jitterMs >= 0 && st.jitterMs < 40, `${name} jitter ${st.jitterMs}`);
  }
});

Deno.test("jitter: hand-computed RFC 3550 6.4.1 vector", () => {
  // 8 kHz, 20 ms packets; arrivals 0, 20, 45, 60 ms -> transit 0, 0, 40, 0 units
  // D = 0, 40, 40 -> J = 0, 2.5, 2.5 + (40 - 2.5) / 16 = 4.84375 units = 0.60546875 ms
  const s = new Sequencer(8000);
  s.update(10, 0, 0);
  s.update(11, 160, 20);
  assert.equal(s.stats().jitter, 0);
  s.update(12, 320, 45);
  assert.equal(s.stats().jitter, 2.5);
  s.update(13, 480, 60);
  assert.equal(s.stats().jitter, 4.84375);
  assert.equal(s.stats().jitterMs, 0.60546875);
  // timestamp wrap does not disturb the estimator
  const w = new Sequencer(8000);
  w.update(1, 0xffffff60, 0);
  w.update(2, 0, 20);
  assert.equal(w.stats().jitter, 0);
});

Deno.test("probation: MIN_SEQUENTIAL=2, first packet valid retroactively", () => {
  const s = new Sequencer();
  assert.equal(s.update(500, 0, 0), SEQ_PROBATION);
  assert.equal(s.update(502, 0, 0), SEQ_PROBATION, "not sequential: probation restarts");
  assert.equal(s.update(503, 0, 0), SEQ_VALID);
  assert.equal(s.lastExtSeq, 503);
  assert.equal(s.stats().received, 2);
  assert.equal(s.stats().expected, 2);
});

Deno.test("sequence wrap-around 65535 -> 0 counts a cycle", () => {
  const s = new Sequencer();
  const exts: number[] = [];
  for (const seq of [65530, 65531, 65533, 65534, 65535, 0, 1, 2]) {
    s.update(seq, 0, 0);
    exts.push(s.lastExtSeq);
  }
  assert.deepEqual(exts.slice(1), [65531, 65533, 65534, 65535, 65536, 65537, 65538]);
  // a reordered packet from before the wrap keeps the old cycle
  assert.equal(s.update(65532, 0, 0), SEQ_VALID);
  assert.equal(s.lastExtSeq, 65532);
  assert.equal(s.update(65534, 0, 0), SEQ_DUPLICATE);
  const st = s.stats();
  assert.equal(st.extHighestSeq, 65538);
  assert.equal(st.received, 9);
  assert.equal(st.expected, 9);
  assert.equal(st.reordered, 1);
  assert.equal(st.duplicated, 1);
  const rr = s.reportInterval();
  assert.equal(rr.extHighestSeq, 0x10002, "cycles << 16 | max_seq");
});

Deno.test("a large jump is dropped once, then re-synchronises on the next sequential packet", () => {
  const s = new Sequencer();
  for (let i = 0; i < 10; i++) s.update(100 + i, 0, 0);
  const far = 109 + MAX_DROPOUT + 500;
  assert.equal(s.update(far, 0, 0), SEQ_BAD);
  assert.equal(s.update(far + 1, 0, 0), SEQ_RESYNC);
  const ext = s.lastExtSeq;
  assert.equal(ext & 0xffff, far + 1);
  assert.equal(s.update(far + 2, 0, 0), SEQ_VALID);
  assert.equal(s.lastExtSeq, ext + 1);
  const st = s.stats();
  assert.equal(st.resyncs, 1);
  assert.equal(st.received, 12);
  assert.equal(st.expected, 12, "10 before the jump, 2 after");
  // a single stray packet far back is late and does not resync
  assert.equal(s.update(far - 500, 0, 0), SEQ_LATE);
  assert.equal(s.update(far + 3, 0, 0), SEQ_VALID);
  assert.equal(s.stats().late, 1);
});

Deno.test("report interval: fraction lost over the interval (RFC 3550 A.3)", () => {
  const s = new Sequencer();
  for (let i = 0; i < 100; i++) if (i % 4 !== 3 || i < 2 || i === 99) s.update(i, 0, 0);
  const rr = s.reportInterval();
  assert.equal(rr.cumulativeLost, 24);
  assert.equal(rr.fractionLost, Math.floor((24 * 256) / 100));
  for (let i = 100; i < 110; i++) s.update(i, 0, 0);
  assert.equal(s.reportInterval().fractionLost, 0);
});
