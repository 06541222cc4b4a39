import assert from "node:assert/strict";
import { parseSdp } from "@lib/transport/rtp/sdp.ts";
import { defaultConfig } from "@lib/config/defaults.ts";
import { ConfigError, parseConfig } from "@lib/config/load.ts";
import { diffConfig } from "@lib/app/reload.ts";

/** The SDP check lib/app/config_files.ts passes: the RTP layer's parser. */
const files = {
  sdp: (text: string) => {
    const r = parseSdp(text);
    return r.ok ? undefined : r.reason;
  },
};

function errorOf(yaml: string, checkFiles = false): string {
  try {
    parseConfig(yaml, "t.yaml", checkFiles ? { files } : {});
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.message;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("config: defaults are the seed's table", () => {
  const c = defaultConfig();
  assert.equal(c.ingestion.srtPort, 30000);
  assert.equal(c.ingestion.rtpPort, 5004);
  assert.equal(c.ingestion.maxConnections, 25);
  assert.equal(c.ingestion.bufferSize, 1048576);
  assert.equal(c.ingestion.gopBufferSize, 3);
  assert.equal(c.ingestion.frameTimeout, 5000);
  assert.equal(c.ingestion.syncThreshold, 100);
  assert.equal(c.ingestion.memory.globalLimit, 8 * 1024 ** 3);
  assert.equal(c.ingestion.memory.perStreamLimit, 400 * 1024 ** 2);
  assert.equal(c.api.listen, "127.0.0.1:8080");
  assert.deepEqual(c.api.tokens, []);
  assert.equal(c.srt.latency, 120);
  assert.equal(c.rtp.jitterLatency, 50);
  assert.equal(c.log.level, "info");
  assert.deepEqual(parseConfig(""), c, "an empty file is the defaults");
});

Deno.test("config: units as people write them", async (t) => {
  const cases: [string, string, number][] = [
    ["buffer_size: 1048576", "bufferSize", 1048576],
    ["buffer_size: 1MB", "bufferSize", 1048576],
    ["buffer_size: 512KiB", "bufferSize", 524288],
    ["buffer_size: '2 mb'", "bufferSize", 2 * 1048576],
    ["frame_timeout: 5s", "frameTimeout", 5000],
    ["frame_timeout: 250ms", "frameTimeout", 250],
    ["frame_timeout: 1.5s", "frameTimeout", 1500],
    ["frame_timeout: 2m", "frameTimeout", 120000],
    ["frame_timeout: 300", "frameTimeout", 300],
    ["sync_threshold: 40ms", "syncThreshold", 40],
  ];
  for (const [line, key, want] of cases) {
    await t.step(line, () => {
      const c = parseConfig(`ingestion:\n  ${line}\n`);
      assert.equal((c.ingestion as unknown as Record<string, number>)[key], want);
    });
  }
  const m = parseConfig(
    "ingestion:\n  memory:\n    global_limit: 8GB\n    per_stream_limit: 400MB\n",
  );
  assert.equal(m.ingestion.memory.globalLimit, 8 * 1024 ** 3);
  assert.equal(m.ingestion.memory.perStreamLimit, 400 * 1024 ** 2);
});

Deno.test("config: a full file parses", () => {
  const c = parseConfig(`
ingestion:
  srt_port: 9000
  rtp_port: 6000
api:
  listen: 127.0.0.1:0
  tokens: [secret-token-1]
srt:
  latency: 200ms
  passphrase: "0123456789abc"
  streams:
    cam1: { passphrase: "cam1-passphrase" }
    cam9: {}
rtp:
  payload_types: { 96: H264/90000, 100: jxsv/90000 }
  streams:
    - { ssrc: 0x1234, name: cam2, payload_types: { 97: H265/90000 } }
log:
  level: debug
`);
  assert.equal(c.ingestion.srtPort, 9000);
  assert.equal(c.srt.latency, 200);
  assert.equal(c.srt.streams.cam1.passphrase, "cam1-passphrase");
  assert.equal(c.srt.streams.cam9.passphrase, "");
  assert.equal(c.rtp.payloadTypes[96], "H264/90000");
  assert.equal(c.rtp.streams[0].ssrc, 0x1234);
  assert.deepEqual(c.rtp.streams[0].ssrcs, [0x1234]);
  assert.equal(c.rtp.streams[0].name, "cam2");
  assert.equal(c.rtp.streams[0].payloadTypes[97], "H265/90000");
  assert.deepEqual(c.api.tokens, ["secret-token-1"]);
});

Deno.test("config: out of range names the key, line and column", () => {
  const msg = errorOf("ingestion:\n  srt_port: 30000\n  rtp_port: 70000\n");
  assert.match(
    msg,
    /ingestion\.rtp_port must be an integer 1-65534, got 70000 \(line 3, column 13\)/,
  );
});

Deno.test("config: errors by class", async (t) => {
  const cases: [string, string, RegExp][] = [
    [
      "unknown key with hint",
      "ingestion:\n  max_conections: 3\n",
      /unknown key ingestion\.max_conections \(line 2, column 3\): did you mean ingestion\.max_connections\?/,
    ],
    ["unknown top-level key", "bogus: 1\n", /unknown key bogus \(line 1/],
    [
      "wrong type",
      "ingestion:\n  max_connections: many\n",
      /ingestion\.max_connections must be an integer 1-10000, got "many" \(line 2/,
    ],
    ["bad size", "ingestion:\n  buffer_size: lots\n", /ingestion\.buffer_size must be a size/],
    [
      "bad duration",
      "ingestion:\n  frame_timeout: 5x\n",
      /ingestion\.frame_timeout must be a duration.*got "5x" \(line 2/,
    ],
    [
      "bad enum",
      "log:\n  level: loud\n",
      /log\.level must be one of debug, info, warn, error, got "loud" \(line 2/,
    ],
    ["bad bool", "rtp:\n  send_rr: maybe\n", /rtp\.send_rr must be true or false/],
    ["bad hostport", "api:\n  listen: nowhere\n", /api\.listen must be host:port/],
    ["not a map", "ingestion: 5\n", /ingestion must be a map/],
    [
      "bad payload type",
      "rtp:\n  payload_types: { 300: H264/90000 }\n",
      /rtp\.payload_types key must be a payload type 0-127/,
    ],
    [
      "missing required",
      "rtp:\n  streams:\n    - ssrc: 5\n",
      /rtp\.streams\[0\]\.name is required/,
    ],
    [
      "bad ssrc in a list",
      "rtp:\n  streams:\n    - { name: av, ssrc: [0x1001, -4] }\n",
      /rtp\.streams\[0\]\.ssrc\[1\] must be an integer 0-4294967295 or a list of them, got -4 \(line 3, column/,
    ],
    [
      "ssrc in two streams",
      "rtp:\n  streams:\n    - { name: a, ssrc: [1, 2] }\n    - { name: b, ssrc: 2 }\n",
      /ssrc 2 is listed by both a and b/,
    ],
    ["short passphrase", "srt:\n  passphrase: short\n", /srt\.passphrase must be 10-79 characters/],
    ["port collision", "ingestion:\n  srt_port: 5005\n", /collides/],
    ["yaml syntax", "ingestion:\n  srt_port: [1,\n", /YAML syntax/],
    [
      "duplicate key",
      "ingestion:\n  srt_port: 1\n  srt_port: 2\n",
      /YAML syntax.*(line 3|unique)/i,
    ],
  ];
  for (const [name, yaml, re] of cases) await t.step(name, () => assert.match(errorOf(yaml), re));
});

Deno.test("config: reload diff separates live keys from restart keys", () => {
  const a = defaultConfig();
  const b = parseConfig(
    "ingestion:\n  max_connections: 5\n  srt_port: 31000\napi:\n  tokens: [abcdefgh1]\n",
  );
  const d = diffConfig(a, b);
  assert.deepEqual(d.restart, ["ingestion.srt_port"]);
  assert.ok(d.live.includes("ingestion.max_connections"));
  assert.ok(d.live.some((k) => k.startsWith("api.tokens")));
});

Deno.test("config: values that type-check but cannot run are errors with key and line", async (t) => {
  const garbage = await Deno.makeTempFile({ suffix: ".sdp" });
  await Deno.writeTextFile(garbage, "this is not an SDP\n");
  const cases: [string, string, RegExp][] = [
    [
      "bind not an address",
      "ingestion:\n  bind: example.invalid\n",
      /ingestion\.bind must be an IPv4 address.*\(line 2, column 9\)/,
    ],
    ["bind octet", "ingestion:\n  bind: 10.0.0.300\n", /ingestion\.bind must be an IPv4/],
    [
      "api host",
      "api:\n  listen: no host:8080\n",
      /api\.listen must be an IPv4 address, "localhost" or \[IPv6\].*\(line 2/,
    ],
    [
      "missing sdp",
      "rtp:\n  sdp: [/nonexistent/cam.sdp]\n",
      /rtp\.sdp\[0\] must be a readable SDP file.*\(line 2/,
    ],
    [
      "garbage sdp",
      `rtp:\n  streams:\n    - name: cam2\n      sdp: ${garbage}\n`,
      /rtp\.streams\[0\]\.sdp must be an SDP file that parses.*\(line 4/,
    ],
    [
      "token spaces",
      'api:\n  tokens: [" padded-token-1 "]\n',
      /api\.tokens\[0\] must be a token without surrounding spaces \(line 2/,
    ],
    ["token non-ascii", 'api:\n  tokens: ["tökenvalue1"]\n', /printable ASCII/],
  ];
  try {
    for (const [name, yaml, re] of cases) {
      await t.step(name, () => assert.match(errorOf(yaml, true), re));
    }
    await t.step("SDP files are checked only when loading a file", () => {
      assert.ok(parseConfig("rtp:\n  sdp: [/nonexistent/cam.sdp]\n"));
    });
    await t.step("a secret is not echoed", () => {
      assert.doesNotMatch(errorOf('api:\n  tokens: [" padded-token-1 "]\n'), /padded-token/);
    });
    await t.step("good ones pass", () => {
      const c = parseConfig(
        `ingestion:\n  bind: 127.0.0.1\napi:\n  listen: localhost:0\n  tokens: [good-token-1]\n`,
      );
      assert.equal(c.ingestion.bind, "127.0.0.1");
    });
  } finally {
    await Deno.remove(garbage);
  }
});

Deno.test("config: rtp.streams[].ssrc takes a list (joined as tracks of one stream)", () => {
  const c = parseConfig("rtp:\n  streams:\n    - { name: av, ssrc: [0x1001, 0x1002] }\n");
  assert.deepEqual(c.rtp.streams[0].ssrcs, [0x1001, 0x1002]);
  assert.equal(c.rtp.streams[0].ssrc, 0x1001);
  const none = parseConfig("rtp:\n  streams:\n    - { name: byname }\n");
  assert.deepEqual(none.rtp.streams[0].ssrcs, []);
  assert.equal(none.rtp.streams[0].ssrc, -1);
});

Deno.test("config nats: absent section = no nats key at all", () => {
  assert.equal("nats" in defaultConfig(), false);
  assert.equal(parseConfig("api:\n  listen: 127.0.0.1:1\n").nats, undefined);
  assert.equal(parseConfig("nats:\n").nats, undefined, "an empty section is off");
  assert.equal(parseConfig("nats: null\n").nats, undefined);
});

Deno.test("config nats: the issue's four lines, with defaults for the rest", () => {
  const c = parseConfig(
    'nats:\n  servers: ["nats://hub.example.com:4222"]\n  box: site4-rack2\n' +
      "  credentials: /etc/sluice/box.creds\n" +
      '  frames: { streams: "cam*", tracks: video }\n',
  );
  assert.deepEqual(c.nats, {
    servers: ["nats://hub.example.com:4222"],
    box: "site4-rack2",
    credentials: "/etc/sluice/box.creds",
    token: "",
    user: "",
    password: "",
    tls: { ca: "", cert: "", key: "" },
    replicas: 1,
    registry: { interval: 5000, ttl: 30_000 },
    events: { maxAge: 86_400_000, maxBytes: 64 * 1024 ** 2, queue: 1000 },
    frames: {
      streams: "cam*",
      tracks: "video",
      maxBytes: 1024 ** 3,
      maxAge: 60_000,
      queue: 8 * 1024 ** 2,
    },
  });
});

Deno.test("config nats: errors name the key and line", () => {
  assert.match(
    errorOf("nats:\n  servers: [x]\n  box: a.b\n"),
    /nats\.box must be letters, digits, '_' or '-' \(1-64\), got "a\.b" \(line 3, column 8\)/,
  );
  assert.match(errorOf("nats: {}\n"), /nats\.servers is required \(line 1, column 7\)/);
  assert.match(
    errorOf('nats:\n  servers: ["http://x/y"]\n'),
    /nats\.servers\[0\] must be a server URL .* \(line 2, column 13\)/,
  );
  assert.match(
    errorOf("nats:\n  servers: [x]\n  frames: { tracks: both }\n"),
    /nats\.frames\.tracks must be one of video, audio, all, got "both" \(line 3, column 21\)/,
  );
  assert.match(
    errorOf("nats:\n  servers: [x]\n  servrs: [y]\n"),
    /unknown key nats\.servrs \(line 3, column 3\): did you mean nats\.servers\?/,
  );
  assert.match(
    errorOf("nats:\n  servers: [x]\n  user: u\n"),
    /nats\.user and nats\.password go together/,
  );
  assert.match(
    errorOf("nats:\n  servers: [x]\n  token: t\n  user: u\n  password: p\n"),
    /use one of credentials, token, user\+password/,
  );
  assert.match(
    errorOf("nats:\n  servers: [x]\n  registry: { interval: 10s, ttl: 15s }\n"),
    /nats\.registry\.ttl \(15000ms\) must be at least twice/,
  );
});

Deno.test("config nats: a reload that changes nats asks for a restart", () => {
  const a = parseConfig("nats:\n  servers: [a:4222]\n");
  const b = parseConfig("nats:\n  servers: [b:4222]\n");
  assert.deepEqual(diffConfig(a, b), { live: [], newStreams: [], restart: ["nats.servers"] });
  assert.deepEqual(diffConfig(defaultConfig(), a).restart.length > 0, true);
});

Deno.test("config: srt takeover keys (defaults, units, errors with key and line)", () => {
  const d = parseConfig("");
  assert.equal(d.srt.takeoverAfter, 1000);
  assert.equal(d.srt.overridePublisher, false);
  assert.equal(d.srt.peerIdleTimeout, 5000);
  const c = parseConfig(
    "srt:\n  takeover_after: 1.5s\n  override_publisher: true\n  peer_idle_timeout: 8s\n",
  );
  assert.equal(c.srt.takeoverAfter, 1500);
  assert.equal(c.srt.overridePublisher, true);
  assert.equal(c.srt.peerIdleTimeout, 8000);
  assert.match(
    errorOf("srt:\n  latency: 120ms\n  takeover_after: 5ms\n"),
    /srt\.takeover_after must be a duration 100ms-600000ms.*got "5ms" \(line 3, column 19\)/,
  );
  assert.match(
    errorOf("srt:\n  override_publisher: yes please\n"),
    /srt\.override_publisher must be true or false, got "yes please" \(line 2/,
  );
  assert.match(
    errorOf("srt:\n  peer_idle_timeout: forever\n"),
    /srt\.peer_idle_timeout must be a duration 1000ms-600000ms.*\(line 2, column 22\)/,
  );
  assert.equal(d.srt.readInterval, 0, "0: from the latency");
  assert.equal(parseConfig("srt:\n  read_interval: 5ms\n").srt.readInterval, 5);
  assert.match(
    errorOf("srt:\n  latency: 120ms\n  read_interval: 2s\n"),
    /srt\.read_interval must be a duration 0ms-1000ms.*got "2s" \(line 3, column 18\)/,
  );
});
