// LAN resolver packets (L4 type 11, layer 2): "who is bravo.lab? tell alpha.lab at <MAC>" and the
// answer. A 56-byte header (version, type, total length and six offset/length pairs for the
// source's and destination's name, domain and address) then the data the pairs point into.
// A control message, so the fixed part is a typed-binary schema; bad input is EBADMSG naming the
// field. Layout: docs/qnet.md ("LAN resolver").
import bin from "typed-binary";
import { KernelError } from "../../kernel/errno.ts";
import { decode, encode } from "../control/codec.ts";
import { readMac, writeMac } from "../wire/mac.ts";

export const LR_HDR_LEN = 56;
export const LR_VERSION = 1;
export const LR_REQUEST = 1;
export const LR_REPLY = 2;
/** Address blob: byte 1 is the family (1 = Ethernet), bytes 2–7 the MAC. */
export const LR_ADDR_LEN = 8;
export const LR_AF_ETHER = 1;
/** Longest name or domain we accept (a host name's limit). */
export const LR_NAME_MAX = 255;

const Pair = bin.object({ off: bin.u32, len: bin.u32 });
const LrHeader = bin.object({
  ver: bin.u8,
  spare1: bin.u8,
  type: bin.u8,
  spare2: bin.u8,
  total: bin.u32,
  srcName: Pair,
  srcDomain: Pair,
  srcAddr: Pair,
  dstName: Pair,
  dstDomain: Pair,
  dstAddr: Pair,
});

/** One end of a resolution: a node's name, domain and MAC (null while unknown). */
export interface LrEnd {
  name: string;
  domain: string;
  mac: number | null;
}

export interface LrPacket {
  type: typeof LR_REQUEST | typeof LR_REPLY;
  src: LrEnd;
  dst: LrEnd;
}

const pad8 = (n: number) => (n + 7) & ~7;

function checkName(what: string, s: string): void {
  if (s.length > LR_NAME_MAX)
    throw new KernelError("ENAMETOOLONG", `qnet resolver: ${what} is longer than ${LR_NAME_MAX}`);
  if (!/^[\x21-\x7e]*$/.test(s))
    throw new KernelError("EINVAL", `qnet resolver: ${what} "${s}" is not printable ASCII`);
}

/** Encodes a resolver packet (the L4 payload). Strings are not NUL-counted, slots padded to 8. */
export function encodeLr(p: LrPacket, le = true): Uint8Array {
  const items: (string | number | null)[] = [
    p.src.name,
    p.src.domain,
    p.src.mac,
    p.dst.name,
    p.dst.domain,
    p.dst.mac,
  ];
  for (const [i, s] of [p.src.name, p.src.domain, p.dst.name, p.dst.domain].entries()) {
    checkName(["source name", "source domain", "destination name", "destination domain"][i], s);
  }
  const pairs: { off: number; len: number }[] = [];
  let size = 0;
  for (const it of items) {
    if (typeof it === "string") {
      pairs.push({ off: size, len: it.length });
      size += pad8(it.length + 1);
    } else {
      // An empty address still gets its slot: readers look at the family byte even when len = 0.
      pairs.push({ off: size, len: it === null ? 0 : LR_ADDR_LEN });
      size += LR_ADDR_LEN;
    }
  }
  const hdr = encode(
    LrHeader,
    {
      ver: LR_VERSION,
      spare1: 0,
      type: p.type,
      spare2: 0,
      total: LR_HDR_LEN + size,
      srcName: pairs[0],
      srcDomain: pairs[1],
      srcAddr: pairs[2],
      dstName: pairs[3],
      dstDomain: pairs[4],
      dstAddr: pairs[5],
    },
    le ? "little" : "big",
  );
  const out = new Uint8Array(LR_HDR_LEN + size);
  out.set(hdr);
  items.forEach((it, i) => {
    const at = LR_HDR_LEN + pairs[i].off;
    if (typeof it === "string") {
      for (let k = 0; k < it.length; k++) out[at + k] = it.charCodeAt(k);
    } else if (it !== null) {
      out[at] = LR_ADDR_LEN;
      out[at + 1] = LR_AF_ETHER;
      writeMac(out, at + 2, it);
    }
  });
  return out;
}

/** Decodes a resolver packet; anything out of place is EBADMSG naming it. */
export function decodeLr(payload: Uint8Array, le = true): LrPacket {
  if (payload.length < LR_HDR_LEN)
    throw bad(`packet of ${payload.length} bytes is shorter than its ${LR_HDR_LEN}-byte header`);
  const h = decode(LrHeader, payload.subarray(0, LR_HDR_LEN), le ? "little" : "big", "qnet resolver header");
  if (h.ver !== LR_VERSION) throw bad(`version ${h.ver} (expected ${LR_VERSION})`);
  if (h.type !== LR_REQUEST && h.type !== LR_REPLY)
    throw bad(`type ${h.type} is neither request (1) nor reply (2)`);
  if (h.total < LR_HDR_LEN || h.total > payload.length) {
    throw bad(`total length ${h.total} does not fit the ${payload.length} bytes received`);
  }
  const data = payload.subarray(LR_HDR_LEN, h.total);
  const str = (what: string, p: { off: number; len: number }): string => {
    const s = slice(what, data, p);
    let n = s.length;
    while (n > 0 && s[n - 1] === 0) n--; // a counted NUL is allowed
    let out = "";
    for (let i = 0; i < n; i++) out += String.fromCharCode(s[i]);
    checkName(what, out);
    return out;
  };
  const addr = (what: string, p: { off: number; len: number }): number | null => {
    if (p.len === 0) return null;
    const s = slice(what, data, p);
    if (s.length < LR_ADDR_LEN || s[1] !== LR_AF_ETHER) throw bad(`${what} is not an Ethernet address`);
    return readMac(s, 2);
  };
  return {
    type: h.type,
    src: {
      name: str("source name", h.srcName),
      domain: str("source domain", h.srcDomain),
      mac: addr("source address", h.srcAddr),
    },
    dst: {
      name: str("destination name", h.dstName),
      domain: str("destination domain", h.dstDomain),
      mac: addr("destination address", h.dstAddr),
    },
  };
}

function slice(what: string, data: Uint8Array, p: { off: number; len: number }): Uint8Array {
  if (p.off > data.length || p.len > data.length - p.off) {
    throw bad(`${what} (offset ${p.off}, length ${p.len}) runs past the ${data.length} data bytes`);
  }
  return data.subarray(p.off, p.off + p.len);
}

function bad(why: string): KernelError {
  return new KernelError("EBADMSG", `qnet resolver: ${why}`);
}
