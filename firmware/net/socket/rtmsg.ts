// Routing-socket messages (BSD's <net/route.h> rt_msghdr, if_msghdr, ifa_msghdr), the one codec
// for what io-pkt writes to AF_ROUTE sockets and what programs write to change the table.
// Layouts are NetBSD's field order with fixed 32-bit fields, in network byte order like every
// message of this runtime; each header is followed by the sockaddrs its `addrs` bits name, in
// RTAX order, each padded to 4 bytes. docs/sockets.md ("Routing sockets") shows the layouts.
import bin, { BufferReader, BufferWriter, MaxValue } from "typed-binary";
import type { Parsed } from "typed-binary";
import { KernelError } from "../../kernel/errno.ts";
import { AF_INET, AF_UNSPEC } from "./constants.ts";

export const AF_LINK = 18;
/** Version of these layouts; a message of another version is EPROTONOSUPPORT (as on BSD). */
export const RTM_VERSION = 4;

// Message types (NetBSD numbers).
export const RTM_ADD = 0x1;
export const RTM_DELETE = 0x2;
export const RTM_CHANGE = 0x3;
export const RTM_GET = 0x4;
export const RTM_REDIRECT = 0x6;
export const RTM_MISS = 0x7;
export const RTM_NEWADDR = 0xc;
export const RTM_DELADDR = 0xd;
export const RTM_IFINFO = 0x14;

// Which sockaddrs follow (rtm_addrs bits; RTAX_* is the bit number).
export const RTA_DST = 0x1;
export const RTA_GATEWAY = 0x2;
export const RTA_NETMASK = 0x4;
export const RTA_GENMASK = 0x8;
export const RTA_IFP = 0x10;
export const RTA_IFA = 0x20;
export const RTA_AUTHOR = 0x40;
export const RTA_BRD = 0x80;
export const RTAX_MAX = 8;
export const RTAX_DST = 0;
export const RTAX_GATEWAY = 1;
export const RTAX_NETMASK = 2;
export const RTAX_IFP = 4;
export const RTAX_IFA = 5;
export const RTAX_AUTHOR = 6;
export const RTAX_BRD = 7;

/** rtm_inits / rmx_locks bits: which metrics are set. */
export const RTV_MTU = 0x1;

/** ifi_link_state. */
export const LINK_STATE_UNKNOWN = 0;
export const LINK_STATE_DOWN = 1;
export const LINK_STATE_UP = 2;
/** sdl_type of an Ethernet interface (IFT_ETHER), of loopback (IFT_LOOP). */
export const IFT_ETHER = 0x6;
export const IFT_LOOP = 0x18;

/** A sockaddr in a routing message: an IPv4 address, or an interface (sockaddr_dl). */
export type RtSockaddr =
  | { family: typeof AF_INET; addr: number }
  | { family: typeof AF_LINK; index: number; type: number; name: string; mac: Uint8Array };

/** The sockaddrs of a message by RTAX index (undefined where its addrs bit is clear). */
export type RtAddrs = (RtSockaddr | undefined)[];

const RtMetricsSchema = bin.object({
  locks: bin.u32,
  mtu: bin.u32,
  hopcount: bin.u32,
  expire: bin.u32,
  recvpipe: bin.u32,
  sendpipe: bin.u32,
  ssthresh: bin.u32,
  rtt: bin.u32,
  rttvar: bin.u32,
  pksent: bin.u32,
});
export type RtMetrics = Parsed<typeof RtMetricsSchema>;

/** The first bytes of every message: how long, which version, which type. */
const RtCommonSchema = bin.object({ msglen: bin.u16, version: bin.u8, type: bin.u8 });

/** rt_msghdr: RTM_ADD, RTM_DELETE, RTM_CHANGE, RTM_GET, RTM_REDIRECT, RTM_MISS. */
const RtHdrSchema = bin.object({
  msglen: bin.u16,
  version: bin.u8,
  type: bin.u8,
  index: bin.u16,
  pad: bin.u16,
  flags: bin.i32,
  addrs: bin.i32,
  pid: bin.i32,
  seq: bin.i32,
  errno: bin.i32,
  use: bin.i32,
  inits: bin.u32,
  rmx: RtMetricsSchema,
});

const IfDataSchema = bin.object({
  type: bin.u8,
  linkState: bin.u8,
  pad: bin.u16,
  mtu: bin.u32,
  metric: bin.u32,
  baudrate: bin.u32,
  ipackets: bin.u32,
  ierrors: bin.u32,
  opackets: bin.u32,
  oerrors: bin.u32,
  collisions: bin.u32,
  ibytes: bin.u32,
  obytes: bin.u32,
  imcasts: bin.u32,
  omcasts: bin.u32,
  iqdrops: bin.u32,
  noproto: bin.u32,
});
export type IfData = Parsed<typeof IfDataSchema>;

/** The fields if_msghdr and ifa_msghdr share. */
const IF_COMMON = {
  msglen: bin.u16,
  version: bin.u8,
  type: bin.u8,
  addrs: bin.i32,
  flags: bin.i32,
  index: bin.u16,
  pad: bin.u16,
};

/** if_msghdr: RTM_IFINFO. */
const IfHdrSchema = bin.object({ ...IF_COMMON, data: IfDataSchema });

/** ifa_msghdr: RTM_NEWADDR, RTM_DELADDR. */
const IfaHdrSchema = bin.object({ ...IF_COMMON, metric: bin.i32 });

const SockaddrInSchema = bin.object({
  len: bin.u8,
  family: bin.u8,
  port: bin.u16,
  addr: bin.u32,
  zero: bin.arrayOf(bin.u8, 8),
});
const SockaddrDlHead = bin.object({
  len: bin.u8,
  family: bin.u8,
  index: bin.u16,
  type: bin.u8,
  nlen: bin.u8,
  alen: bin.u8,
  slen: bin.u8,
});

const SIN_LEN = 16;
/** sizeof(struct sockaddr_dl): the smallest one written. */
const SDL_MIN = 20;
const SDL_HEAD = 8;
const COMMON_LEN = RtCommonSchema.measure(MaxValue).size;
const RT_HDR_LEN = RtHdrSchema.measure(MaxValue).size;
const IF_HDR_LEN = IfHdrSchema.measure(MaxValue).size;
const IFA_HDR_LEN = IfaHdrSchema.measure(MaxValue).size;
const ZERO8 = [0, 0, 0, 0, 0, 0, 0, 0];

/** Largest message accepted (and what route monitor reads at once). */
export const RTM_MAXLEN = 2048;

export interface RtRouteMsg {
  readonly kind: "route";
  type: number;
  index: number;
  flags: number;
  pid: number;
  seq: number;
  errno: number;
  use: number;
  inits: number;
  rmx: RtMetrics;
  addrs: RtAddrs;
}

export interface RtIfMsg {
  readonly kind: "if";
  type: number;
  index: number;
  flags: number;
  data: IfData;
  addrs: RtAddrs;
}

export interface RtIfaMsg {
  readonly kind: "ifa";
  type: number;
  index: number;
  flags: number;
  metric: number;
  addrs: RtAddrs;
}

export type RoutingMessage = RtRouteMsg | RtIfMsg | RtIfaMsg;

export function emptyMetrics(): RtMetrics {
  return {
    locks: 0,
    mtu: 0,
    hopcount: 0,
    expire: 0,
    recvpipe: 0,
    sendpipe: 0,
    ssthresh: 0,
    rtt: 0,
    rttvar: 0,
    pksent: 0,
  };
}

const roundup = (n: number): number => (n + 3) & ~3;

function kindOf(type: number): RoutingMessage["kind"] | null {
  if (
    type === RTM_ADD ||
    type === RTM_DELETE ||
    type === RTM_CHANGE ||
    type === RTM_GET ||
    type === RTM_REDIRECT ||
    type === RTM_MISS
  )
    return "route";
  if (type === RTM_IFINFO) return "if";
  if (type === RTM_NEWADDR || type === RTM_DELADDR) return "ifa";
  return null;
}

function addrBits(addrs: RtAddrs): number {
  let bits = 0;
  for (let i = 0; i < RTAX_MAX; i++) if (addrs[i] !== undefined) bits |= 1 << i;
  return bits;
}

function sockaddrLen(sa: RtSockaddr): number {
  if (sa.family === AF_INET) return SIN_LEN;
  return Math.max(SDL_MIN, SDL_HEAD + new TextEncoder().encode(sa.name).byteLength + sa.mac.byteLength);
}

function writeSockaddr(w: BufferWriter, sa: RtSockaddr): void {
  const start = w.currentByteOffset;
  const len = sockaddrLen(sa);
  if (sa.family === AF_INET) {
    SockaddrInSchema.write(w, { len, family: AF_INET, port: 0, addr: sa.addr >>> 0, zero: ZERO8 });
  } else {
    const name = new TextEncoder().encode(sa.name);
    SockaddrDlHead.write(w, {
      len,
      family: AF_LINK,
      index: sa.index,
      type: sa.type,
      nlen: name.byteLength,
      alen: sa.mac.byteLength,
      slen: 0,
    });
    w.writeSlice(name);
    w.writeSlice(sa.mac);
  }
  while (w.currentByteOffset < start + roundup(len)) w.writeUint8(0);
}

/** Encodes a message; rtm_msglen and rtm_addrs are computed from what it carries. */
export function encodeRtMsg(m: RoutingMessage): Uint8Array {
  const hdr = m.kind === "route" ? RT_HDR_LEN : m.kind === "if" ? IF_HDR_LEN : IFA_HDR_LEN;
  let size = hdr;
  for (const sa of m.addrs) if (sa !== undefined) size += roundup(sockaddrLen(sa));
  if (size > RTM_MAXLEN) throw new KernelError("EMSGSIZE", `routing message of ${size} bytes`);
  const out = new Uint8Array(size);
  const w = new BufferWriter(out.buffer, { endianness: "big" });
  const common = {
    msglen: size,
    version: RTM_VERSION,
    type: m.type,
    addrs: addrBits(m.addrs),
    flags: m.flags,
  };
  if (m.kind === "route")
    RtHdrSchema.write(w, {
      ...common,
      index: m.index,
      pad: 0,
      pid: m.pid,
      seq: m.seq,
      errno: m.errno,
      use: m.use,
      inits: m.inits,
      rmx: m.rmx,
    });
  else if (m.kind === "if") IfHdrSchema.write(w, { ...common, index: m.index, pad: 0, data: m.data });
  else IfaHdrSchema.write(w, { ...common, index: m.index, pad: 0, metric: m.metric });
  for (const sa of m.addrs) if (sa !== undefined) writeSockaddr(w, sa);
  return out;
}

const bad = (why: string): never => {
  throw new KernelError("EINVAL", `bad routing message: ${why}`);
};

const RTAX_NAMES = ["DST", "GATEWAY", "NETMASK", "GENMASK", "IFP", "IFA", "AUTHOR", "BRD"];

/** Reads the sockaddr at `off` (BSD: sa_len first, netmasks may be cut short). */
function readSockaddr(
  b: Uint8Array,
  off: number,
  end: number,
  which: string,
): { sa: RtSockaddr; next: number } {
  if (off + 2 > end) bad(`${which} sockaddr runs past the message end`);
  const len = b[off];
  const family = b[off + 1];
  if (len < 2) bad(`${which} sockaddr length ${len}`);
  if (off + len > end) bad(`${which} sockaddr of ${len} bytes runs past the message end`);
  const next = off + roundup(len);
  if (family === AF_INET || family === AF_UNSPEC) {
    if (len > SIN_LEN) bad(`${which} sockaddr_in length ${len}`);
    // A short sockaddr (a netmask as BSD's kernel keeps it) means zero for the missing bytes.
    const whole = new Uint8Array(SIN_LEN);
    whole.set(b.subarray(off, off + len));
    const v = SockaddrInSchema.read(new BufferReader(whole.buffer, { endianness: "big" }));
    return { sa: { family: AF_INET, addr: v.addr >>> 0 }, next };
  }
  if (family === AF_LINK) {
    if (len < SDL_HEAD) bad(`${which} sockaddr_dl length ${len}`);
    const h = SockaddrDlHead.read(
      new BufferReader(b.slice(off, off + SDL_HEAD).buffer, { endianness: "big" }),
    );
    if (SDL_HEAD + h.nlen + h.alen + h.slen > len)
      bad(`${which} sockaddr_dl names more than its ${len} bytes`);
    const name = new TextDecoder().decode(b.subarray(off + SDL_HEAD, off + SDL_HEAD + h.nlen));
    const mac = b.slice(off + SDL_HEAD + h.nlen, off + SDL_HEAD + h.nlen + h.alen);
    return { sa: { family: AF_LINK, index: h.index, type: h.type, name, mac }, next };
  }
  throw new KernelError("EAFNOSUPPORT", `bad routing message: ${which} sockaddr of family ${family}`);
}

/**
 * Decodes one message of exactly `b.byteLength` bytes. A truncated or inconsistent message
 * is EINVAL naming the field; another version is EPROTONOSUPPORT; an unknown type EOPNOTSUPP.
 */
export function decodeRtMsg(b: Uint8Array): RoutingMessage {
  if (b.byteLength < COMMON_LEN) bad(`${b.byteLength} bytes is shorter than a header`);
  const bytes = b.slice();
  const r = new BufferReader(bytes.buffer, { endianness: "big" });
  const c = RtCommonSchema.read(r);
  if (c.msglen !== b.byteLength) bad(`rtm_msglen ${c.msglen} is not the ${b.byteLength} bytes written`);
  if (c.version !== RTM_VERSION)
    throw new KernelError("EPROTONOSUPPORT", `routing message version ${c.version} (this is ${RTM_VERSION})`);
  const kind = kindOf(c.type);
  if (kind === null) throw new KernelError("EOPNOTSUPP", `routing message type ${c.type}`);
  const hdr = kind === "route" ? RT_HDR_LEN : kind === "if" ? IF_HDR_LEN : IFA_HDR_LEN;
  if (b.byteLength < hdr) bad(`${b.byteLength} bytes is shorter than its ${hdr}-byte header`);
  r.seekTo(0);
  const addrs: RtAddrs = [];
  const readAddrs = (bits: number): void => {
    if (bits >>> RTAX_MAX !== 0) bad(`rtm_addrs 0x${(bits >>> 0).toString(16)} names unknown sockaddrs`);
    let off = hdr;
    for (let i = 0; i < RTAX_MAX; i++) {
      if ((bits & (1 << i)) === 0) continue;
      const { sa, next } = readSockaddr(bytes, off, bytes.byteLength, RTAX_NAMES[i] as string);
      addrs[i] = sa;
      off = next;
    }
    if (off < bytes.byteLength) bad(`${bytes.byteLength - off} bytes after the last sockaddr`);
  };
  if (kind === "route") {
    const h = RtHdrSchema.read(r);
    readAddrs(h.addrs);
    return {
      kind,
      type: h.type,
      index: h.index,
      flags: h.flags,
      pid: h.pid,
      seq: h.seq,
      errno: h.errno,
      use: h.use,
      inits: h.inits,
      rmx: h.rmx,
      addrs,
    };
  }
  if (kind === "if") {
    const h = IfHdrSchema.read(r);
    readAddrs(h.addrs);
    return { kind, type: h.type, index: h.index, flags: h.flags, data: h.data, addrs };
  }
  const h = IfaHdrSchema.read(r);
  readAddrs(h.addrs);
  return { kind, type: h.type, index: h.index, flags: h.flags, metric: h.metric, addrs };
}
