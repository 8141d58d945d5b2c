// The I/O message protocol between clients and resource managers: typed-binary schemas in
// network byte order (big endian). Locally the bytes are passed by reference; over Qnet the
// same bytes travel, which is what makes remote managers transparent. Every decoder checks
// lengths before reading and fails only with KernelError("EBADMSG" / "EMSGSIZE" …).
// Layouts are documented in docs/resmgr.md.
import { unfilledBytes } from "../kernel/bytes.ts";
import bin, { BufferReader, BufferWriter } from "typed-binary";
import type { AnySchema, Parsed } from "typed-binary";
import { KernelError } from "../kernel/errno.ts";
import { i64 } from "./int64-schema.ts";
import {
  CONNECT_SUBTYPES,
  IO_CHMOD,
  IO_CHOWN,
  IO_CLOSE,
  IO_CONNECT,
  IO_DEVCTL,
  IO_DUP,
  IO_FDINFO,
  IO_LSEEK,
  IO_MAX_DATA,
  IO_NOTIFY,
  IO_READ,
  IO_STAT,
  IO_UTIME,
  IO_WRITE,
  PATH_MAX,
} from "./io-constants.ts";

// ---- schemas -------------------------------------------------------------------------------

/** Common header of every message after open: type, combine length (0), the OCB handle. */
export const IoHeader = bin.object({ type: bin.u16, combine: bin.u16, handle: bin.u32 });

export const ConnectFixed = bin.object({
  type: bin.u16,
  subtype: bin.u16,
  handle: bin.u32,
  ioflag: bin.u32,
  mode: bin.u32,
  eflag: bin.u8,
  extraType: bin.u8,
  pathLen: bin.u16,
  extraLen: bin.u32,
});
export const ReadFixed = bin.object({
  type: bin.u16,
  combine: bin.u16,
  handle: bin.u32,
  nbytes: bin.u32,
  xtype: bin.u32,
  offset: i64,
});
export const WriteFixed = ReadFixed;
export const LseekFixed = bin.object({
  type: bin.u16,
  combine: bin.u16,
  handle: bin.u32,
  whence: bin.u16,
  zero: bin.u16,
  offset: i64,
});
export const DevctlFixed = bin.object({
  type: bin.u16,
  combine: bin.u16,
  handle: bin.u32,
  dcmd: bin.u32,
  nbytes: bin.u32,
  replyMax: bin.u32,
});
export const ChmodFixed = bin.object({ type: bin.u16, combine: bin.u16, handle: bin.u32, mode: bin.u32 });
export const ChownFixed = bin.object({
  type: bin.u16,
  combine: bin.u16,
  handle: bin.u32,
  uid: bin.u32,
  gid: bin.u32,
});
export const UtimeFixed = bin.object({
  type: bin.u16,
  combine: bin.u16,
  handle: bin.u32,
  atime: i64,
  mtime: i64,
});
export const DupFixed = bin.object({ type: bin.u16, combine: bin.u16, handle: bin.u32, srcPid: bin.u32 });
export const NotifyFixed = bin.object({
  type: bin.u16,
  combine: bin.u16,
  handle: bin.u32,
  action: bin.u16,
  priority: bin.u16,
  flags: bin.u32,
  code: bin.i32,
  value: bin.i32,
  coid: bin.i32,
});

/** Reply to _IO_CONNECT; `tail` follows (a path for LINK/TEXT, a stat struct for STAT). */
export const ConnectReplyFixed = bin.object({
  kind: bin.u16,
  zero: bin.u16,
  handle: bin.u32,
  mode: bin.u32,
  tailLen: bin.u32,
});
export const StatSchema = bin.object({
  ino: i64,
  size: i64,
  dev: bin.u32,
  rdev: bin.u32,
  uid: bin.u32,
  gid: bin.u32,
  mode: bin.u32,
  nlink: bin.u32,
  atime: i64,
  mtime: i64,
  ctime: i64,
  blksize: bin.u32,
  blocks: bin.u32,
});
export const WriteReply = bin.object({ nbytes: bin.u32 });
export const LseekReply = bin.object({ offset: i64 });
export const DevctlReplyFixed = bin.object({ ret: bin.i32, nbytes: bin.u32 });
export const NotifyReply = bin.object({ flags: bin.u32 });

/** What the connect reply means. */
export const REPLY_DONE = 0; // done, nothing opened (unlink, mkdir …)
export const REPLY_OPENED = 1; // an OCB was opened: `handle`, `mode` is its st_mode
export const REPLY_LINK = 2; // a symlink was met: resolve `tail` (an absolute path) instead
export const REPLY_TEXT = 3; // readlink: `tail` is the link's target
export const REPLY_STAT = 4; // stat by path: `tail` is a stat struct

/** _IO_NOTIFY actions. */
export const NOTIFY_ACTION_POLL = 0; // report what is ready now
export const NOTIFY_ACTION_ARM = 1; // and send a pulse (code, value) on this connection's client when ready

// ---- decoded forms -------------------------------------------------------------------------

export type StatRecord = Parsed<typeof StatSchema>;

export interface ConnectRequest {
  type: typeof IO_CONNECT;
  subtype: number;
  /** Which of the manager's attachments (the id it registered in the path space). */
  handle: number;
  ioflag: number;
  mode: number;
  eflag: number;
  extraType: number;
  path: string;
  extra: Uint8Array;
}
export interface ReadRequest {
  type: typeof IO_READ;
  handle: number;
  nbytes: number;
  xtype: number;
  offset: number;
}
export interface WriteRequest {
  type: typeof IO_WRITE;
  handle: number;
  xtype: number;
  offset: number;
  data: Uint8Array;
}
export interface LseekRequest {
  type: typeof IO_LSEEK;
  handle: number;
  whence: number;
  offset: number;
}
export interface HandleRequest {
  type: typeof IO_STAT | typeof IO_CLOSE;
  handle: number;
}
export interface DevctlRequest {
  type: typeof IO_DEVCTL;
  handle: number;
  dcmd: number;
  replyMax: number;
  data: Uint8Array;
}
export interface ChmodRequest {
  type: typeof IO_CHMOD;
  handle: number;
  mode: number;
}
export interface ChownRequest {
  type: typeof IO_CHOWN;
  handle: number;
  uid: number;
  gid: number;
}
export interface UtimeRequest {
  type: typeof IO_UTIME;
  handle: number;
  atime: number;
  mtime: number;
}
/** A handle of another process, named with its owner: _IO_DUP shares it, _IO_FDINFO reads its offset. */
export interface DupRequest {
  type: typeof IO_DUP | typeof IO_FDINFO;
  handle: number;
  srcPid: number;
}
export interface NotifyRequest {
  type: typeof IO_NOTIFY;
  handle: number;
  action: number;
  priority: number;
  flags: number;
  /** The pulse to send when armed: over the client's own connection `coid`. */
  code: number;
  value: number;
  coid: number;
}
export type IoRequest =
  | ConnectRequest
  | ReadRequest
  | WriteRequest
  | LseekRequest
  | HandleRequest
  | DevctlRequest
  | ChmodRequest
  | ChownRequest
  | UtimeRequest
  | DupRequest
  | NotifyRequest;

export interface ConnectReply {
  kind: number;
  handle: number;
  mode: number;
  tail: Uint8Array;
}

// ---- helpers -------------------------------------------------------------------------------

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

function sizeOf(schema: AnySchema): number {
  return (schema as unknown as { maxSize: number }).maxSize;
}

/** Encodes `value` with `schema`, followed by the raw `tail` bytes. */
export function encodeWith<T extends AnySchema>(
  schema: T,
  value: Parsed<T["__unwrapped"]>,
  tail?: Uint8Array,
): Uint8Array {
  const fixed = sizeOf(schema);
  const out = new Uint8Array(fixed + (tail ? tail.byteLength : 0));
  schema.write(new BufferWriter(out.buffer, { endianness: "big" }), value as never);
  if (tail) out.set(tail, fixed);
  return out;
}

/** Decodes the fixed part; EBADMSG when `bytes` is shorter than the schema. */
export function decodeWith<T extends AnySchema>(schema: T, bytes: Uint8Array): Parsed<T["__unwrapped"]> {
  if (bytes.byteLength < sizeOf(schema)) throw new KernelError("EBADMSG", "message too short");
  return schema.read(
    new BufferReader(bytes.buffer, { byteOffset: bytes.byteOffset, endianness: "big" }),
  ) as Parsed<T["__unwrapped"]>;
}

export function encodeText(s: string): Uint8Array {
  return utf8.encode(s);
}

export function decodeText(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new KernelError("EBADMSG", "invalid UTF-8 in message");
  }
}

function checkData(len: number): void {
  if (len > IO_MAX_DATA) throw new KernelError("EMSGSIZE");
}

/** The type field of any message (first u16), or EBADMSG. */
export function messageType(bytes: Uint8Array): number {
  if (bytes.byteLength < 2) throw new KernelError("EBADMSG", "message too short");
  return (bytes[0]! << 8) | bytes[1]!;
}

// ---- requests ------------------------------------------------------------------------------

export function encodeRequest(req: IoRequest): Uint8Array {
  switch (req.type) {
    case IO_CONNECT: {
      const path = utf8.encode(req.path);
      if (path.byteLength > PATH_MAX) throw new KernelError("ENAMETOOLONG");
      checkData(req.extra.byteLength);
      const tail = new Uint8Array(path.byteLength + req.extra.byteLength);
      tail.set(path, 0);
      tail.set(req.extra, path.byteLength);
      return encodeWith(
        ConnectFixed,
        {
          type: IO_CONNECT,
          subtype: req.subtype,
          handle: req.handle >>> 0,
          ioflag: req.ioflag >>> 0,
          mode: req.mode >>> 0,
          eflag: req.eflag & 0xff,
          extraType: req.extraType & 0xff,
          pathLen: path.byteLength,
          extraLen: req.extra.byteLength,
        },
        tail,
      );
    }
    case IO_READ:
      return encodeWith(ReadFixed, { ...req, combine: 0 });
    case IO_WRITE:
      checkData(req.data.byteLength);
      return encodeWith(
        WriteFixed,
        {
          type: IO_WRITE,
          combine: 0,
          handle: req.handle,
          nbytes: req.data.byteLength,
          xtype: req.xtype,
          offset: req.offset,
        },
        req.data,
      );
    case IO_LSEEK:
      return encodeWith(LseekFixed, { ...req, combine: 0, zero: 0 });
    case IO_STAT:
    case IO_CLOSE:
      return encodeWith(IoHeader, { type: req.type, combine: 0, handle: req.handle });
    case IO_DEVCTL:
      checkData(req.data.byteLength);
      return encodeWith(
        DevctlFixed,
        {
          type: IO_DEVCTL,
          combine: 0,
          handle: req.handle,
          dcmd: req.dcmd >>> 0,
          nbytes: req.data.byteLength,
          replyMax: req.replyMax,
        },
        req.data,
      );
    case IO_CHMOD:
      return encodeWith(ChmodFixed, { ...req, combine: 0 });
    case IO_CHOWN:
      return encodeWith(ChownFixed, { ...req, combine: 0 });
    case IO_UTIME:
      return encodeWith(UtimeFixed, { ...req, combine: 0 });
    case IO_DUP:
    case IO_FDINFO:
      return encodeWith(DupFixed, { ...req, combine: 0 });
    case IO_NOTIFY:
      return encodeWith(NotifyFixed, { ...req, combine: 0 });
  }
}

/** Decodes any request; KernelError EBADMSG / EMSGSIZE / ENOSYS (unknown type) otherwise. */
export function decodeRequest(bytes: Uint8Array): IoRequest {
  const type = messageType(bytes);
  switch (type) {
    case IO_CONNECT: {
      const f = decodeWith(ConnectFixed, bytes);
      if (!CONNECT_SUBTYPES.includes(f.subtype)) throw new KernelError("ENOSYS", "unknown connect subtype");
      if (f.pathLen > PATH_MAX) throw new KernelError("ENAMETOOLONG");
      if (f.extraLen > IO_MAX_DATA) throw new KernelError("EMSGSIZE");
      const start = sizeOf(ConnectFixed);
      if (bytes.byteLength !== start + f.pathLen + f.extraLen) {
        throw new KernelError("EBADMSG", "connect lengths disagree with the message size");
      }
      const path = decodeText(bytes.subarray(start, start + f.pathLen));
      if (path.includes("\0")) throw new KernelError("EBADMSG", "NUL in path");
      return {
        type: IO_CONNECT,
        subtype: f.subtype,
        handle: f.handle,
        ioflag: f.ioflag,
        mode: f.mode,
        eflag: f.eflag,
        extraType: f.extraType,
        path,
        extra: bytes.subarray(start + f.pathLen),
      };
    }
    case IO_READ: {
      const f = decodeWith(ReadFixed, bytes);
      if (f.nbytes > IO_MAX_DATA) throw new KernelError("EMSGSIZE");
      return { type: IO_READ, handle: f.handle, nbytes: f.nbytes, xtype: f.xtype, offset: f.offset };
    }
    case IO_WRITE: {
      const f = decodeWith(WriteFixed, bytes);
      if (f.nbytes > IO_MAX_DATA) throw new KernelError("EMSGSIZE");
      const start = sizeOf(WriteFixed);
      if (bytes.byteLength !== start + f.nbytes) throw new KernelError("EBADMSG", "write length mismatch");
      return {
        type: IO_WRITE,
        handle: f.handle,
        xtype: f.xtype,
        offset: f.offset,
        data: bytes.subarray(start),
      };
    }
    case IO_LSEEK: {
      const f = decodeWith(LseekFixed, bytes);
      return { type: IO_LSEEK, handle: f.handle, whence: f.whence, offset: f.offset };
    }
    case IO_STAT:
    case IO_CLOSE: {
      const f = decodeWith(IoHeader, bytes);
      return { type, handle: f.handle };
    }
    case IO_DEVCTL: {
      const f = decodeWith(DevctlFixed, bytes);
      if (f.nbytes > IO_MAX_DATA || f.replyMax > IO_MAX_DATA) throw new KernelError("EMSGSIZE");
      const start = sizeOf(DevctlFixed);
      if (bytes.byteLength !== start + f.nbytes) throw new KernelError("EBADMSG", "devctl length mismatch");
      return {
        type: IO_DEVCTL,
        handle: f.handle,
        dcmd: f.dcmd,
        replyMax: f.replyMax,
        data: bytes.subarray(start),
      };
    }
    case IO_CHMOD: {
      const f = decodeWith(ChmodFixed, bytes);
      return { type: IO_CHMOD, handle: f.handle, mode: f.mode };
    }
    case IO_CHOWN: {
      const f = decodeWith(ChownFixed, bytes);
      return { type: IO_CHOWN, handle: f.handle, uid: f.uid, gid: f.gid };
    }
    case IO_UTIME: {
      const f = decodeWith(UtimeFixed, bytes);
      return { type: IO_UTIME, handle: f.handle, atime: f.atime, mtime: f.mtime };
    }
    case IO_DUP:
    case IO_FDINFO: {
      const f = decodeWith(DupFixed, bytes);
      return { type: f.type === IO_DUP ? IO_DUP : IO_FDINFO, handle: f.handle, srcPid: f.srcPid };
    }
    case IO_NOTIFY: {
      const f = decodeWith(NotifyFixed, bytes);
      return {
        type: IO_NOTIFY,
        handle: f.handle,
        action: f.action,
        priority: f.priority,
        flags: f.flags,
        code: f.code,
        value: f.value,
        coid: f.coid,
      };
    }
    default:
      throw new KernelError("ENOSYS", `unknown message type 0x${type.toString(16)}`);
  }
}

// ---- replies -------------------------------------------------------------------------------

export function encodeConnectReply(r: ConnectReply): Uint8Array {
  return encodeWith(
    ConnectReplyFixed,
    { kind: r.kind, zero: 0, handle: r.handle, mode: r.mode >>> 0, tailLen: r.tail.byteLength },
    r.tail,
  );
}

export function decodeConnectReply(bytes: Uint8Array): ConnectReply {
  const f = decodeWith(ConnectReplyFixed, bytes);
  const start = sizeOf(ConnectReplyFixed);
  if (f.kind > REPLY_STAT) throw new KernelError("EBADMSG", "unknown connect reply");
  if (bytes.byteLength !== start + f.tailLen) throw new KernelError("EBADMSG", "connect reply length");
  return { kind: f.kind, handle: f.handle, mode: f.mode, tail: bytes.subarray(start) };
}

export function encodeStat(s: StatRecord): Uint8Array {
  return encodeWith(StatSchema, s);
}

export function decodeStat(bytes: Uint8Array): StatRecord {
  if (bytes.byteLength !== sizeOf(StatSchema)) throw new KernelError("EBADMSG", "stat reply length");
  return decodeWith(StatSchema, bytes);
}

export function encodeWriteReply(nbytes: number): Uint8Array {
  return encodeWith(WriteReply, { nbytes });
}
export function decodeWriteReply(bytes: Uint8Array): number {
  return decodeWith(WriteReply, bytes).nbytes;
}
export function encodeLseekReply(offset: number): Uint8Array {
  return encodeWith(LseekReply, { offset });
}
export function decodeLseekReply(bytes: Uint8Array): number {
  return decodeWith(LseekReply, bytes).offset;
}
/** _IO_FDINFO's answer: the offset, then what the manager says the open is (UTF-8, may be empty). */
export function encodeFdInfoReply(offset: number, description: string): Uint8Array {
  return encodeWith(LseekReply, { offset }, new TextEncoder().encode(description));
}
export function decodeFdInfoReply(bytes: Uint8Array): { offset: number; description: string } {
  const offset = decodeWith(LseekReply, bytes).offset;
  return { offset, description: new TextDecoder().decode(bytes.subarray(sizeOf(LseekReply))) };
}
export function encodeNotifyReply(flags: number): Uint8Array {
  return encodeWith(NotifyReply, { flags });
}
export function decodeNotifyReply(bytes: Uint8Array): number {
  return decodeWith(NotifyReply, bytes).flags;
}

/** Bytes of a devctl reply before its data (ret i32, nbytes u32, big-endian). */
export const DEVCTL_REPLY_HEAD = 8;

/**
 * The devctl reply around `data`. A handler that built `data` with DEVCTL_REPLY_HEAD bytes of
 * its own buffer reserved in front (`headroom`, see devctlReplyData) gets the header written
 * there: a large reply (a batch of datagrams) is not copied a second time.
 */
export function encodeDevctlReply(ret: number, data: Uint8Array, headroom = false): Uint8Array {
  checkData(data.byteLength);
  if (!headroom || data.byteOffset < DEVCTL_REPLY_HEAD) {
    return encodeWith(DevctlReplyFixed, { ret, nbytes: data.byteLength }, data);
  }
  const out = new Uint8Array(
    data.buffer,
    data.byteOffset - DEVCTL_REPLY_HEAD,
    DEVCTL_REPLY_HEAD + data.byteLength,
  );
  const v = new DataView(out.buffer, out.byteOffset, DEVCTL_REPLY_HEAD);
  v.setInt32(0, ret);
  v.setUint32(4, data.byteLength);
  return out;
}

/**
 * `nbytes` of devctl reply data with the header's room in front (reply with `headroom`). Not
 * zero-filled: the caller writes all `nbytes` (a receive batch is overwritten right away).
 */
export function devctlReplyData(nbytes: number): Uint8Array {
  return unfilledBytes(DEVCTL_REPLY_HEAD + nbytes).subarray(DEVCTL_REPLY_HEAD);
}

export function decodeDevctlReply(bytes: Uint8Array): { ret: number; data: Uint8Array } {
  if (bytes.byteLength < DEVCTL_REPLY_HEAD) throw new KernelError("EBADMSG", "message too short");
  // Read by hand: every socket call's reply passes here.
  const v = new DataView(bytes.buffer, bytes.byteOffset, DEVCTL_REPLY_HEAD);
  const nbytes = v.getUint32(4);
  if (bytes.byteLength !== DEVCTL_REPLY_HEAD + nbytes)
    throw new KernelError("EBADMSG", "devctl reply length");
  return { ret: v.getInt32(0), data: bytes.subarray(DEVCTL_REPLY_HEAD) };
}

/** Extra bytes of CONNECT_CHOWN. */
const IdsSchema = bin.object({ uid: bin.u32, gid: bin.u32 });
export function encodeIds(uid: number, gid: number): Uint8Array {
  return encodeWith(IdsSchema, { uid: uid >>> 0, gid: gid >>> 0 });
}
export function decodeIds(bytes: Uint8Array): { uid: number; gid: number } {
  if (bytes.byteLength !== 8) throw new KernelError("EBADMSG", "ids length");
  return decodeWith(IdsSchema, bytes);
}

/** Extra bytes of CONNECT_UTIME. */
const TimesSchema = bin.object({ atime: i64, mtime: i64 });
export function encodeTimes(atime: number, mtime: number): Uint8Array {
  return encodeWith(TimesSchema, { atime, mtime });
}
export function decodeTimes(bytes: Uint8Array): { atime: number; mtime: number } {
  if (bytes.byteLength !== 16) throw new KernelError("EBADMSG", "times length");
  return decodeWith(TimesSchema, bytes);
}

/** Runs a decoder and turns anything unexpected into EBADMSG (defence in depth for fuzzing). */
export function safeDecode<T>(decode: (b: Uint8Array) => T, bytes: Uint8Array): T {
  try {
    return decode(bytes);
  } catch (e) {
    if (e instanceof KernelError) throw e;
    throw new KernelError("EBADMSG", "malformed message");
  }
}
