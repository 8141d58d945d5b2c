// Ethernet input and output: the MAC filter, BPF taps, pfil hooks, 802.1Q VLANs and the
// ethertype demux (ARP and IPv4 built in; IPv6, Qnet and others by registration).
import {
  ETHER_HDR_LEN,
  ETHER_MIN_LEN,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_VLAN,
  VLAN_TAG_LEN,
  etherType,
  vlanId,
  vlanTci,
  writeEtherHeader,
} from "../wire/ethernet.ts";
import { MAC_BROADCAST, isGroupMac, readMac } from "../wire/mac.ts";
import { ERRNO } from "../../kernel/errno.ts";
import { BPF_D_IN, BPF_D_OUT, bpfTapList } from "./bpf.ts";
import { IFF_ALLMULTI, IFF_PROMISC, type Ifnet } from "./ifnet.ts";
import { PB_BCAST, PB_MCAST, pbufFree, type Pbuf } from "./pbuf.ts";
import { PFIL_DROP, PFIL_IN, PFIL_OUT, pfilRun } from "./pfil.ts";
import type { Stack } from "./stack.ts";

/**
 * A protocol for an ethertype the core does not handle (IPv6, Qnet 0x8204 …). It owns `pb`:
 * `pb.off` is at the byte after the Ethernet header (which stays readable at `pb.off - 14`).
 */
export type EtherHandler = (ifp: Ifnet, pb: Pbuf) => void;

export class Ether {
  private readonly stack: Stack;
  private readonly handlers = new Map<number, EtherHandler>();

  constructor(stack: Stack) {
    this.stack = stack;
  }

  register(type: number, handler: EtherHandler): void {
    if (
      type === ETHERTYPE_IPV4 ||
      type === ETHERTYPE_ARP ||
      type === ETHERTYPE_VLAN ||
      this.handlers.has(type)
    ) {
      throw new Error(`ethertype 0x${type.toString(16)} already handled`);
    }
    this.handlers.set(type, handler);
  }

  unregister(type: number): boolean {
    return this.handlers.delete(type);
  }

  /** ether_input: one received frame, `pb.off` at the Ethernet header. Owns `pb`. */
  input(ifp: Ifnet, pb: Pbuf): void {
    const st = this.stack.stats.ether;
    const c = ifp.counters;
    st.frames++;
    c.ipackets++;
    c.ibytes += pb.len;
    pb.rcvif = ifp;
    if (pb.len < ETHER_HDR_LEN) {
      st.tooshort++;
      c.ierrors++;
      pbufFree(pb);
      return;
    }
    const b = pb.bytes;
    if (ifp.taps.length !== 0 || this.stack.taps.length !== 0) this.tap(ifp, pb, BPF_D_IN);
    // The MAC filter: what a NIC lets through unless promiscuous.
    const dst = readMac(b, pb.off);
    if (dst !== ifp.mac) {
      if (dst === MAC_BROADCAST) {
        pb.flags |= PB_BCAST;
        c.ibcasts++;
      } else if (isGroupMac(dst)) {
        c.imcasts++;
        if ((ifp.flags & IFF_ALLMULTI) === 0 && !ifp.mcastFilter.has(dst)) {
          this.notForUs(ifp, pb);
          return;
        }
        pb.flags |= PB_MCAST;
      } else {
        // Unicast to someone else: only seen in promiscuous mode; BPF had it, the stack does not.
        this.notForUs(ifp, pb);
        return;
      }
    }
    const g = this.stack.pfil.inHooks;
    if (g.length !== 0 && pfilRun(g, pb, ifp, PFIL_IN) === PFIL_DROP) {
      st.pfildrops++;
      c.iqdrops++;
      pbufFree(pb);
      return;
    }
    this.demux(ifp, pb);
  }

  private notForUs(ifp: Ifnet, pb: Pbuf): void {
    this.stack.stats.ether.notforus++;
    // Counted as an input drop only when the NIC would have passed it (promiscuous / allmulti).
    if (ifp.flags & (IFF_PROMISC | IFF_ALLMULTI)) ifp.counters.iqdrops++;
    pbufFree(pb);
  }

  /** Per-interface hooks, VLAN and the ethertype switch. */
  private demux(ifp: Ifnet, pb: Pbuf): void {
    const st = this.stack.stats.ether;
    const h = ifp.pfil.inHooks;
    if (h.length !== 0 && pfilRun(h, pb, ifp, PFIL_IN) === PFIL_DROP) {
      st.pfildrops++;
      ifp.counters.iqdrops++;
      pbufFree(pb);
      return;
    }
    const b = pb.bytes;
    const type = etherType(b, pb.off);
    if (type === ETHERTYPE_IPV4) {
      pb.adj(ETHER_HDR_LEN);
      this.stack.ip.input(pb);
      return;
    }
    if (type === ETHERTYPE_ARP) {
      pb.adj(ETHER_HDR_LEN);
      this.stack.arp.input(ifp, pb);
      return;
    }
    if (type === ETHERTYPE_VLAN) {
      this.vlanInput(ifp, pb);
      return;
    }
    const handler = this.handlers.get(type);
    if (handler !== undefined) {
      st.handed++;
      pb.adj(ETHER_HDR_LEN);
      handler(ifp, pb);
      return;
    }
    st.unknowntype++;
    ifp.counters.noproto++;
    pbufFree(pb);
  }

  /** 802.1Q: strip the tag in place and continue on the VLAN interface; drop if there is none. */
  private vlanInput(ifp: Ifnet, pb: Pbuf): void {
    const sub =
      pb.len >= ETHER_HDR_LEN + VLAN_TAG_LEN ? ifp.vlans.get(vlanId(vlanTci(pb.bytes, pb.off))) : undefined;
    if (sub === undefined || !sub.isUp) {
      this.stack.stats.ether.vlandrops++;
      ifp.counters.iqdrops++;
      pbufFree(pb);
      return;
    }
    // Move the two MAC addresses over the tag: the frame becomes untagged, no payload copy.
    pb.bytes.copyWithin(pb.off + VLAN_TAG_LEN, pb.off, pb.off + 12);
    pb.adj(VLAN_TAG_LEN);
    pb.rcvif = sub;
    sub.counters.ipackets++;
    sub.counters.ibytes += pb.len;
    if (sub.taps.length !== 0) this.tap(sub, pb, BPF_D_IN);
    this.demux(sub, pb);
  }

  private tap(ifp: Ifnet, pb: Pbuf, dir: number): void {
    const ts = this.stack.tapTime.now();
    if (ifp.taps.length !== 0) bpfTapList(ifp.taps, pb.bytes, pb.view, pb.off, pb.len, ts, dir, ifp);
    if (this.stack.taps.length !== 0)
      bpfTapList(this.stack.taps, pb.bytes, pb.view, pb.off, pb.len, ts, dir, ifp);
  }

  /**
   * ether_output: prepends the Ethernet (and 802.1Q) header to `pb` (at the L3 header), runs the
   * output hooks and taps and hands the frame to the driver. Owns `pb`; returns 0 or an errno.
   */
  output(ifp: Ifnet, pb: Pbuf, dstMac: number, type: number): number {
    if (!ifp.isUp) {
      ifp.counters.oqdrops++;
      pbufFree(pb);
      return ERRNO.ENETDOWN;
    }
    const parent = ifp.parent;
    const hdr = parent === null ? ETHER_HDR_LEN : ETHER_HDR_LEN + VLAN_TAG_LEN;
    if (!pb.prepend(hdr)) {
      ifp.counters.oerrors++;
      pbufFree(pb);
      return ERRNO.ENOBUFS;
    }
    const b = pb.bytes;
    if (parent === null) {
      writeEtherHeader(b, pb.off, dstMac, ifp.mac, type);
    } else {
      writeEtherHeader(b, pb.off, dstMac, ifp.mac, ETHERTYPE_VLAN);
      b[pb.off + 14] = (ifp.vlanId >>> 8) & 0x0f;
      b[pb.off + 15] = ifp.vlanId & 0xff;
      b[pb.off + 16] = type >>> 8;
      b[pb.off + 17] = type & 0xff;
    }
    // Pad runts with zeros ourselves: never leak old buffer contents onto the wire.
    if (pb.len < ETHER_MIN_LEN && pb.tailroom() >= ETHER_MIN_LEN - pb.len) {
      b.fill(0, pb.off + pb.len, pb.off + ETHER_MIN_LEN);
      pb.len = ETHER_MIN_LEN;
    }
    const h = ifp.pfil.outHooks;
    const g = this.stack.pfil.outHooks;
    if (
      (h.length !== 0 && pfilRun(h, pb, ifp, PFIL_OUT) === PFIL_DROP) ||
      (g.length !== 0 && pfilRun(g, pb, ifp, PFIL_OUT) === PFIL_DROP)
    ) {
      ifp.counters.oqdrops++;
      pbufFree(pb);
      return 0; // a filter's decision is not an error for the sender (as with pfil on BSD)
    }
    if (ifp.taps.length !== 0 || this.stack.taps.length !== 0) this.tap(ifp, pb, BPF_D_OUT);
    const wire = parent ?? ifp;
    if (parent !== null && parent.taps.length !== 0) {
      bpfTapList(parent.taps, b, pb.view, pb.off, pb.len, this.stack.tapTime.now(), BPF_D_OUT, parent);
    }
    const c = ifp.counters;
    if (dstMac === MAC_BROADCAST) c.obcasts++;
    else if (isGroupMac(dstMac)) c.omcasts++;
    let ok: boolean | void;
    try {
      ok = wire.output(b.subarray(pb.off, pb.off + pb.len), pb.len);
    } catch {
      ok = false;
    }
    if (ok === false) {
      c.oerrors++;
    } else {
      c.opackets++;
      c.obytes += pb.len;
      if (parent !== null) {
        parent.counters.opackets++;
        parent.counters.obytes += pb.len;
      }
    }
    pbufFree(pb);
    if (ok !== false) return 0;
    // No carrier (cable out, interface gone) says more than "no buffer space".
    return wire.linkUp ? ERRNO.ENOBUFS : ERRNO.ENETDOWN;
  }
}
