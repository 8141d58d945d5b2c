// The netrino image (IFS) format, version 1 — see docs/image-format.md. A fixed 64-byte
// header, then four segments: meta, directory, startup script, file data. Meta, directory
// and script are typed-binary schemas in network byte order.
import bin, { type Parsed } from "typed-binary";

export const IMAGE_MAGIC = "NTRN-IFS";
export const IMAGE_VERSION = 1;
export const HEADER_SIZE = 64;
/** The checksum covers everything after itself: bytes [CHECKSUMMED_FROM, end). */
export const CHECKSUM_OFFSET = 16;
export const CHECKSUMMED_FROM = 48;

/** Header field offsets (big-endian integers). */
export const H = {
  magic: 0,
  version: 8,
  flags: 10,
  totalLength: 12,
  checksum: 16,
  metaLength: 48,
  dirLength: 52,
  scriptLength: 56,
  dataLength: 60,
} as const;

export const ENTRY_TYPE = { file: 1, dir: 2, link: 3, fifo: 4 } as const;
export type EntryType = keyof typeof ENTRY_TYPE;

export const ENTRY_FLAG = {
  /** Data is zlib-deflated; `size` is the inflated length. */
  compressed: 1,
  /** A bundled user program: an ES module whose first line is `//netrino:program`. */
  program: 2,
  /** A `#!builtin <name>` file. */
  builtin: 4,
} as const;

export const SCRIPT_KIND = { exec: 0, builtin: 1, env: 2 } as const;

export const MetaSchema = bin.object({
  board: bin.string,
  buildId: bin.string,
  /** Seconds since the epoch: SOURCE_DATE_EPOCH or 0. */
  created: bin.u32,
  generator: bin.string,
});

export const EntrySchema = bin.object({
  path: bin.string,
  type: bin.u8,
  flags: bin.u8,
  perms: bin.u16,
  uid: bin.u32,
  gid: bin.u32,
  mtime: bin.u32,
  /** Offset into the data segment. */
  offset: bin.u32,
  /** Bytes stored (compressed length when compressed). */
  stored: bin.u32,
  /** Bytes of the file. */
  size: bin.u32,
  link: bin.string,
});

export const DirectorySchema = bin.dynamicArrayOf(EntrySchema);

const EnvSchema = bin.object({ name: bin.string, value: bin.string });

export const ScriptLineSchema = bin.object({
  kind: bin.u8,
  line: bin.u32,
  argv: bin.dynamicArrayOf(bin.string),
  env: bin.dynamicArrayOf(EnvSchema),
  background: bin.bool,
  /** -1 when not given. */
  priority: bin.i16,
  /** 0, or the char code of f / r / o. */
  policy: bin.u8,
  session: bin.bool,
  argv0: bin.string,
  /** -1 when not given. */
  cpu: bin.i16,
  external: bin.bool,
});

export const ScriptSchema = bin.dynamicArrayOf(ScriptLineSchema);

export type RawMeta = Parsed<typeof MetaSchema>;
export type RawEntry = Parsed<typeof EntrySchema>;
export type RawScriptLine = Parsed<typeof ScriptLineSchema>;

/** How a startup-script command is run: the buildfile's sticky [pri= +session argv0= …]. */
export interface ScriptModifiers {
  readonly priority?: number;
  /** f = FIFO, r = round robin, o = other. */
  readonly policy?: "f" | "r" | "o";
  readonly session: boolean;
  readonly argv0?: string;
  readonly cpu?: number;
  readonly external: boolean;
}

/** One startup-script line as the boot code sees it. */
export interface ImageScriptLine extends ScriptModifiers {
  readonly kind: "exec" | "builtin" | "env";
  readonly line: number;
  readonly argv: readonly string[];
  readonly env: ReadonlyArray<readonly [name: string, value: string]>;
  readonly background: boolean;
}
