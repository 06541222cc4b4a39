/**
 * The short release note (RELEASE_NOTES.md next to the executables): version, commit,
 * the commits since the previous tag (subjects cut to one line), the files with their
 * SHA-256 and whether they carry libsrt, and how to check and install them.
 */
import type { Change } from "./git.ts";

/** What the note is made of. */
export interface NotesInput {
  version: string;
  commit: string;
  dirty: boolean;
  builtAt: string;
  denoVersion: string;
  /** The previous release's tag, or undefined for the first release. */
  since?: string;
  changes: Change[];
  /** File name -> SHA-256 hex. */
  sums: Map<string, string>;
  /** File name -> the libsrt file embedded in it, when one is. */
  libsrt: Map<string, string>;
  /** Set when the files are stand-ins (a test of the release steps), not executables. */
  standIn?: boolean;
}

/** Changes listed at most; the rest are counted. */
export const MAX_CHANGES = 60;
/** A subject longer than this is cut at a word boundary. */
const SUBJECT_CHARS = 110;

/** `s` cut to about SUBJECT_CHARS at a word boundary, with "..." when cut. */
export function oneLine(s: string): string {
  if (s.length <= SUBJECT_CHARS) return s;
  const cut = s.slice(0, SUBJECT_CHARS);
  const sp = cut.lastIndexOf(" ");
  return `${(sp > 60 ? cut.slice(0, sp) : cut).replace(/[\s,;:(]+$/, "")} ...`;
}

/** The release note as Markdown. */
export function releaseNotes(n: NotesInput): string {
  const out: string[] = [`# sluice ${n.version}`, ""];
  if (n.standIn) {
    out.push("**Stand-in files from a test of the release steps: not executables.**", "");
  }
  out.push(
    `Built ${n.builtAt} from commit ${n.commit}${
      n.dirty ? " (with uncommitted changes)" : ""
    }, Deno ${n.denoVersion}.`,
    "",
    `## Changes since ${n.since ?? "the first commit"}`,
    "",
  );
  if (!n.changes.length) out.push("None.");
  for (const c of n.changes.slice(0, MAX_CHANGES)) out.push(`- ${oneLine(c.subject)} (${c.hash})`);
  if (n.changes.length > MAX_CHANGES) {
    const range = n.since ? `${n.since}..${n.commit.slice(0, 12)}` : n.commit.slice(0, 12);
    out.push(`- ... and ${n.changes.length - MAX_CHANGES} more: \`git log ${range}\``);
  }
  out.push("", "## Files", "", "| file | SHA-256 | libsrt inside |", "| --- | --- | --- |");
  for (const [name, hex] of n.sums) {
    const lib = name.startsWith("sluice-") ? n.libsrt.get(name) ?? "no (uses the system's)" : "";
    out.push(`| \`${name}\` | \`${hex}\` | ${lib} |`);
  }
  out.push(
    "",
    "Check a download with `sha256sum -c --ignore-missing SHA256SUMS`. Install and run as a",
    "service: README.md, section Install (sluice.service is the systemd unit, sluice.example.yaml",
    "every configuration key with its default).",
    "",
  );
  return out.join("\n");
}
