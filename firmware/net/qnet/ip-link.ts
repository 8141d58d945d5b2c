// bind=ip: Qnet over IPv4, protocol 106, through io-pkt's IP layer, so nodes on different
// subnets reach each other through routers. The endpoint works on Ethernet-shaped frames; on
// this link a node's "MAC" is its IPv4 address (a 32-bit number in the 48-bit field). Going
// out, the Ethernet header is replaced by an IP header (source chosen by the stack for the
// route, written into the frame first so that an auth= MAC covers the addresses the receiver
// will see) and Ethernet padding is left out; coming in, the IP header is replaced by an
// Ethernet-shaped one with the datagram's addresses. There is no broadcast over IP: resolver
// broadcasts are not sent (names come from resolve=file or resolve=dns), unicast probes are.
import type { Pbuf } from "../stack/pbuf.ts";
import { pbufFree } from "../stack/pbuf.ts";
import type { Stack } from "../stack/stack.ts";
import { ETHER_HDR_LEN, ETHERTYPE_QNET } from "../wire/ethernet.ts";
import { IPPROTO_QNET, ipDst, ipSrc, ipTotalLen } from "../wire/ipv4.ts";
import { readMac, writeMac } from "../wire/mac.ts";
import { AUTH_TRAILER_LEN } from "./auth.ts";
import { qnetPayloadEnd } from "./frame.ts";
import type { ResolverLink } from "./resolver.ts";

/** The link's name in the node table, /proc/qnetstats and QoS suffixes. */
export const QNET_IP_LINK = "ip";
/** IPv4 header without options: what a Qnet frame over IP gives up of the interface MTU. */
const IP_HDR_LEN = 20;

export interface QnetIpLinkOptions {
  stack: Stack;
  /** auth='s sealing (the identity without it). */
  seal: (frame: Uint8Array) => Uint8Array;
  /** Whether frames carry auth='s trailer (it is kept when the padding is cut). */
  sealed: boolean;
  /** A received datagram as an Ethernet-shaped frame (destination: this link's address). */
  input: (frame: Uint8Array) => void;
}

/** This node's address on the IP link: the first IPv4 address of a non-loopback interface. */
function primaryAddress(stack: Stack): number {
  for (const ifp of stack.interfaces())
    if (ifp.type !== "loopback" && ifp.addrs.length) return ifp.addrs[0].addr;
  return 0;
}

/** Registers protocol 106 with the stack and returns the link (and how to unregister). */
export function qnetIpLink(o: QnetIpLinkOptions): { link: ResolverLink; close: () => void } {
  const stack = o.stack;
  const link: ResolverLink = {
    name: QNET_IP_LINK,
    get mac() {
      return primaryAddress(stack);
    },
    output(plain) {
      const dst = readMac(plain, 0);
      if (dst === 0 || dst > 0xffff_ffff) return false; // a broadcast: nothing to send it to over IP
      const src = stack.ip.selectSource(dst);
      if (src === 0) return false; // no route
      writeMac(plain, 6, src);
      const frame = o.seal(plain);
      const end = qnetPayloadEnd(frame) + (o.sealed ? AUTH_TRAILER_LEN : 0);
      const len = end - ETHER_HDR_LEN;
      const pb = stack.pool.allocSize(len);
      if (!pb) return false;
      pb.bytes.set(frame.subarray(ETHER_HDR_LEN, end), pb.off);
      pb.len = len;
      return stack.ip.output(pb, { dst, src, proto: IPPROTO_QNET }) === 0;
    },
  };
  stack.ip.register(IPPROTO_QNET, {
    input(pb: Pbuf, hlen: number) {
      const total = Math.min(ipTotalLen(pb.bytes, pb.off), pb.len);
      const frame = new Uint8Array(ETHER_HDR_LEN + total - hlen);
      writeMac(frame, 0, ipDst(pb.view, pb.off));
      writeMac(frame, 6, ipSrc(pb.view, pb.off));
      frame[12] = ETHERTYPE_QNET >>> 8;
      frame[13] = ETHERTYPE_QNET & 0xff;
      frame.set(pb.bytes.subarray(pb.off + hlen, pb.off + total), ETHER_HDR_LEN);
      pbufFree(pb);
      o.input(frame);
    },
  });
  return { link, close: () => stack.ip.unregister(IPPROTO_QNET) };
}

/** The L4 MTU over IP: the smallest interface MTU less the IP header. */
export function qnetIpMtu(stack: Stack): number {
  let mtu = 1500;
  for (const ifp of stack.interfaces()) if (ifp.type !== "loopback") mtu = Math.min(mtu, ifp.mtu);
  return mtu - IP_HDR_LEN;
}
