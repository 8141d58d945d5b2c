// What a manager knows about one of its files (QNX iofunc_attr_t) and the POSIX permission
// check against a client's credentials.
import { KernelError } from "../kernel/errno.ts";
import type { StatRecord } from "./messages.ts";
import { R_OK, S_IFMT, W_OK, X_OK } from "./io-constants.ts";

export interface Attr {
  ino: number;
  /** st_mode: type bits and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
  atime: number;
  mtime: number;
  ctime: number;
  rdev?: number;
}

export interface Credentials {
  uid: number;
  gid: number;
}

export function newAttr(ino: number, mode: number, uid: number, gid: number, now: number): Attr {
  return { ino, mode, uid, gid, nlink: 1, size: 0, atime: now, mtime: now, ctime: now };
}

/**
 * True when `cred` may access `attr` for all of `want` (R_OK | W_OK | X_OK). Root passes for
 * read and write, and for execute when any execute bit is set (POSIX).
 */
export function mayAccess(cred: Credentials, attr: Attr, want: number): boolean {
  if (want === 0) return true;
  if (cred.uid === 0) {
    if ((want & X_OK) === 0) return true;
    const isDir = (attr.mode & S_IFMT) === 0o040000;
    return isDir || (attr.mode & 0o111) !== 0;
  }
  let bits: number;
  if (cred.uid === attr.uid) bits = (attr.mode >> 6) & 7;
  else if (cred.gid === attr.gid) bits = (attr.mode >> 3) & 7;
  else bits = attr.mode & 7;
  return (bits & want) === want;
}

export function checkAccess(cred: Credentials, attr: Attr, want: number): void {
  if (!mayAccess(cred, attr, want)) throw new KernelError("EACCES");
}

/** The access an open flag set asks for (O_RDONLY → R, O_WRONLY → W, O_RDWR → RW; O_TRUNC → W). */
export function accessForOpen(ioflag: number): number {
  const acc = ioflag & 3;
  let want = acc === 0 ? R_OK : acc === 1 ? W_OK : R_OK | W_OK;
  if (ioflag & 0o1000) want |= W_OK;
  return want;
}

/** chmod: only the owner or root (EPERM otherwise). */
export function checkOwner(cred: Credentials, attr: Attr): void {
  if (cred.uid !== 0 && cred.uid !== attr.uid) throw new KernelError("EPERM");
}

/** chown: root may change anything; the owner may only change the group to its own. */
export function checkChown(cred: Credentials, attr: Attr, uid: number, gid: number): void {
  if (cred.uid === 0) return;
  if (cred.uid !== attr.uid || uid !== attr.uid || gid !== cred.gid) throw new KernelError("EPERM");
}

export function attrToStat(attr: Attr, dev: number): StatRecord {
  return {
    ino: attr.ino,
    size: attr.size,
    dev,
    rdev: attr.rdev ?? 0,
    uid: attr.uid,
    gid: attr.gid,
    mode: attr.mode,
    nlink: attr.nlink,
    atime: attr.atime,
    mtime: attr.mtime,
    ctime: attr.ctime,
    blksize: 512,
    blocks: Math.ceil(attr.size / 512),
  };
}
