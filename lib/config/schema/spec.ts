/**
 * One configuration key's description: its type, range, default and doc line. Durations
 * are in ms, sizes in bytes after parsing. The sections in lib/config/schema/ declare the
 * keys with it; lib/config/walker.ts checks YAML against it, lib/config/defaults.ts and
 * lib/config/print.ts read it.
 */
export type Spec =
  | { t: "int"; def: number; min: number; max: number; doc: string }
  /** One integer or a list of them; parsed to a list. */
  | { t: "ints"; min: number; max: number; doc: string }
  | { t: "bytes"; def: number; min: number; max?: number; doc: string }
  | { t: "duration"; def: number; min: number; max: number; doc: string }
  | {
    t: "string";
    def: string;
    oneOf?: readonly string[];
    /** Extra check (lib/config/checks.ts): an IPv4 bind address, a readable SDP file, a token. */
    check?: "ipv4" | "sdp_file" | "token";
    /** A non-empty value must match `re`; `what` says what is expected. */
    pattern?: { re: RegExp; what: string };
    doc: string;
  }
  | { t: "bool"; def: boolean; doc: string }
  | { t: "hostport"; def: string; doc: string }
  | { t: "number"; def: number; min: number; max: number; doc: string }
  | { t: "url"; doc: string }
  | { t: "list"; of: Spec; doc: string }
  | { t: "map"; keys: "string" | "payload_type"; of: Spec; doc: string }
  | {
    t: "obj";
    fields: Record<string, Spec>;
    required?: readonly string[];
    /** Absent from the file = absent from the Config (no defaults filled in). */
    optional?: boolean;
    doc?: string;
  };
