// Reads and verifies an image: magic, version, length, checksum, then every segment and
// every directory entry within bounds. A corrupt or truncated image is refused with an
// ImageFormatError that names what is wrong.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { BufferReader, type AnySchema, type Parsed } from "typed-binary";
import { ImageFormatError, type ImageProblem } from "./errors.ts";
import {
  CHECKSUMMED_FROM,
  DirectorySchema,
  ENTRY_FLAG,
  ENTRY_TYPE,
  HEADER_SIZE,
  H,
  IMAGE_MAGIC,
  IMAGE_VERSION,
  MetaSchema,
  SCRIPT_KIND,
  ScriptSchema,
  type EntryType,
  type ImageScriptLine,
  type RawEntry,
} from "./format.ts";

export interface ImageEntry {
  readonly path: string;
  readonly type: EntryType;
  readonly perms: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  readonly size: number;
  readonly stored: number;
  readonly compressed: boolean;
  /** A bundled user program (ES module, first line `//netrino:program`). */
  readonly program: boolean;
  /** A `#!builtin <name>` file. */
  readonly builtin: boolean;
  readonly linkTarget?: string;
}

export interface ImageHeader {
  readonly version: number;
  readonly board: string;
  readonly buildId: string;
  readonly created: number;
  readonly generator: string;
  readonly checksum: string;
  readonly totalLength: number;
}

export interface IfsImage {
  readonly header: ImageHeader;
  readonly entries: readonly ImageEntry[];
  readonly script: readonly ImageScriptLine[];
  /** The file's bytes (inflated); throws ImageFormatError if they do not inflate to `size`. */
  fileData(entry: ImageEntry | string): Uint8Array;
  find(path: string): ImageEntry | undefined;
}

const TYPE_BY_CODE = new Map<number, EntryType>(
  Object.entries(ENTRY_TYPE).map(([k, v]) => [v, k as EntryType]),
);
const KIND_BY_CODE = new Map<number, ImageScriptLine["kind"]>(
  Object.entries(SCRIPT_KIND).map(([k, v]) => [v, k as ImageScriptLine["kind"]]),
);

function fail(problem: ImageProblem, message: string): never {
  throw new ImageFormatError(problem, message);
}

/** Decodes a segment; any out-of-bounds read or leftover byte is a corrupt image. */
function decode<S extends AnySchema>(
  schema: S,
  bytes: Uint8Array,
  problem: ImageProblem,
  what: string,
): Parsed<S> {
  // new Uint8Array(x) copies; a Node Buffer's slice() would be a view of its (pooled) ArrayBuffer.
  const copy = new Uint8Array(bytes).buffer;
  const reader = new BufferReader(copy, { endianness: "big" });
  let value: Parsed<S>;
  try {
    value = schema.read(reader) as Parsed<S>;
  } catch (e) {
    fail(problem, `corrupt image: ${what} cannot be decoded (${(e as Error).message})`);
  }
  if (reader.currentByteOffset !== bytes.length) {
    fail(
      problem,
      `corrupt image: ${what} has ${bytes.length - reader.currentByteOffset} unexpected trailing bytes`,
    );
  }
  return value;
}

export function readImage(bytes: Uint8Array, name = "image"): IfsImage {
  if (bytes.length < HEADER_SIZE) {
    fail(
      "too-short",
      `${name}: not a netrino image (${bytes.length} bytes, the header alone is ${HEADER_SIZE})`,
    );
  }
  const magic = new TextDecoder().decode(bytes.subarray(H.magic, H.magic + 8));
  if (magic !== IMAGE_MAGIC)
    fail("bad-magic", `${name}: not a netrino image (bad magic ${JSON.stringify(magic)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(H.version);
  if (version !== IMAGE_VERSION) {
    fail(
      "bad-version",
      `${name}: image format version ${version} is not supported (this netrino reads ${IMAGE_VERSION})`,
    );
  }
  const flags = view.getUint16(H.flags);
  if (flags !== 0)
    fail("bad-layout", `${name}: unknown header flags 0x${flags.toString(16)} (corrupt, or a newer netrino)`);
  const total = view.getUint32(H.totalLength);
  if (bytes.length < total)
    fail("truncated", `${name}: image truncated: header says ${total} bytes, have ${bytes.length}`);
  if (bytes.length > total)
    fail("trailing-bytes", `${name}: ${bytes.length - total} bytes after the end of the image`);
  const want = Buffer.from(bytes.subarray(H.checksum, H.checksum + 32)).toString("hex");
  const have = createHash("sha256").update(bytes.subarray(CHECKSUMMED_FROM)).digest("hex");
  if (want !== have)
    fail(
      "bad-checksum",
      `${name}: checksum mismatch: the image is corrupt (want ${want.slice(0, 16)}…, have ${have.slice(0, 16)}…)`,
    );

  const lengths = [H.metaLength, H.dirLength, H.scriptLength, H.dataLength].map((o) => view.getUint32(o));
  if (HEADER_SIZE + lengths.reduce((a, b) => a + b, 0) !== total) {
    fail("bad-layout", `${name}: segment lengths ${lengths.join("+")} do not add up to the image size`);
  }
  const segments: Uint8Array[] = [];
  let off = HEADER_SIZE;
  for (const len of lengths) {
    segments.push(bytes.subarray(off, off + len));
    off += len;
  }
  const [metaBytes, dirBytes, scriptBytes, data] = segments;
  const meta = decode(MetaSchema, metaBytes, "bad-layout", "header metadata");
  const rawEntries = decode(DirectorySchema, dirBytes, "bad-directory", "directory");
  const rawScript = decode(ScriptSchema, scriptBytes, "bad-script", "startup script");

  const entries = rawEntries.map((r) => checkEntry(r, data.length, name));
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const rawByEntry = new Map(entries.map((e, i) => [e, rawEntries[i]]));
  const script = rawScript.map((l): ImageScriptLine => {
    const kind =
      KIND_BY_CODE.get(l.kind) ??
      fail("bad-script", `${name}: startup script line ${l.line} has unknown kind ${l.kind}`);
    const policy = l.policy === 0 ? undefined : String.fromCharCode(l.policy);
    if (policy !== undefined && !["f", "r", "o"].includes(policy)) {
      fail("bad-script", `${name}: startup script line ${l.line} has an unknown scheduling policy`);
    }
    return {
      kind,
      line: l.line,
      argv: l.argv,
      env: l.env.map((e) => [e.name, e.value] as const),
      background: l.background,
      priority: l.priority < 0 ? undefined : l.priority,
      policy: policy as ImageScriptLine["policy"],
      session: l.session,
      argv0: l.argv0 || undefined,
      cpu: l.cpu < 0 ? undefined : l.cpu,
      external: l.external,
    };
  });

  return {
    header: {
      version,
      board: meta.board,
      buildId: meta.buildId,
      created: meta.created,
      generator: meta.generator,
      checksum: want,
      totalLength: total,
    },
    entries,
    script,
    find: (path) => byPath.get(path),
    fileData(entryOrPath) {
      const entry = typeof entryOrPath === "string" ? byPath.get(entryOrPath) : entryOrPath;
      const raw = entry && rawByEntry.get(entry);
      if (!entry || !raw)
        fail(
          "bad-data",
          `${name}: no such file in the image: ${String(typeof entryOrPath === "string" ? entryOrPath : entryOrPath.path)}`,
        );
      const stored = data.subarray(raw.offset, raw.offset + raw.stored);
      if (!entry.compressed) return new Uint8Array(stored);
      let out: Uint8Array;
      try {
        out = new Uint8Array(inflateSync(stored, { maxOutputLength: Math.max(1, entry.size) }));
      } catch (e) {
        fail("bad-data", `${name}: ${entry.path}: compressed data is corrupt (${(e as Error).message})`);
      }
      if (out.length !== entry.size)
        fail("bad-data", `${name}: ${entry.path}: inflates to ${out.length} bytes, expected ${entry.size}`);
      return out;
    },
  };
}

function checkEntry(r: RawEntry, dataLength: number, name: string): ImageEntry {
  const type =
    TYPE_BY_CODE.get(r.type) ?? fail("bad-directory", `${name}: ${r.path}: unknown entry type ${r.type}`);
  if (!r.path.startsWith("/"))
    fail("bad-directory", `${name}: directory entry with a relative path ${JSON.stringify(r.path)}`);
  if (r.offset + r.stored > dataLength) {
    fail(
      "bad-directory",
      `${name}: ${r.path}: data [${r.offset}, ${r.offset + r.stored}) lies outside the data segment (${dataLength} bytes)`,
    );
  }
  const compressed = (r.flags & ENTRY_FLAG.compressed) !== 0;
  if (!compressed && r.stored !== r.size)
    fail("bad-directory", `${name}: ${r.path}: stored ${r.stored} bytes but size is ${r.size}`);
  return {
    path: r.path,
    type,
    perms: r.perms,
    uid: r.uid,
    gid: r.gid,
    mtime: r.mtime,
    size: r.size,
    stored: r.stored,
    compressed,
    program: (r.flags & ENTRY_FLAG.program) !== 0,
    builtin: (r.flags & ENTRY_FLAG.builtin) !== 0,
    linkTarget: type === "link" ? r.link : undefined,
  };
}

export function readImageFile(path: string): IfsImage {
  return readImage(new Uint8Array(readFileSync(path)), path);
}

/** Does this look like a netrino image (magic only)? Lets `boot` accept images or buildfiles. */
export function isImage(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && new TextDecoder().decode(bytes.subarray(0, 8)) === IMAGE_MAGIC;
}
