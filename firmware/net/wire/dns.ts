// DNS messages (RFC 1035): building a query and parsing a response, with name compression
// followed safely (pointers only backwards, a bounded number of jumps, names at most 255
// bytes). A malformed message throws DnsFormatError naming what is wrong and where.

export const DNS_PORT = 53;
export const DNS_HDR_LEN = 12;
export const DNS_TYPE_A = 1;
export const DNS_TYPE_CNAME = 5;
export const DNS_TYPE_AAAA = 28;
export const DNS_CLASS_IN = 1;
export const DNS_RCODE_NOERROR = 0;
export const DNS_RCODE_FORMERR = 1;
export const DNS_RCODE_SERVFAIL = 2;
export const DNS_RCODE_NXDOMAIN = 3;
/** Largest UDP message without EDNS (RFC 1035 §4.2.1). */
export const DNS_UDP_MAX = 512;
const MAX_NAME = 255;
const MAX_LABEL = 63;
const MAX_JUMPS = 64;

export class DnsFormatError extends Error {
  constructor(what: string, offset: number) {
    super(`malformed DNS message: ${what} at byte ${offset}`);
  }
}

export interface DnsRecord {
  name: string;
  type: number;
  cls: number;
  ttl: number;
  /** A: dotted quad; CNAME: the target name; others: empty (raw bytes in `rdata`). */
  value: string;
  rdata: Uint8Array;
}

export interface DnsMessage {
  id: number;
  /** QR bit: a response. */
  response: boolean;
  /** TC bit: truncated (the answer did not fit in UDP). */
  truncated: boolean;
  rcode: number;
  questions: Array<{ name: string; type: number; cls: number }>;
  answers: DnsRecord[];
}

/** A standard query (RD set) for `name`'s records of `type`. Throws on an unusable name. */
export function buildDnsQuery(id: number, name: string, type = DNS_TYPE_A): Uint8Array {
  const labels = name.replace(/\.$/, "").split(".");
  const out: number[] = [id >>> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
  for (const l of labels) {
    const bytes = new TextEncoder().encode(l);
    if (bytes.length === 0 || bytes.length > MAX_LABEL) throw new Error(`bad host name '${name}'`);
    out.push(bytes.length, ...bytes);
  }
  out.push(0, type >>> 8, type & 0xff, 0, DNS_CLASS_IN);
  if (out.length - DNS_HDR_LEN - 4 > MAX_NAME) throw new Error(`host name too long '${name}'`);
  return Uint8Array.from(out);
}

/** Reads a possibly compressed name at `off`; returns it and the offset after it in place. */
function readName(b: Uint8Array, off: number): [string, number] {
  const labels: string[] = [];
  let p = off;
  let end = -1;
  let jumps = 0;
  let total = 0;
  for (;;) {
    if (p >= b.length) throw new DnsFormatError("name runs past the end", p);
    const len = b[p];
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= b.length) throw new DnsFormatError("truncated compression pointer", p);
      const target = ((len & 0x3f) << 8) | b[p + 1];
      if (end < 0) end = p + 2;
      // Only backwards, and a bounded number of times: no loops.
      if (target >= p || ++jumps > MAX_JUMPS) throw new DnsFormatError("bad compression pointer", p);
      p = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError("bad label type", p);
    if (len === 0) {
      if (end < 0) end = p + 1;
      return [labels.join("."), end];
    }
    if (p + 1 + len > b.length) throw new DnsFormatError("label runs past the end", p);
    total += len + 1;
    if (total > MAX_NAME) throw new DnsFormatError("name longer than 255 bytes", off);
    labels.push(String.fromCharCode(...b.subarray(p + 1, p + 1 + len)));
    p += 1 + len;
  }
}

/** Parses a DNS message; throws DnsFormatError when it is malformed. */
export function parseDnsMessage(b: Uint8Array): DnsMessage {
  if (b.length < DNS_HDR_LEN) throw new DnsFormatError("shorter than the 12-byte header", 0);
  const u16 = (o: number) => {
    if (o + 2 > b.length) throw new DnsFormatError("record runs past the end", o);
    return (b[o] << 8) | b[o + 1];
  };
  const qd = u16(4);
  const an = u16(6);
  const msg: DnsMessage = {
    id: u16(0),
    response: (b[2] & 0x80) !== 0,
    truncated: (b[2] & 0x02) !== 0,
    rcode: b[3] & 0x0f,
    questions: [],
    answers: [],
  };
  let p = DNS_HDR_LEN;
  for (let i = 0; i < qd; i++) {
    const [name, next] = readName(b, p);
    msg.questions.push({ name, type: u16(next), cls: u16(next + 2) });
    p = next + 4;
  }
  for (let i = 0; i < an; i++) {
    const [name, next] = readName(b, p);
    const type = u16(next);
    const cls = u16(next + 2);
    const ttl = ((u16(next + 4) << 16) | u16(next + 6)) >>> 0;
    const rdlen = u16(next + 8);
    const rd = next + 10;
    if (rd + rdlen > b.length) throw new DnsFormatError("record data runs past the end", rd);
    let value = "";
    if (type === DNS_TYPE_A && cls === DNS_CLASS_IN) {
      if (rdlen !== 4) throw new DnsFormatError("A record is not 4 bytes", rd);
      value = `${b[rd]}.${b[rd + 1]}.${b[rd + 2]}.${b[rd + 3]}`;
    } else if (type === DNS_TYPE_CNAME) {
      const [target, after] = readName(b, rd);
      if (after > rd + rdlen) throw new DnsFormatError("CNAME runs past its record", rd);
      value = target;
    }
    msg.answers.push({ name, type, cls, ttl, value, rdata: b.slice(rd, rd + rdlen) });
    p = rd + rdlen;
  }
  return msg;
}

/**
 * The addresses a response gives for `name`, following CNAME chains inside the answer (at most
 * 16 links); empty when there are none.
 */
export function answerAddresses(msg: DnsMessage, name: string): string[] {
  let target = name.replace(/\.$/, "").toLowerCase();
  for (let hops = 0; hops < 16; hops++) {
    const here = msg.answers.filter((r) => r.name.toLowerCase() === target);
    const addrs = here.filter((r) => r.type === DNS_TYPE_A && r.cls === DNS_CLASS_IN).map((r) => r.value);
    if (addrs.length !== 0) return addrs;
    const cname = here.find((r) => r.type === DNS_TYPE_CNAME);
    if (cname === undefined) return [];
    target = cname.value.toLowerCase();
  }
  return [];
}
