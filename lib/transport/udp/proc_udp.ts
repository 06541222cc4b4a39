/**
 * Kernel drop counters of UDP sockets from procfs (proc(5) /proc/net/udp and udp6: the
 * last column, `drops`, counts datagrams the kernel discarded because the socket's
 * receive buffer was full). A socket is found by its inode (the `inode` column; the
 * target of /proc/self/fd/N is `socket:[inode]`). For sockets whose datagrams sluice does
 * not read itself (libsrt's), this is the only drop counter there is: SO_RXQ_OVFL needs
 * the reader's recvmsg control data.
 */

/** Inode of the socket behind file descriptor `fd` of this process, or "" when unreadable. */
export function socketInode(fd: number): string {
  try {
    const m = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/self/fd/${fd}`));
    return m ? m[1] : "";
  } catch {
    return ""; // no /proc or no --allow-read
  }
}

/** The drops column of the socket with this inode; -1 when not found or unreadable. */
export function udpDrops(inode: string): number {
  if (inode === "") return -1;
  for (const file of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 13 && f[9] === inode) return Number(f[f.length - 1]);
    }
  }
  return -1;
}
