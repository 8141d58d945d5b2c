// ICMP (RFC 792): echo replies built in place, error messages with a token-bucket rate limit,
// errors handed to the protocol that sent the offending datagram, and the echo API `ping` uses.
import { ERRNO } from "../../kernel/errno.ts";
import { cksumAdjust, internetChecksum } from "../wire/checksum.ts";
import {
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_HDR_LEN,
  ICMP_MAXTYPE,
  ICMP_PARAMPROB,
  ICMP_REDIRECT,
  ICMP_SOURCEQUENCH,
  ICMP_TIMXCEED,
  ICMP_UNREACH,
  ICMP_UNREACH_NEEDFRAG,
  icmpFillCksum,
  icmpIsError,
  writeIcmpHeader,
} from "../wire/icmp.ts";
import { INADDR_BROADCAST, isMulticast4 } from "../wire/ipv4-addr.ts";
import {
  IP_HDR_LEN,
  IP_OFFMASK,
  IPPROTO_ICMP,
  ipFillCksum,
  ipHlen,
  ipOffWord,
  setIpOffWord,
  setIpTotalLen,
} from "../wire/ipv4.ts";
import type { IpProtocol } from "./ip4.ts";
import { reflectedOptions } from "../wire/ipv4-options.ts";
import { PB_BCAST, PB_MCAST, pbufFree, type Pbuf } from "./pbuf.ts";
import type { Stack } from "./stack.ts";

/** What a ping-like client registers for its echo identifier. */
export interface EchoListener {
  /**
   * An echo reply: `pb.bytes[dataOff, dataOff+dataLen)` is the data after the 8-byte ICMP header,
   * valid only during the call. `icmpLen` is the ICMP length (what ping prints as "N bytes").
   */
  reply(
    from: number,
    seq: number,
    ttl: number,
    icmpLen: number,
    pb: Pbuf,
    dataOff: number,
    dataLen: number,
  ): void;
  /** An ICMP error quoting one of our echo requests (unreachable, time exceeded …). */
  /** `icmpLen`: the error message's ICMP length (header + quoted datagram), what ping prints. */
  error?(from: number, type: number, code: number, seq: number, mtu: number, icmpLen?: number): void;
}

const MAX_ECHO_DATA = 65535 - IP_HDR_LEN - ICMP_HDR_LEN;

export class Icmp implements IpProtocol {
  private readonly stack: Stack;
  private readonly listeners = new Map<number, EchoListener>();
  /** Token bucket for errors: tokens available, and when it was last refilled. */
  private tokens = -1;
  private lastRefill = 0;

  constructor(stack: Stack) {
    this.stack = stack;
  }

  addEchoListener(id: number, l: EchoListener): void {
    if (this.listeners.has(id)) throw new Error(`echo id ${id} in use`);
    this.listeners.set(id, l);
  }

  removeEchoListener(id: number): void {
    this.listeners.delete(id);
  }

  /** A free echo identifier (ping uses its pid; several pings in one process need distinct ones). */
  freeEchoId(preferred: number): number {
    let id = preferred & 0xffff;
    while (this.listeners.has(id)) id = (id + 1) & 0xffff;
    return id;
  }

  input(pb: Pbuf, hlen: number): void {
    const st = this.stack.stats.icmp;
    const b = pb.bytes;
    const off = pb.off + hlen;
    const len = pb.len - hlen;
    if (len < ICMP_HDR_LEN) {
      st.tooshort++;
      pbufFree(pb);
      return;
    }
    if (internetChecksum(b, off, len) !== 0) {
      st.checksum++;
      pbufFree(pb);
      return;
    }
    const type = b[off];
    const code = b[off + 1];
    if (type <= ICMP_MAXTYPE) st.inhist[type]++;
    switch (type) {
      case ICMP_ECHO:
        if (code !== 0) st.badcode++;
        this.echo(pb, hlen);
        return;
      case ICMP_ECHOREPLY: {
        const l = this.listeners.get((b[off + 4] << 8) | b[off + 5]);
        if (l !== undefined) {
          const from = pb.view.getUint32(pb.off + 12);
          l.reply(
            from,
            (b[off + 6] << 8) | b[off + 7],
            b[pb.off + 8],
            len,
            pb,
            off + ICMP_HDR_LEN,
            len - ICMP_HDR_LEN,
          );
        }
        pbufFree(pb);
        return;
      }
      case ICMP_UNREACH:
      case ICMP_TIMXCEED:
      case ICMP_PARAMPROB:
      case ICMP_SOURCEQUENCH:
        this.notify(pb, hlen, type, code);
        pbufFree(pb);
        return;
      case ICMP_REDIRECT:
        this.redirect(pb, hlen, code);
        pbufFree(pb);
        return;
      default:
        pbufFree(pb);
    }
  }

  /** A redirect: the quoted datagram's destination, the new gateway, the router that sent it. */
  private redirect(pb: Pbuf, hlen: number, code: number): void {
    const off = pb.off + hlen;
    if (code > 3 || pb.len < hlen + ICMP_HDR_LEN + IP_HDR_LEN) {
      this.stack.stats.icmp.badredirect++;
      return;
    }
    const v = pb.view;
    this.stack.redirect(v.getUint32(off + ICMP_HDR_LEN + 16), v.getUint32(off + 4), v.getUint32(pb.off + 12));
  }

  /** Turns the request into the reply in the same buffer and sends it back. */
  private echo(pb: Pbuf, hlen: number): void {
    const st = this.stack.stats.icmp;
    const b = pb.bytes;
    let off = pb.off;
    const v = pb.view;
    const src = v.getUint32(off + 12);
    const dst = v.getUint32(off + 16);
    const toGroup = pb.flags & (PB_BCAST | PB_MCAST) || dst === INADDR_BROADCAST || isMulticast4(dst);
    const ifp = pb.rcvif;
    if ((toGroup && this.stack.config.bmcastecho === 0) || ifp === null || src === 0) {
      if (toGroup) st.bmcastecho++;
      pbufFree(pb);
      return;
    }
    // Answer from the address asked; for a group or a broadcast, from the receiving interface's.
    const ip = this.stack.ip;
    const replySrc = toGroup || !ip.localAddrs.has(dst) ? ip.selectSource(src, ifp) : dst;
    if (hlen > IP_HDR_LEN) {
      // icmp_reflect: record route and timestamp go back to the sender (what ping -R shows);
      // other options are dropped. Slide the fixed header (and kept options) over the rest.
      const kept = reflectedOptions(b, off);
      const newHlen = IP_HDR_LEN + (kept?.length ?? 0);
      b.copyWithin(off + hlen - newHlen, off, off + IP_HDR_LEN);
      pb.adj(hlen - newHlen);
      off = pb.off;
      if (kept !== null) b.set(kept, off + IP_HDR_LEN);
      b[off] = 0x40 | (newHlen >>> 2);
      setIpTotalLen(b, off, pb.len);
    }
    const rhlen = ipHlen(b, off);
    const io = off + rhlen;
    const c = cksumAdjust(
      (b[io + 2] << 8) | b[io + 3],
      (ICMP_ECHO << 8) | b[io + 1],
      (ICMP_ECHOREPLY << 8) | b[io + 1],
    );
    b[io] = ICMP_ECHOREPLY;
    b[io + 2] = c >>> 8;
    b[io + 3] = c & 0xff;
    const id = ip.allocId();
    b[off + 4] = id >>> 8;
    b[off + 5] = id & 0xff;
    setIpOffWord(b, off, 0);
    b[off + 8] = this.stack.config.ttl;
    v.setUint32(off + 12, replySrc);
    v.setUint32(off + 16, src);
    ipFillCksum(b, off, rhlen);
    pb.flags &= ~(PB_BCAST | PB_MCAST);
    st.reflect++;
    st.outhist[ICMP_ECHOREPLY]++;
    ip.sendDatagram(pb);
  }

  /** An error about something we sent: to the echo listener and to the protocol's ctlinput. */
  private notify(pb: Pbuf, hlen: number, type: number, code: number): void {
    const st = this.stack.stats.icmp;
    const b = pb.bytes;
    const off = pb.off + hlen;
    const q = off + ICMP_HDR_LEN; // quoted IP header
    const avail = pb.len - hlen - ICMP_HDR_LEN;
    if (avail < IP_HDR_LEN || b[q] >>> 4 !== 4 || ipHlen(b, q) < IP_HDR_LEN || ipHlen(b, q) > avail) {
      st.badlen++;
      return;
    }
    if (
      (type === ICMP_UNREACH && code > 15) ||
      (type === ICMP_TIMXCEED && code > 1) ||
      (type === ICMP_PARAMPROB && code > 2)
    ) {
      st.badcode++;
      return;
    }
    const from = pb.view.getUint32(pb.off + 12);
    const qhlen = ipHlen(b, q);
    const qproto = b[q + 9];
    const mtu = type === ICMP_UNREACH && code === ICMP_UNREACH_NEEDFRAG ? (b[off + 6] << 8) | b[off + 7] : 0;
    if (qproto === IPPROTO_ICMP && avail >= qhlen + ICMP_HDR_LEN && b[q + qhlen] === ICMP_ECHO) {
      const l = this.listeners.get((b[q + qhlen + 4] << 8) | b[q + qhlen + 5]);
      l?.error?.(from, type, code, (b[q + qhlen + 6] << 8) | b[q + qhlen + 7], mtu, pb.len - hlen);
    }
    this.stack.ip.protocol(qproto)?.ctlinput?.(type, code, from, pb, q, avail, mtu);
  }

  /**
   * icmp_error: reports a problem with the datagram in `pb` (at its IP header) to its sender.
   * `arg` is the next-hop MTU for fragmentation-needed, the better gateway for a redirect.
   * Does not take `pb`. Silently declines where RFC 1122 forbids an error, and when rate-limited.
   */
  error(pb: Pbuf, type: number, code: number, arg: number): void {
    const st = this.stack.stats.icmp;
    const cfg = this.stack.config;
    st.error++;
    const b = pb.bytes;
    const off = pb.off;
    const hlen = ipHlen(b, off);
    const v = pb.view;
    const src = v.getUint32(off + 12);
    const dst = v.getUint32(off + 16);
    if (b[off + 9] === IPPROTO_ICMP && pb.len >= hlen + 1 && icmpIsError(b[off + hlen])) {
      st.oldicmp++;
      return;
    }
    if (ipOffWord(b, off) & IP_OFFMASK) return; // not about non-first fragments
    if (pb.flags & (PB_BCAST | PB_MCAST) || dst === INADDR_BROADCAST || isMulticast4(dst)) return;
    if (src === 0 || src === INADDR_BROADCAST || isMulticast4(src)) return;
    if (!this.allow()) {
      st.ratelimited++;
      return;
    }
    const quote = Math.min(pb.len, hlen + cfg.returndatabytes);
    const out = this.stack.pool.alloc();
    if (out === null) return;
    const ob = out.bytes;
    // The header's second word: the next-hop MTU (fragmentation needed), the gateway (redirect),
    // the offending byte (parameter problem).
    const word =
      type === ICMP_UNREACH && code === ICMP_UNREACH_NEEDFRAG
        ? arg & 0xffff
        : type === ICMP_REDIRECT
          ? arg >>> 0
          : type === ICMP_PARAMPROB
            ? (arg & 0xff) << 24
            : 0;
    writeIcmpHeader(ob, out.off, type, code, word);
    ob.set(b.subarray(off, off + quote), out.off + ICMP_HDR_LEN);
    out.len = ICMP_HDR_LEN + quote;
    icmpFillCksum(ob, out.off, out.len);
    st.outhist[type]++;
    // icmp_reflect: from the address the offending datagram was sent to when it is ours, else
    // from the interface it arrived on.
    const ip = this.stack.ip;
    const from = ip.localAddrs.has(dst) ? dst : ip.selectSource(src, pb.rcvif);
    ip.output(out, { src: from, dst: src, proto: IPPROTO_ICMP });
  }

  /** Token bucket of net.inet.icmp.errppslimit tokens per second (burst of one second's worth). */
  private allow(): boolean {
    const rate = this.stack.config.errppslimit;
    if (rate <= 0) return true;
    const now = this.stack.clock.now();
    if (this.tokens < 0) {
      this.tokens = rate;
      this.lastRefill = now;
    }
    this.tokens = Math.min(rate, this.tokens + ((now - this.lastRefill) * rate) / 1000);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Sends an echo request (ping). Returns 0 or an errno (EHOSTUNREACH, EMSGSIZE with DF …).
   * `data` follows the 8-byte header; replies go to the listener registered for `id`.
   */
  sendEcho(
    dst: number,
    id: number,
    seq: number,
    data: Uint8Array,
    opts: { ttl?: number; df?: boolean; src?: number; tos?: number; ipOptions?: Uint8Array } = {},
  ): number {
    if (data.length > MAX_ECHO_DATA) return ERRNO.EMSGSIZE;
    if (opts.src !== undefined && opts.src !== 0 && !this.stack.ip.localAddrs.has(opts.src >>> 0))
      return ERRNO.EADDRNOTAVAIL;
    const pb = this.stack.pool.allocSize(ICMP_HDR_LEN + data.length);
    if (pb === null) return ERRNO.ENOBUFS;
    const b = pb.bytes;
    writeIcmpHeader(b, pb.off, ICMP_ECHO, 0, ((id & 0xffff) << 16) | (seq & 0xffff));
    b.set(data, pb.off + ICMP_HDR_LEN);
    pb.len = ICMP_HDR_LEN + data.length;
    icmpFillCksum(b, pb.off, pb.len);
    this.stack.stats.icmp.outhist[ICMP_ECHO]++;
    return this.stack.ip.output(pb, {
      src: opts.src,
      dst,
      proto: IPPROTO_ICMP,
      ttl: opts.ttl,
      tos: opts.tos,
      df: opts.df,
      ipOptions: opts.ipOptions,
    });
  }
}
