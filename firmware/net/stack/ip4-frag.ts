// Fragmentation on output (RFC 791): splits a datagram into pieces that fit `mtu`, each with a
// copy of the original header (options included), offsets in 8-byte units and MF on all but the
// last piece (which keeps the original MF, so already-fragmented datagrams split correctly).
import { ERRNO } from "../../kernel/errno.ts";
import {
  IP_DF,
  IP_MF,
  IP_OFFMASK,
  ipFillCksum,
  ipHlen,
  ipOffWord,
  setIpOffWord,
  setIpTotalLen,
} from "../wire/ipv4.ts";
import { pbufFree, type Pbuf, type PbufPool } from "./pbuf.ts";

/**
 * Fills `out` with the fragments of `pb` (at its IP header). Always consumes `pb`. Returns 0, or
 * EMSGSIZE (DF set, or the MTU cannot carry 8 data bytes) or ENOBUFS (pool exhausted; nothing is
 * left in `out`).
 */
export function ip4Fragment(pool: PbufPool, pb: Pbuf, mtu: number, out: Pbuf[]): number {
  out.length = 0;
  const b = pb.bytes;
  const off = pb.off;
  const hlen = ipHlen(b, off);
  const offWord = ipOffWord(b, off);
  const chunk = (mtu - hlen) & ~7;
  if (offWord & IP_DF || chunk < 8) {
    pbufFree(pb);
    return ERRNO.EMSGSIZE;
  }
  const dataLen = pb.len - hlen;
  const baseOff = (offWord & IP_OFFMASK) << 3;
  const lastMf = offWord & IP_MF;
  for (let start = 0; start < dataLen; start += chunk) {
    const n = Math.min(chunk, dataLen - start);
    const f = pool.allocSize(hlen + n);
    if (f === null) {
      for (const p of out) pbufFree(p);
      out.length = 0;
      pbufFree(pb);
      return ERRNO.ENOBUFS;
    }
    const fb = f.bytes;
    fb.set(b.subarray(off, off + hlen), f.off);
    fb.set(b.subarray(off + hlen + start, off + hlen + start + n), f.off + hlen);
    f.len = hlen + n;
    f.flags = pb.flags;
    const last = start + n >= dataLen;
    setIpTotalLen(fb, f.off, hlen + n);
    setIpOffWord(fb, f.off, ((baseOff + start) >>> 3) | (last ? lastMf : IP_MF));
    ipFillCksum(fb, f.off, hlen);
    out.push(f);
  }
  pbufFree(pb);
  return 0;
}
