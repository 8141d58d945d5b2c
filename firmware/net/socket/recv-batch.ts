// The RECVMMSG reply (and RECVMSG's, as a batch of one): many datagrams in one message (recvmmsg(2)'s idea), so a flood costs one
// kernel round trip per batch instead of one per datagram. Hand-coded with a DataView rather
// than typed-binary: it is the per-datagram hot path, and typed-binary's per-value measuring
// and reader set-up cost more than the rest of a receive (docs/sockets.md, "Performance").
// Layout, network byte order: `count u32`, then per datagram
//   flags u32 (MSG_TRUNC), family u8, port u16, addr u32, dst u32, ifindex u32,
//   tsUs f64 (SO_TIMESTAMP, 0 without it), pathLen u16, path (UTF-8), dataLen u32, data.
import { KernelError } from "../../kernel/errno.ts";
import { devctlReplyData } from "../../resmgr/messages.ts";
import { MSG_TRUNC } from "./constants.ts";
import type { SockAddr } from "./messages.ts";
import type { SockData } from "./socket.ts";

/** Bytes of a record before its path and data. */
export const RECORD_FIXED = 4 + 1 + 2 + 4 + 4 + 4 + 8 + 2 + 4;
const COUNT_LEN = 4;
/** Datagrams one reply carries at most (also the limit a request may ask for). */
export const BATCH_MAX = 1024;

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const EMPTY = new Uint8Array(0);

/** One decoded datagram: `data` is a view into the reply (no copy). */
export interface BatchRecord {
  flags: number;
  from: SockAddr;
  dst: number;
  ifindex: number;
  tsUs: number;
  data: Uint8Array;
}

/** Where the encoder takes its records from: the socket buffer, read without removing. */
export interface BatchSource {
  readonly records: number;
  peekAt(i: number): SockData | undefined;
}

const pathBytes = (a: SockAddr | null): Uint8Array =>
  a === null || a.path === "" ? EMPTY : enc.encode(a.path);

/**
 * How many of the first records of `src` one reply takes: at most `count`, each cut to `max`
 * data bytes, the whole within `bytes` (at least one record when any is queued).
 */
export function batchSize(
  src: BatchSource,
  count: number,
  max: number,
  bytes: number,
): { n: number; size: number } {
  let size = COUNT_LEN;
  let n = 0;
  const limit = Math.min(count, src.records, BATCH_MAX);
  while (n < limit) {
    const r = src.peekAt(n) as SockData;
    const path = r.from === null || r.from.path === "" ? 0 : enc.encode(r.from.path).byteLength;
    const k = RECORD_FIXED + path + Math.min(r.data.byteLength, max);
    if (n > 0 && size + k > bytes) break;
    size += k;
    n++;
  }
  return { n, size };
}

/** Encodes the first `n` records of `src` (measured by batchSize into `size` bytes). */
export function encodeBatch(src: BatchSource, n: number, size: number, max: number): Uint8Array {
  // Built with the devctl header's room in front: the reply goes out without another copy.
  const out = devctlReplyData(size);
  const v = new DataView(out.buffer, out.byteOffset, size);
  v.setUint32(0, n);
  let at = COUNT_LEN;
  for (let i = 0; i < n; i++) {
    const r = src.peekAt(i) as SockData;
    const len = Math.min(r.data.byteLength, max);
    const f = r.from;
    v.setUint32(at, r.data.byteLength > max ? MSG_TRUNC : 0);
    v.setUint8(at + 4, f === null ? 0 : f.family);
    v.setUint16(at + 5, f === null ? 0 : f.port);
    v.setUint32(at + 7, f === null ? 0 : f.addr);
    v.setUint32(at + 11, r.dst);
    v.setUint32(at + 15, r.ifindex);
    v.setFloat64(at + 19, r.tsUs ?? 0);
    const path = pathBytes(f);
    v.setUint16(at + 27, path.byteLength);
    out.set(path, at + 29);
    at += 29 + path.byteLength;
    v.setUint32(at, len);
    out.set(len === r.data.byteLength ? r.data : r.data.subarray(0, len), at + 4);
    at += 4 + len;
  }
  return out;
}

/**
 * A RECVMSG reply: the same layout with one record (or none: end of file). `truncated` marks
 * a record already cut by its reader (stream reads), beside datagrams longer than `max`.
 */
export function encodeOne(rec: SockData | null, max: number, truncated = false): Uint8Array {
  const src: BatchSource = { records: rec === null ? 0 : 1, peekAt: () => rec ?? undefined };
  const { n, size } = batchSize(src, 1, max, Number.MAX_SAFE_INTEGER);
  const out = encodeBatch(src, n, size, max);
  if (truncated && n === 1) new DataView(out.buffer, out.byteOffset).setUint32(COUNT_LEN, MSG_TRUNC);
  return out;
}

/** A malformed batch: EBADMSG naming the record and field. */
function bad(what: string, i: number, at: number): KernelError {
  return new KernelError("EBADMSG", `recvmmsg reply: ${what} of record ${i} at byte ${at}`);
}

/**
 * Decodes a RECVMMSG reply. Every length is checked against the bytes present; the data are
 * views into `b`. Throws EBADMSG naming the record and field on anything malformed.
 */
export function decodeBatch(b: Uint8Array): BatchRecord[] {
  if (b.byteLength < COUNT_LEN) throw bad("count", 0, 0);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = v.getUint32(0);
  if (n > BATCH_MAX) throw new KernelError("EBADMSG", `recvmmsg reply: ${n} records (at most ${BATCH_MAX})`);
  const out: BatchRecord[] = new Array<BatchRecord>(n);
  let at = COUNT_LEN;
  for (let i = 0; i < n; i++) {
    if (at + 29 > b.byteLength) throw bad("header", i, at);
    const pathLen = v.getUint16(at + 27);
    if (at + 29 + pathLen + 4 > b.byteLength) throw bad("path", i, at + 27);
    let path = "";
    if (pathLen > 0) {
      try {
        path = dec.decode(b.subarray(at + 29, at + 29 + pathLen));
      } catch {
        throw bad("path encoding", i, at + 29);
      }
    }
    const lenAt = at + 29 + pathLen;
    const len = v.getUint32(lenAt);
    if (lenAt + 4 + len > b.byteLength) throw bad("data length", i, lenAt);
    out[i] = {
      flags: v.getUint32(at),
      from: { family: v.getUint8(at + 4), port: v.getUint16(at + 5), addr: v.getUint32(at + 7), path },
      dst: v.getUint32(at + 11),
      ifindex: v.getUint32(at + 15),
      tsUs: v.getFloat64(at + 19),
      data: b.subarray(lenAt + 4, lenAt + 4 + len),
    };
    at = lenAt + 4 + len;
  }
  if (at !== b.byteLength) throw bad("trailing bytes after", n, at);
  return out;
}
