// Directory entries as a manager returns them from _IO_READ on a directory: packed records
// shaped like QNX's struct dirent (d_ino, d_offset, d_reclen, d_namelen, d_name), plus a
// d_type word (netrino's addition: the st_mode type bits, so `ls -F` needs no stat).
import bin from "typed-binary";
import { KernelError } from "../kernel/errno.ts";
import { i64 } from "./int64-schema.ts";
import { decodeText, decodeWith, encodeText, encodeWith } from "./messages.ts";
import { NAME_MAX } from "./io-constants.ts";

export const DirentFixed = bin.object({
  ino: i64,
  offset: i64,
  reclen: bin.u16,
  namelen: bin.u16,
  type: bin.u32,
});
export const DIRENT_FIXED_SIZE = 24;

export interface DirentRecord {
  ino: number;
  /** Position of the next entry (what lseek/telldir would return after this one). */
  offset: number;
  /** st_mode type bits (S_IFDIR …), 0 if unknown. */
  type: number;
  name: string;
}

/** Size of one record: header, name, NUL, padded to a multiple of 4. */
export function direntSize(nameBytes: number): number {
  return (DIRENT_FIXED_SIZE + nameBytes + 1 + 3) & ~3;
}

export function encodeDirent(d: DirentRecord): Uint8Array {
  const name = encodeText(d.name);
  if (name.byteLength === 0 || name.byteLength > NAME_MAX) throw new KernelError("ENAMETOOLONG");
  const reclen = direntSize(name.byteLength);
  const tail = new Uint8Array(reclen - DIRENT_FIXED_SIZE);
  tail.set(name, 0);
  return encodeWith(
    DirentFixed,
    { ino: d.ino, offset: d.offset, reclen, namelen: name.byteLength, type: d.type >>> 0 },
    tail,
  );
}

/**
 * Packs as many whole records from `entries[start..]` as fit in `max` bytes. Returns the bytes
 * and how many entries went in (0 with entries left means `max` is too small for the next one).
 */
export function packDirents(
  entries: readonly DirentRecord[],
  start: number,
  max: number,
): { bytes: Uint8Array; count: number } {
  const parts: Uint8Array[] = [];
  let size = 0;
  let i = start;
  for (; i < entries.length; i++) {
    const rec = encodeDirent(entries[i]!);
    if (size + rec.byteLength > max) break;
    parts.push(rec);
    size += rec.byteLength;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return { bytes, count: i - start };
}

/** Unpacks records; EBADMSG on any inconsistency (reclen, namelen, missing NUL). */
export function decodeDirents(bytes: Uint8Array): DirentRecord[] {
  const out: DirentRecord[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    const rest = bytes.subarray(at);
    const f = decodeWith(DirentFixed, rest);
    if (f.reclen < DIRENT_FIXED_SIZE + f.namelen + 1 || f.reclen > rest.byteLength || f.reclen % 4 !== 0) {
      throw new KernelError("EBADMSG", "bad dirent record length");
    }
    if (f.namelen === 0 || rest[DIRENT_FIXED_SIZE + f.namelen] !== 0) {
      throw new KernelError("EBADMSG", "bad dirent name");
    }
    const name = decodeText(rest.subarray(DIRENT_FIXED_SIZE, DIRENT_FIXED_SIZE + f.namelen));
    if (name.includes("/") || name.includes("\0")) throw new KernelError("EBADMSG", "bad dirent name");
    out.push({ ino: f.ino, offset: f.offset, type: f.type, name });
    at += f.reclen;
  }
  return out;
}
