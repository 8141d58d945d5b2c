// Encodes an image: deterministic bytes for the same inputs (entries sorted by path, parent
// directories made explicit, times from SOURCE_DATE_EPOCH, owners as the buildfile says).
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { BufferWriter, type AnySchema, type Parsed } from "typed-binary";
import { ImageFormatError } from "./errors.ts";
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
  type RawScriptLine,
} from "./format.ts";

export interface ImageFileSpec {
  readonly path: string;
  readonly type: EntryType;
  readonly perms: number;
  readonly uid: number;
  readonly gid: number;
  readonly data?: Uint8Array;
  readonly link?: string;
  readonly compress?: boolean;
  readonly program?: boolean;
  readonly builtin?: boolean;
}

export interface ImageSpec {
  readonly board: string;
  readonly files: readonly ImageFileSpec[];
  readonly script: readonly ImageScriptLine[];
  /** Seconds since the epoch for every mtime and the header (SOURCE_DATE_EPOCH or 0). */
  readonly created: number;
  readonly generator?: string;
}

function encode<S extends AnySchema>(schema: S, value: Parsed<S>): Uint8Array {
  const size = schema.measure(value).size;
  const buf = new ArrayBuffer(size);
  schema.write(new BufferWriter(buf, { endianness: "big" }), value);
  return new Uint8Array(buf);
}

function checkString(s: string, what: string): void {
  if (s.includes("\0"))
    throw new ImageFormatError("invalid-input", `${what} contains a NUL character: ${JSON.stringify(s)}`);
}

/** Adds the parent directories nobody listed, so the image is a complete tree. */
function withParents(files: readonly ImageFileSpec[]): ImageFileSpec[] {
  const byPath = new Map<string, ImageFileSpec>();
  for (const f of files) byPath.set(f.path, f);
  for (const f of files) {
    let p = f.path;
    for (;;) {
      const slash = p.lastIndexOf("/");
      p = slash <= 0 ? "/" : p.slice(0, slash);
      if (p === "/" || byPath.has(p)) break;
      byPath.set(p, { path: p, type: "dir", perms: 0o755, uid: 0, gid: 0 });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function scriptLine(l: ImageScriptLine): RawScriptLine {
  for (const a of l.argv) checkString(a, "script argument");
  return {
    kind: SCRIPT_KIND[l.kind],
    line: l.line,
    argv: [...l.argv],
    env: l.env.map(([name, value]) => ({ name, value })),
    background: l.background,
    priority: l.priority ?? -1,
    policy: l.policy ? l.policy.charCodeAt(0) : 0,
    session: l.session,
    argv0: l.argv0 ?? "",
    cpu: l.cpu ?? -1,
    external: l.external,
  };
}

export function encodeImage(spec: ImageSpec): Uint8Array {
  checkString(spec.board, "board");
  const created = Math.max(0, Math.min(0xffffffff, Math.floor(spec.created)));
  const entries: RawEntry[] = [];
  const chunks: Uint8Array[] = [];
  let dataLength = 0;
  for (const f of withParents(spec.files)) {
    if (!f.path.startsWith("/"))
      throw new ImageFormatError("invalid-input", `image path must be absolute: ${f.path}`);
    checkString(f.path, "path");
    checkString(f.link ?? "", "link target");
    const raw = f.type === "file" ? (f.data ?? new Uint8Array(0)) : new Uint8Array(0);
    const stored = f.compress && raw.length > 0 ? new Uint8Array(deflateSync(raw, { level: 9 })) : raw;
    const flags =
      (f.compress && raw.length > 0 ? ENTRY_FLAG.compressed : 0) |
      (f.program ? ENTRY_FLAG.program : 0) |
      (f.builtin ? ENTRY_FLAG.builtin : 0);
    entries.push({
      path: f.path,
      type: ENTRY_TYPE[f.type],
      flags,
      perms: f.perms & 0o7777,
      uid: f.uid >>> 0,
      gid: f.gid >>> 0,
      mtime: created,
      offset: dataLength,
      stored: stored.length,
      size: raw.length,
      link: f.type === "link" ? (f.link ?? "") : "",
    });
    chunks.push(stored);
    dataLength += stored.length;
  }
  const dir = encode(DirectorySchema, entries);
  const script = encode(ScriptSchema, spec.script.map(scriptLine));
  const data = new Uint8Array(dataLength);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  const content = createHash("sha256").update(dir).update(script).update(data).digest("hex");
  const meta = encode(MetaSchema, {
    board: spec.board,
    buildId: content.slice(0, 16),
    created,
    generator: spec.generator ?? "netrino",
  });
  const total = HEADER_SIZE + meta.length + dir.length + script.length + data.length;
  if (total > 0xffffffff) throw new ImageFormatError("invalid-input", "image larger than 4 GiB");
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(IMAGE_MAGIC), H.magic);
  view.setUint16(H.version, IMAGE_VERSION);
  view.setUint16(H.flags, 0);
  view.setUint32(H.totalLength, total);
  view.setUint32(H.metaLength, meta.length);
  view.setUint32(H.dirLength, dir.length);
  view.setUint32(H.scriptLength, script.length);
  view.setUint32(H.dataLength, data.length);
  let off = HEADER_SIZE;
  for (const seg of [meta, dir, script, data]) {
    out.set(seg, off);
    off += seg.length;
  }
  out.set(createHash("sha256").update(out.subarray(CHECKSUMMED_FROM)).digest(), H.checksum);
  return out;
}
