/** `outputs:` in the config: defaults, units, and errors naming key and line. */
import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../../lib/config/load.ts";
import { parseTarget, redactUrl } from "../../../lib/config/output_url.ts";

function issues(yaml: string): string[] {
  try {
    parseConfig(yaml);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

Deno.test("outputs config: defaults and units", () => {
  const c = parseConfig(`outputs:
  - name: cloud1
    stream: cam1
    url: "srt://ingest.example.com:9000?streamid=site4/cam1&passphrase=0123456789ab&latency=200ms"
    mode: passthrough
    retry: { initial: 250ms, max: 10s, multiplier: 1.5 }
    breaker: { failures: 3, cooldown: 30s }
  - name: lan
    stream: "*"
    url: "udp://239.1.1.1:5000?ttl=4"
`);
  assert.equal(c.outputs.length, 2);
  assert.deepEqual(c.outputs[0].retry, { initial: 250, max: 10000, multiplier: 1.5 });
  assert.deepEqual(c.outputs[0].breaker, { failures: 3, cooldown: 30000 });
  assert.equal(c.outputs[1].mode, "remux");
  assert.equal(c.outputs[1].queueSize, 8 * 1024 * 1024);
  assert.deepEqual(c.outputs[1].retry, { initial: 500, max: 30000, multiplier: 2 });
  assert.deepEqual(c.outputs[1].breaker, { failures: 5, cooldown: 60000 });
  const t = parseTarget(c.outputs[0].url);
  assert.ok(t.ok && t.value.scheme === "srt");
  assert.deepEqual(
    t.ok && t.value.scheme === "srt" ? [t.value.streamId, t.value.latencyMs, t.value.port] : [],
    ["site4/cam1", 200, 9000],
  );
  const u = parseTarget(c.outputs[1].url);
  assert.ok(u.ok && u.value.scheme === "udp" && u.value.multicast && u.value.ttl === 4);
  assert.equal(redactUrl(c.outputs[0].url).includes("0123456789ab"), false);
});

Deno.test("outputs config: bad URL, unknown scheme, missing port named with key and line", () => {
  const got = issues(`outputs:
  - name: a
    stream: cam1
    url: "rtmp://x:1935/live"
  - name: b
    stream: cam1
    url: "srt://host.example"
  - name: c
    stream: cam1
    url: "not a url"
  - name: a
    stream: cam1
    url: "udp://127.0.0.1:5000?pkt_size=1000"
    mode: push
  - stream: cam2
    url: "udp://127.0.0.1:1"
`);
  const has = (re: RegExp) => assert.ok(got.some((i) => re.test(i)), `${re} in ${got.join("\n")}`);
  has(/^outputs\[0\]\.url unknown scheme "rtmp" \(srt, udp\).*\(line 4, column 10\)/);
  has(/^outputs\[1\]\.url missing port.*\(line 7, column 10\)/);
  has(/^outputs\[2\]\.url not a URL.*\(line 10, column 10\)/);
  has(/^outputs\[3\]\.url pkt_size must be a multiple of 188.*\(line 13/);
  has(/^outputs\[3\]\.mode must be one of remux, passthrough, got "push" \(line 14/);
  has(/^outputs\[4\]\.name is required \(line 15/);
  has(/outputs\[3\]\.name "a" is used twice/);
});

Deno.test("outputs config: udp localaddr names the sending interface; bad values with key and line", () => {
  const t = parseTarget("udp://239.1.1.1:5000?ttl=1&localaddr=10.0.0.5");
  assert.ok(t.ok && t.value.scheme === "udp");
  assert.equal(t.ok && t.value.scheme === "udp" && t.value.localAddr, "10.0.0.5");
  const none = parseTarget("udp://239.1.1.1:5000");
  assert.equal(none.ok && none.value.scheme === "udp" && none.value.localAddr, undefined);
  const got = issues(`outputs:
  - name: a
    stream: cam1
    url: "udp://239.1.1.1:5000?localaddr=eth0"
  - name: b
    stream: cam1
    url: "udp://239.1.1.1:5000?localaddr=239.1.1.9"
  - name: c
    stream: cam1
    url: "udp://239.1.1.1:5000?localaddr=10.0.0.256"
  - name: d
    stream: cam1
    url: "srt://127.0.0.1:9000?localaddr=127.0.0.1"
`);
  const has = (re: RegExp) => assert.ok(got.some((i) => re.test(i)), `${re} in ${got.join("\n")}`);
  has(
    /^outputs\[0\]\.url localaddr must be the IPv4 address of a local interface, got "eth0".*\(line 4, column 10\)/,
  );
  has(/^outputs\[1\]\.url localaddr must be .*got "239\.1\.1\.9".*\(line 7, column 10\)/);
  has(/^outputs\[2\]\.url localaddr must be .*got "10\.0\.0\.256".*\(line 10, column 10\)/);
  has(/^outputs\[3\]\.url unknown parameter "localaddr".*\(line 13, column 10\)/);
});
