/**
 * Checks of config values beyond their type (`check` in lib/config/schema/spec.ts), so that
 * `--check-config` and a reload refuse what cannot run: bind addresses the listeners can
 * use (IPv4: the recvmmsg receiver and the libsrt sockaddr take IPv4), API hosts, SDP files
 * that exist and parse (with the caller's parser, FileChecks), bearer tokens without surrounding spaces or non-ASCII. Each returns
 * what was expected, or undefined when the value is fine.
 */

/**
 * Checks of the files a config names, given by the caller (the config layer reads no
 * media formats itself): `sdp` returns the problem with an SDP file's text, or undefined.
 */
export interface FileChecks {
  sdp?: (text: string) => string | undefined;
}

/** A dotted-quad IPv4 address. */
export function isIpv4(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return !!m && m.slice(1).every((o) => Number(o) <= 255);
}

/** The host of `api.listen`: IPv4, `localhost`, or a bracketed IPv6 address. */
export function apiHostProblem(host: string): string | undefined {
  if (isIpv4(host) || host === "localhost") return undefined;
  if (/^\[[0-9a-fA-F:.]+\]$/.test(host) && host.includes(":")) return undefined;
  return 'an IPv4 address, "localhost" or [IPv6] before the port';
}

/** The problem with a string under `check`, or undefined. */
export function checkString(
  check: "ipv4" | "sdp_file" | "token",
  v: string,
  files?: FileChecks,
): string | undefined {
  switch (check) {
    case "ipv4":
      return isIpv4(v) ? undefined : 'an IPv4 address ("0.0.0.0", "127.0.0.1")';
    case "token":
      if (v !== v.trim()) return "a token without surrounding spaces";
      if (!/^[\x20-\x7e]*$/.test(v)) return "a token of printable ASCII characters";
      return undefined;
    case "sdp_file": {
      if (v === "" || !files?.sdp) return undefined;
      let text: string;
      try {
        text = Deno.readTextFileSync(v);
      } catch (e) {
        return `a readable SDP file (${(e as Error).message.split("\n")[0]})`;
      }
      const problem = files.sdp(text);
      return problem ? `an SDP file that parses (${problem})` : undefined;
    }
  }
}
