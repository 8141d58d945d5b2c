// IPv4 options on input (RFC 791, BSD's ip_dooptions): record route and timestamp are honoured
// (our address, and the time, go into the next free slot), loose and strict source routes are
// refused with "source route failed" unless net.inet.ip.allowsrcrt is set (then followed, when
// forwarding), anything malformed gets a parameter problem pointing at the bad byte. Echo
// replies carry record route and timestamp back to the sender (icmp_reflect), which is what
// `ping -R` prints.
import { ICMP_PARAMPROB, ICMP_UNREACH, ICMP_UNREACH_HOST, ICMP_UNREACH_SRCFAIL } from "../wire/icmp.ts";
import { IP_HDR_LEN, ipFillCksum, ipHlen } from "../wire/ipv4.ts";
import {
  IPOPT_LSRR,
  IPOPT_RR,
  IPOPT_SSRR,
  IPOPT_TS,
  OPT_LEN,
  OPT_MINPTR,
  OPT_PTR,
  ipOptionLen,
} from "../wire/ipv4-options.ts";
import { pbufFree, type Pbuf } from "./pbuf.ts";
import type { Stack } from "./stack.ts";

// Timestamp option flags (low nibble of its fourth byte).
const IPOPT_TS_TSONLY = 0;
const IPOPT_TS_TSANDADDR = 1;
const IPOPT_TS_PRESPEC = 3;

/** What input does with the datagram after its options were processed. */
export const OPTS_CONTINUE = 0;
/** Dropped (and an ICMP error sent): the caller must not touch `pb` again. */
export const OPTS_DROPPED = 1;
/** A source route sent it on to its next hop: forward it even though it was addressed to us. */
export const OPTS_FORWARD = 2;

/** Milliseconds since midnight UT, the RFC 791 timestamp. */
function iptime(stack: Stack): number {
  return Math.floor(stack.clock.wallTime()) % 86_400_000;
}

/**
 * ip_dooptions: `pb.off` at an IP header longer than 20 bytes, already validated. Updates the
 * options in place (and the header checksum). Owns `pb` only when returning OPTS_DROPPED.
 */
export function ipDoOptions(stack: Stack, pb: Pbuf): number {
  const b = pb.bytes;
  const v = pb.view;
  const base = pb.off;
  const hlen = ipHlen(b, base);
  const ip = stack.ip;
  const st = stack.stats.ip;
  let dst = v.getUint32(base + 16);
  let forward = false;
  let changed = false;
  const fail = (type: number, code: number, pointer: number): number => {
    st.badoptions++;
    stack.icmp.error(pb, type, code, pointer);
    pbufFree(pb);
    return OPTS_DROPPED;
  };
  for (
    let cp = base + IP_HDR_LEN, optlen: number;
    (optlen = ipOptionLen(b, cp, base + hlen)) !== 0;
    cp += optlen
  ) {
    if (optlen < 0) return fail(ICMP_PARAMPROB, 0, cp - base + OPT_LEN);
    const opt = b[cp];
    switch (opt) {
      case IPOPT_RR: {
        if (optlen < 3) return fail(ICMP_PARAMPROB, 0, cp - base + OPT_LEN);
        const ptr = b[cp + OPT_PTR];
        if (ptr < OPT_MINPTR) return fail(ICMP_PARAMPROB, 0, cp - base + OPT_PTR);
        if (ptr - 1 + 4 > optlen) break; // full: nothing more is recorded
        // Our address on the way: the destination's when it is ours, else the outgoing one's.
        const me = ip.selectSource(dst);
        if (me === 0) return fail(ICMP_UNREACH, ICMP_UNREACH_HOST, 0);
        v.setUint32(cp + ptr - 1, me);
        b[cp + OPT_PTR] = ptr + 4;
        changed = true;
        break;
      }
      case IPOPT_TS: {
        if (optlen < 4) return fail(ICMP_PARAMPROB, 0, cp - base + OPT_LEN);
        const ptr = b[cp + OPT_PTR];
        if (ptr < 5) return fail(ICMP_PARAMPROB, 0, cp - base + OPT_PTR);
        const flag = b[cp + 3] & 0x0f;
        const entry = flag === IPOPT_TS_TSONLY ? 4 : 8;
        if (flag !== IPOPT_TS_TSONLY && flag !== IPOPT_TS_TSANDADDR && flag !== IPOPT_TS_PRESPEC)
          return fail(ICMP_PARAMPROB, 0, cp - base + 3);
        if (ptr - 1 + entry > optlen) {
          // No room: count the hop in the overflow nibble; a full nibble is a parameter problem.
          const over = (b[cp + 3] >>> 4) + 1;
          if (over > 15) return fail(ICMP_PARAMPROB, 0, cp - base + 3);
          b[cp + 3] = (over << 4) | flag;
          changed = true;
          break;
        }
        let at = cp + ptr - 1;
        if (flag === IPOPT_TS_TSANDADDR) {
          const me = ip.selectSource(dst, pb.rcvif);
          v.setUint32(at, me);
          at += 4;
        } else if (flag === IPOPT_TS_PRESPEC) {
          // Only the host named in the slot stamps it.
          if (!ip.localAddrs.has(v.getUint32(at))) break;
          at += 4;
        }
        v.setUint32(at, iptime(stack));
        b[cp + OPT_PTR] = ptr + entry;
        changed = true;
        break;
      }
      case IPOPT_LSRR:
      case IPOPT_SSRR: {
        if (stack.config.allowsrcrt === 0) return fail(ICMP_UNREACH, ICMP_UNREACH_SRCFAIL, 0);
        if (optlen < 3) return fail(ICMP_PARAMPROB, 0, cp - base + OPT_LEN);
        const ptr = b[cp + OPT_PTR];
        if (ptr < OPT_MINPTR) return fail(ICMP_PARAMPROB, 0, cp - base + OPT_PTR);
        if (!ip.localAddrs.has(dst)) break; // in transit between listed hops: just forward
        if (ptr - 1 + 4 > optlen) break; // route done: we are the final destination
        const next = v.getUint32(cp + ptr - 1);
        const rt = stack.routes.lookup(next);
        // A strict route's next hop must be on one of our links.
        if (
          stack.config.forwarding === 0 ||
          rt === null ||
          (opt === IPOPT_SSRR && rt.ifp.subnetOf(next) === undefined)
        )
          return fail(ICMP_UNREACH, ICMP_UNREACH_SRCFAIL, 0);
        v.setUint32(cp + ptr - 1, ip.selectSource(next));
        b[cp + OPT_PTR] = ptr + 4;
        v.setUint32(base + 16, next);
        dst = next;
        forward = true;
        changed = true;
        break;
      }
      default:
        break; // NOP, and unknown options are passed over, as BSD does
    }
  }
  if (changed) ipFillCksum(b, base, hlen);
  return forward ? OPTS_FORWARD : OPTS_CONTINUE;
}
