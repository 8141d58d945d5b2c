// The body of a QoS TCS_INIT (L4 type 1), the first packet of a node-to-node session: four u16
// offsets (counted from after themselves) to NUL-terminated strings: the source's name and domain
// and the destination's name and domain. The other session types (TCS_UP, TCS_DOWN, …) carry no
// body. Layout: docs/qnet.md ("Sessions").
import { KernelError } from "../../kernel/errno.ts";

export interface TcsInit {
  srcName: string;
  srcDomain: string;
  dstName: string;
  dstDomain: string;
}

const OFFSETS_LEN = 8;

export function encodeTcsInit(t: TcsInit, le = true): Uint8Array {
  const strs = [t.srcName, t.srcDomain, t.dstName, t.dstDomain];
  const size = OFFSETS_LEN + strs.reduce((n, s) => n + s.length + 1, 0);
  if (size > 0xffff) throw new KernelError("ENAMETOOLONG", "qnet session: names too long");
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  let at = 0;
  strs.forEach((s, i) => {
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c === 0 || c > 0x7e)
        throw new KernelError("EINVAL", `qnet session: name "${s}" is not printable ASCII`);
      out[OFFSETS_LEN + at + k] = c;
    }
    v.setUint16(i * 2, at, le);
    at += s.length + 1;
  });
  return out;
}

export function decodeTcsInit(body: Uint8Array, le = true): TcsInit {
  if (body.length < OFFSETS_LEN) throw bad(`body of ${body.length} bytes has no room for its four offsets`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const field = (i: number, what: string): string => {
    const start = OFFSETS_LEN + v.getUint16(i * 2, le);
    const end = body.indexOf(0, start);
    if (start >= body.length || end < 0)
      throw bad(`${what} at offset ${start - OFFSETS_LEN} has no terminating NUL`);
    let s = "";
    for (let k = start; k < end; k++) s += String.fromCharCode(body[k]);
    return s;
  };
  return {
    srcName: field(0, "source name"),
    srcDomain: field(1, "source domain"),
    dstName: field(2, "destination name"),
    dstDomain: field(3, "destination domain"),
  };
}

function bad(why: string): KernelError {
  return new KernelError("EBADMSG", `qnet session: ${why}`);
}
