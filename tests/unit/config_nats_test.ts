import assert from "node:assert/strict";
import { ConfigError, defaultConfig, parseConfig } from "../../lib/config.ts";
import { diffConfig } from "../../lib/reload.ts";

function errorOf(yaml: string): string {
  try {
    parseConfig(yaml, "t.yaml");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.message;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("config nats: absent section = no nats key at all", () => {
  assert.equal("nats" in defaultConfig(), false);
  assert.equal(parseConfig("api:\n  listen: 127.0.0.1:1\n").nats, undefined);
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
  assert.match(errorOf("nats:\n"), /nats must be a map with servers/);
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
  assert.deepEqual(diffConfig(a, b), { live: [], restart: ["nats.servers"] });
  assert.deepEqual(diffConfig(defaultConfig(), a).restart.length > 0, true);
});
