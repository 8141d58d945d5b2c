// TCP as an IP protocol of a stack: IPv4 delivers segments here (protocol 6), segments leave
// through `ip.output` (one source-address selection, IP-layer pfil), deadlines live on the
// stack's timer service, MSS comes from the route's MTU, and `net.inet.tcp.*` is in the stack's
// sysctl tree. The socket layer reaches connections through `engine`.
import { ERRNO, KernelError, errnoName } from "../../kernel/errno.ts";
import { IPPROTO_TCP, ipSrc, ipDst, ipTotalLen } from "../wire/ipv4.ts";
import type { IpProtocol } from "../stack/ip4.ts";
import { pbufFree, type Pbuf } from "../stack/pbuf.ts";
import type { Stack } from "../stack/stack.ts";
import type { Sysctl } from "../stack/sysctl.ts";
import { TCP_SYSCTLS, type TcpConfig } from "./config.ts";
import { TcpEngine } from "./engine.ts";

/** A settled promise: `then` queues a plain microtask (no AsyncResource, unlike queueMicrotask). */
const settled = Promise.resolve();

export class TcpProtocol implements IpProtocol {
  readonly engine: TcpEngine;
  private readonly stack: Stack;

  constructor(stack: Stack, config: Partial<TcpConfig> = {}, key?: Uint8Array) {
    this.stack = stack;
    this.engine = new TcpEngine({
      timers: stack.timers,
      transmit: (src, dst, b, len) => this.output(src, dst, b, len),
      mtuFor: (dst) => this.mtuFor(dst),
      // The input batch ends with the synchronous run of frames being taken in (a pcap
      // dispatch, an io-pkt worker's batch): a microtask runs right after it.
      afterInput: (fn) => void settled.then(fn),
      key,
      config,
    });
  }

  input(pb: Pbuf, hlen: number): void {
    const b = pb.bytes;
    const off = pb.off;
    const len = Math.min(ipTotalLen(b, off), pb.len) - hlen;
    this.engine.input(ipSrc(pb.view, off), ipDst(pb.view, off), b, off + hlen, len);
    pbufFree(pb);
  }

  /** ICMP error quoting our segment: the quoted IP header at `q`, then at least 8 TCP bytes. */
  ctlinput(
    type: number,
    code: number,
    _from: number,
    pb: Pbuf,
    q: number,
    quotedLen: number,
    mtu: number,
  ): void {
    const b = pb.bytes;
    const qhlen = (b[q] & 0x0f) * 4;
    if (quotedLen < qhlen + 8) return;
    const v = pb.view;
    const t = q + qhlen;
    this.engine.ctlinput(
      type,
      code,
      v.getUint32(q + 12),
      (b[t] << 8) | b[t + 1],
      v.getUint32(q + 16),
      (b[t + 2] << 8) | b[t + 3],
      v.getUint32(t + 4),
      mtu,
    );
  }

  private output(src: number, dst: number, b: Uint8Array, len: number): number {
    const pb = this.stack.pool.allocSize(len);
    if (pb === null) return ERRNO.ENOBUFS; // counted by the pool; TCP sends the segment again
    pb.bytes.set(b.subarray(0, len), pb.off);
    pb.len = len;
    return this.stack.ip.output(pb, { src, dst, proto: IPPROTO_TCP });
  }

  private mtuFor(dst: number): number {
    const rt = this.stack.routes.lookup(dst);
    if (rt === null) return 1500;
    return rt.mtu > 0 ? Math.min(rt.mtu, rt.ifp.mtu) : rt.ifp.mtu;
  }
}

/** `net.inet.tcp.*` in the stack's sysctl tree, validated by the engine (one set of rules). */
export function registerTcpSysctls(s: Sysctl, engine: TcpEngine): void {
  for (const [name, d] of Object.entries(TCP_SYSCTLS)) {
    const isString = typeof engine.config[d.key] === "string";
    s.add({
      name,
      type: isString ? "string" : "int",
      description: `TCP ${d.key}`,
      writable: true,
      get: () => {
        const v = engine.getSysctl(name);
        return typeof v === "boolean" ? (v ? 1 : 0) : (v as number | string);
      },
      set: (v) => {
        const err = engine.setSysctl(name, String(v));
        if (err !== 0) throw new KernelError(errnoName(-err) ?? "EINVAL", `${name}: invalid value '${v}'`);
      },
    });
  }
  s.add({
    name: "net.inet.tcp.stats",
    type: "struct",
    description: "TCP statistics",
    writable: false,
    get: () => ({ ...engine.stats }),
  });
}
