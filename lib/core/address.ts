/** Remote addresses as sluice writes them: "ip:port", "[ip6]:port". */

/** The host part of a remote "ip:port" or "[ip6]:port" (per-source limits, back-off). */
export function hostOf(remote: string): string {
  const i = remote.lastIndexOf(":");
  return i < 0 ? remote : remote.slice(0, i);
}
