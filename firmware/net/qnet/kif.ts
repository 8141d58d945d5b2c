// Kernel-interface messages (layer 0): what one node's kernel asks of another's — connect, send,
// read and write a client's buffers, reply, error, pulse, event, signal, unblock, disconnect.
// Each is a 4-byte header (type u16, size u16) and a body of 32-bit fields. MsgSend and the
// data-carrying replies (MSGWRITE, MSGREPLY, MSGERROR, MSGREAD_XFER, MSGREAD_ERROR) are per-message
// hot path, so they have DataView readers and writers; the rest are typed-binary schemas.
// Layout: docs/qnet.md ("Kernel interface").
import bin, { MaxValue } from "typed-binary";
import type { Parsed } from "typed-binary";
import { KernelError } from "../../kernel/errno.ts";
import { decode, encode } from "../control/codec.ts";

export const KIF = {
  CONNECT: 0,
  CONNECT_MSGSEND: 1,
  CONNECT_SUCCESS: 2,
  CONNECT_FAIL: 3,
  UNBLOCK: 4,
  MSGSEND: 5,
  MSGREAD: 6,
  MSGREAD_XFER: 7,
  MSGWRITE: 8,
  MSGREPLY: 9,
  MSGERROR: 10,
  EVENT: 11,
  PULSE: 12,
  SIGNAL: 13,
  DISCONNECT: 14,
  CONNECT_DEATH: 15,
  MSGREAD_ERROR: 16,
  CONNECT_PULSE: 17,
} as const;
export type KifType = (typeof KIF)[keyof typeof KIF];

/** Type bit: a credentials block follows the body. */
export const KIF_CRED = 0x100;
const KIF_TYPE_MASK = 0x7f;
export const KIF_HDR_LEN = 4;
/** Header, server id, client handle, 8-field sender info, nbytes; the message follows. */
export const KIF_MSGSEND_LEN = 48;
/** Header, status, handle, offset, nbytes; the data follows. */
export const KIF_XFER_LEN = 20;
/** Protocol version carried by CONNECT, CONNECT_SUCCESS and CONNECT_FAIL. */
export const KIF_VERSION = 1;
/** Most supplementary groups a credentials block carries. */
export const KIF_NGROUPS_MAX = 8;
const CRED_FIXED_LEN = 44;

/** The kind of a KIF payload (low 7 bits of its type). */
export function kifType(v: DataView, off: number, le: boolean): number {
  return v.getUint16(off, le) & KIF_TYPE_MASK;
}

// ---- MsgSend (hot path) ----------------------------------------------------------------------

/** A MsgSend's fixed part. The kernel's `_msg_info` fields ride in it (srcnd, lengths, priority). */
export interface KifMsgSend {
  serverId: number;
  clientHandle: number;
  tid: number;
  coid: number;
  priority: number;
  srcmsglen: number;
  keydata: number;
  srcnd: number;
  dstmsglen: number;
  /** Message bytes following the fixed part in this packet's payload. */
  nbytes: number;
}

export function writeKifMsgSend(v: DataView, off: number, le: boolean, m: KifMsgSend): void {
  v.setUint16(off, KIF.MSGSEND, le);
  v.setUint16(off + 2, KIF_MSGSEND_LEN, le);
  v.setUint32(off + 4, m.serverId, le);
  v.setUint32(off + 8, m.clientHandle, le);
  v.setInt32(off + 12, m.tid, le);
  v.setInt32(off + 16, m.coid, le);
  v.setInt32(off + 20, m.priority, le);
  v.setInt32(off + 24, m.srcmsglen, le);
  v.setInt32(off + 28, m.keydata, le);
  v.setInt32(off + 32, m.srcnd, le);
  v.setInt32(off + 36, m.dstmsglen, le);
  v.setInt32(off + 40, 0, le);
  v.setUint32(off + 44, m.nbytes, le);
}

/** Fills `m`; the caller has checked `len >= KIF_MSGSEND_LEN`. nbytes is bounded by `len`. */
export function readKifMsgSend(
  v: DataView,
  off: number,
  len: number,
  le: boolean,
  m: KifMsgSend,
): KifMsgSend {
  m.serverId = v.getUint32(off + 4, le);
  m.clientHandle = v.getUint32(off + 8, le);
  m.tid = v.getInt32(off + 12, le);
  m.coid = v.getInt32(off + 16, le);
  m.priority = v.getInt32(off + 20, le);
  m.srcmsglen = v.getInt32(off + 24, le);
  m.keydata = v.getInt32(off + 28, le);
  m.srcnd = v.getInt32(off + 32, le);
  m.dstmsglen = v.getInt32(off + 36, le);
  const n = v.getUint32(off + 44, le);
  if (n > len - KIF_MSGSEND_LEN)
    throw bad("MsgSend", `nbytes ${n} exceeds the ${len - KIF_MSGSEND_LEN} bytes carried`);
  m.nbytes = n;
  return m;
}

// ---- data transfers: MSGWRITE, MSGREPLY, MSGERROR, MSGREAD_XFER, MSGREAD_ERROR (hot path) ------

export interface KifXfer {
  type: number;
  /** Reply status, or errno for MSGERROR / MSGREAD_ERROR. */
  status: number;
  handle: number;
  offset: number;
  nbytes: number;
}

export function isKifXfer(type: number): boolean {
  return (type >= KIF.MSGREAD_XFER && type <= KIF.MSGERROR) || type === KIF.MSGREAD_ERROR;
}

export function writeKifXfer(v: DataView, off: number, le: boolean, x: KifXfer): void {
  v.setUint16(off, x.type, le);
  v.setUint16(off + 2, KIF_XFER_LEN, le);
  v.setInt32(off + 4, x.status, le);
  v.setUint32(off + 8, x.handle, le);
  v.setUint32(off + 12, x.offset, le);
  v.setUint32(off + 16, x.nbytes, le);
}

export function readKifXfer(v: DataView, off: number, len: number, le: boolean, x: KifXfer): KifXfer {
  x.type = kifType(v, off, le);
  x.status = v.getInt32(off + 4, le);
  x.handle = v.getUint32(off + 8, le);
  x.offset = v.getUint32(off + 12, le);
  const n = v.getUint32(off + 16, le);
  if (n > len - KIF_XFER_LEN)
    throw bad("transfer", `nbytes ${n} exceeds the ${len - KIF_XFER_LEN} bytes carried`);
  x.nbytes = n;
  return x;
}

// ---- control messages (typed-binary) ---------------------------------------------------------

const VInfo = {
  serverId: bin.u32,
  clientHandle: bin.u32,
  tid: bin.i32,
  coid: bin.i32,
  priority: bin.i32,
  srcmsglen: bin.i32,
  keydata: bin.i32,
  srcnd: bin.i32,
  dstmsglen: bin.i32,
  zero: bin.i32,
};

export const KIF_BODY = {
  [KIF.CONNECT]: bin.object({
    version: bin.u32,
    serverPid: bin.u32,
    serverChid: bin.u32,
    clientId: bin.u32,
    clientPid: bin.u32,
  }),
  [KIF.CONNECT_SUCCESS]: bin.object({
    version: bin.u32,
    serverId: bin.u32,
    clientId: bin.u32,
    scoid: bin.u32,
    nbytes: bin.u32,
  }),
  [KIF.CONNECT_FAIL]: bin.object({ version: bin.u32, clientId: bin.u32, status: bin.i32 }),
  [KIF.UNBLOCK]: bin.object({ serverId: bin.u32, clientHandle: bin.u32, tid: bin.i32 }),
  [KIF.MSGREAD]: bin.object({ handle: bin.u32, clientHandle: bin.u32, offset: bin.u32, nbytes: bin.u32 }),
  [KIF.EVENT]: bin.object({
    clientHandle: bin.u32,
    notify: bin.i32,
    union1: bin.i32,
    value: bin.i32,
    union2: bin.i32,
  }),
  [KIF.PULSE]: bin.object({
    ...VInfo,
    type: bin.u16,
    subtype: bin.u16,
    code: bin.i8,
    reserved1: bin.u8,
    reserved2: bin.u8,
    reserved3: bin.u8,
    value: bin.i32,
    scoid: bin.i32,
    pulsePriority: bin.i32,
  }),
  [KIF.SIGNAL]: bin.object({
    clientHandle: bin.u32,
    pid: bin.i32,
    tid: bin.i32,
    signo: bin.i32,
    code: bin.i32,
    value: bin.i32,
  }),
  [KIF.DISCONNECT]: bin.object({ serverId: bin.u32 }),
  [KIF.CONNECT_DEATH]: bin.object({ clientId: bin.u32 }),
  [KIF.CONNECT_PULSE]: bin.object({}),
} as const;

export type KifControlType = keyof typeof KIF_BODY;
export type KifBody<T extends KifControlType> = Parsed<(typeof KIF_BODY)[T]>;

/** The client's identity, sent with CONNECT (and SIGNAL); mapany/maproot act on it. */
export interface KifCred {
  nd: number;
  pid: number;
  sid: number;
  flags: number;
  ruid: number;
  euid: number;
  suid: number;
  rgid: number;
  egid: number;
  sgid: number;
  groups: number[];
}

export interface KifControl<T extends KifControlType = KifControlType> {
  type: T;
  body: KifBody<T>;
  cred?: KifCred;
}

export function encodeKifControl<T extends KifControlType>(m: KifControl<T>, le = true): Uint8Array {
  const body = encode(KIF_BODY[m.type] as never, m.body as never, le ? "little" : "big");
  const credLen = m.cred ? CRED_FIXED_LEN + 4 * m.cred.groups.length : 0;
  if (m.cred && m.cred.groups.length > KIF_NGROUPS_MAX) {
    throw new KernelError("EINVAL", `qnet kif: ${m.cred.groups.length} groups (at most ${KIF_NGROUPS_MAX})`);
  }
  const out = new Uint8Array(KIF_HDR_LEN + body.length + credLen);
  const v = new DataView(out.buffer);
  v.setUint16(0, m.type | (m.cred ? KIF_CRED : 0), le);
  v.setUint16(2, KIF_HDR_LEN + body.length, le);
  out.set(body, KIF_HDR_LEN);
  if (m.cred) writeCred(v, KIF_HDR_LEN + body.length, le, m.cred);
  return out;
}

export function decodeKifControl(payload: Uint8Array, le = true): KifControl {
  if (payload.length < KIF_HDR_LEN)
    throw bad("message", `${payload.length} bytes is shorter than the header`);
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const raw = v.getUint16(0, le);
  const type = raw & KIF_TYPE_MASK;
  if (!(type in KIF_BODY)) throw bad("message", `type ${type} is not a control message`);
  const schema = KIF_BODY[type as KifControlType];
  const size = schema.measure(MaxValue).size;
  if (payload.length < KIF_HDR_LEN + size) {
    throw bad(kifName(type), `body of ${payload.length - KIF_HDR_LEN} bytes is shorter than ${size}`);
  }
  const body = decode(
    schema as never,
    payload.subarray(KIF_HDR_LEN, KIF_HDR_LEN + size),
    le ? "little" : "big",
    "qnet kif body",
  );
  const out: KifControl = { type: type as KifControlType, body: body as never };
  if (raw & KIF_CRED) out.cred = readCred(v, KIF_HDR_LEN + size, payload.length, le);
  return out;
}

function writeCred(v: DataView, off: number, le: boolean, c: KifCred): void {
  const f = [
    c.nd,
    c.pid,
    c.sid,
    c.flags,
    c.ruid,
    c.euid,
    c.suid,
    c.rgid,
    c.egid,
    c.sgid,
    c.groups.length,
    ...c.groups,
  ];
  f.forEach((x, i) => v.setInt32(off + 4 * i, x, le));
}

function readCred(v: DataView, off: number, end: number, le: boolean): KifCred {
  if (end - off < CRED_FIXED_LEN)
    throw bad("credentials", `${end - off} bytes is shorter than ${CRED_FIXED_LEN}`);
  const f = (i: number) => v.getInt32(off + 4 * i, le);
  const n = f(10);
  if (n < 0 || n > KIF_NGROUPS_MAX) throw bad("credentials", `${n} groups (at most ${KIF_NGROUPS_MAX})`);
  if (end - off < CRED_FIXED_LEN + 4 * n)
    throw bad("credentials", `group list of ${n} runs past the message`);
  const groups: number[] = [];
  for (let i = 0; i < n; i++) groups.push(f(11 + i));
  return {
    nd: f(0),
    pid: f(1),
    sid: f(2),
    flags: f(3),
    ruid: f(4),
    euid: f(5),
    suid: f(6),
    rgid: f(7),
    egid: f(8),
    sgid: f(9),
    groups,
  };
}

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(KIF).map(([k, n]) => [n, k]));

/** The message's name as tshark prints the type (e.g. "MSGSEND"). */
export function kifName(type: number): string {
  return NAMES[type] ?? `type ${type}`;
}

function bad(what: string, why: string): KernelError {
  return new KernelError("EBADMSG", `qnet kif ${what}: ${why}`);
}
