// The one protocol-control-block table of an IP protocol (BSD's inpcbtable), shared by UDP,
// raw IP and TCP: local/foreign address and port of every socket, port allocation from the
// ephemeral range (net.inet.ip.portrange.first/last), SO_REUSEADDR/SO_REUSEPORT and
// EADDRINUSE, and the lookups input paths use.
import { KernelError } from "../../kernel/errno.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import { isMulticast4 } from "../wire/ipv4-addr.ts";
import { SO_REUSEADDR, SO_REUSEPORT } from "./constants.ts";
import type { Socket } from "./socket.ts";

export interface InPcb {
  readonly so: Socket;
  laddr: number;
  lport: number;
  faddr: number;
  fport: number;
  /** Multicast groups joined on this socket: group → interface (IP_ADD_MEMBERSHIP). */
  readonly groups: Map<number, Ifnet>;
}

export interface PortRange {
  first: number;
  last: number;
}

export class PcbTable {
  /** Every PCB, bound or not (netstat lists them all). */
  readonly all = new Set<InPcb>();
  /** Bound PCBs by local port. */
  private readonly byPort = new Map<number, InPcb[]>();
  private readonly range: () => PortRange;
  private nextEphemeral = -1;

  constructor(range: () => PortRange) {
    this.range = range;
  }

  create(so: Socket): InPcb {
    const pcb: InPcb = { so, laddr: 0, lport: 0, faddr: 0, fport: 0, groups: new Map() };
    this.all.add(pcb);
    return pcb;
  }

  remove(pcb: InPcb): void {
    this.all.delete(pcb);
    this.unhash(pcb);
  }

  bound(port: number): readonly InPcb[] {
    return this.byPort.get(port) ?? [];
  }

  /**
   * in_pcbbind: `port` 0 picks an ephemeral port. EADDRINUSE unless every holder of the same
   * (address, port) and this socket agree: both SO_REUSEPORT, or SO_REUSEADDR on a multicast
   * address, or different specific local addresses.
   */
  bind(pcb: InPcb, laddr: number, port: number): void {
    if (pcb.lport !== 0) throw new KernelError("EINVAL", "socket is already bound");
    const p = port === 0 ? this.ephemeral(laddr) : port;
    if (port !== 0) this.checkInUse(pcb, laddr, p);
    pcb.laddr = laddr;
    pcb.lport = p;
    let list = this.byPort.get(p);
    if (list === undefined) this.byPort.set(p, (list = []));
    list.push(pcb);
  }

  private checkInUse(pcb: InPcb, laddr: number, port: number): void {
    const mine = pcb.so.options;
    for (const o of this.bound(port)) {
      if (o.laddr !== 0 && laddr !== 0 && o.laddr !== laddr) continue;
      const theirs = o.so.options;
      if (mine & theirs & SO_REUSEPORT) continue;
      if (isMulticast4(laddr) && mine & theirs & (SO_REUSEADDR | SO_REUSEPORT)) continue;
      // SO_REUSEADDR lets a specific address share a port with a wildcard holder (BSD).
      if (mine & SO_REUSEADDR && o.laddr !== laddr) continue;
      throw new KernelError("EADDRINUSE");
    }
  }

  private ephemeral(laddr: number): number {
    const { first, last } = this.range();
    const span = last - first + 1;
    if (span <= 0) throw new KernelError("EADDRNOTAVAIL", "empty ephemeral port range");
    if (this.nextEphemeral < first || this.nextEphemeral > last) this.nextEphemeral = first;
    for (let i = 0; i < span; i++) {
      const p = this.nextEphemeral;
      this.nextEphemeral = p >= last ? first : p + 1;
      if (!this.bound(p).some((o) => o.laddr === 0 || laddr === 0 || o.laddr === laddr)) return p;
    }
    throw new KernelError("EADDRNOTAVAIL", "no free ephemeral port");
  }

  private unhash(pcb: InPcb): void {
    const list = this.byPort.get(pcb.lport);
    if (list === undefined) return;
    const i = list.indexOf(pcb);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byPort.delete(pcb.lport);
  }

  /**
   * in_pcblookup for unicast input: a connected PCB matching all four, else the best wildcard
   * match (specific local address before wildcard). Null when nobody listens.
   */
  lookup(laddr: number, lport: number, faddr: number, fport: number, ifp: Ifnet | null): InPcb | null {
    let best: InPcb | null = null;
    let bestScore = -1;
    for (const o of this.bound(lport)) {
      if (!deviceMatches(o, ifp)) continue;
      let score = 0;
      if (o.faddr !== 0) {
        if (o.faddr !== faddr || o.fport !== fport) continue;
        score += 2;
      }
      if (o.laddr !== 0) {
        if (o.laddr !== laddr) continue;
        score += 1;
      }
      if (score > bestScore) {
        best = o;
        bestScore = score;
      }
    }
    return best;
  }

  /** Every PCB that takes a broadcast or multicast datagram (udp_input's loop over all). */
  matchAll(
    laddr: number,
    lport: number,
    faddr: number,
    fport: number,
    ifp: Ifnet | null,
    out: InPcb[],
  ): void {
    for (const o of this.bound(lport)) {
      if (!deviceMatches(o, ifp)) continue;
      // bound to one address: hears only datagrams to it (the group, the broadcast address)
      if (o.laddr !== 0 && o.laddr !== laddr) continue;
      if (o.faddr !== 0 && (o.faddr !== faddr || o.fport !== fport)) continue;
      if (isMulticast4(laddr) && !o.groups.has(laddr)) continue;
      out.push(o);
    }
  }

  /** The PCB connected to (faddr, fport) from (laddr, lport): ICMP errors find their socket. */
  connected(laddr: number, lport: number, faddr: number, fport: number): InPcb | null {
    for (const o of this.bound(lport)) {
      if (o.faddr === faddr && o.fport === fport && (o.laddr === 0 || o.laddr === laddr)) return o;
    }
    return null;
  }
}

function deviceMatches(o: InPcb, ifp: Ifnet | null): boolean {
  const dev = o.so.boundIf;
  return dev === null || ifp === null || dev === ifp;
}
