// One node's Qnet engine, without the kernel and io-pkt around it: the node table, the LAN
// resolver and one L4 session per peer, behind two calls — `input(link, frame)` for every frame
// a bound link receives, and `send(nd, payload)` for kernel-interface messages. Sessions are set
// up with QoS's three-way exchange: TCS_INIT (our connection id and both names), TCS_REM_UP (the
// peer's id, and our nd in its table), TCS_UP. Every refused frame is counted by reason.
import type { Clock } from "../../kernel/clock.ts";
import { KernelError } from "../../kernel/errno.ts";
import { ETHER_HDR_LEN } from "../wire/ethernet.ts";
import { MAC_BROADCAST, readMac } from "../wire/mac.ts";
import { checkQnetPacket, qnetFrame } from "./frame.ts";
import type { QnetDrop } from "./frame.ts";
import { emptyHeader, L4, L4_FLAGS_WHOLE, LAYER, QNET_HDR_LEN } from "./l4-header.ts";
import type { QnetHeader } from "./l4-header.ts";
import { L4Session } from "./l4-transport.ts";
import { NodeTable } from "./node-table.ts";
import { decodeQnetPayload } from "./payload.ts";
import { LanResolver, QNET_TICK_MS } from "./resolver.ts";
import type { ResolverLink } from "./resolver.ts";
import { encodeTcsInit } from "./tcs.ts";

export interface EndpointOptions {
  clock: Clock;
  name: string;
  domain: string;
  links: ResolverLink[];
  /** A whole kernel-interface message from node `nd` (our descriptor for it). */
  deliver: (nd: number, payload: Uint8Array) => void;
  /** Node `nd` stopped answering. */
  down?: (nd: number) => void;
  autoAdd?: number;
  doCrc?: boolean;
  txRetries?: number;
}

interface Peer {
  nd: number;
  link: ResolverLink;
  mac: number;
  conn: number;
  /** The peer's connection id, once known. */
  peerConn: number;
  session: L4Session | null;
  /** Messages waiting for the session to come up. */
  waiting: Uint8Array[];
}

export type EndpointDrop = QnetDrop | "not-ours" | "payload" | "no-session";

export class QnetEndpoint {
  readonly table: NodeTable;
  readonly resolver: LanResolver;
  readonly drops = new Map<EndpointDrop, number>();
  private readonly o: EndpointOptions;
  private readonly byConn = new Map<number, Peer>();
  private readonly byNd = new Map<number, Peer>();
  private nextConn = 1;
  private readonly h = emptyHeader();

  constructor(o: EndpointOptions) {
    this.o = o;
    this.table = new NodeTable(
      o.name,
      o.domain,
      o.links.map((l) => l.name),
    );
    this.resolver = new LanResolver({
      clock: o.clock,
      table: this.table,
      links: o.links,
      autoAdd: o.autoAdd,
    });
  }

  /** Queues a kernel-interface message for node `nd`, opening the session first if needed. */
  send(nd: number, payload: Uint8Array): void {
    let p = this.byNd.get(nd & 0xffff);
    if (!p) {
      const n = this.table.node(nd);
      if (!n) throw new KernelError("EHOSTUNREACH", `qnet: nd ${nd & 0xffff} is not in /net`);
      const [linkName, mac] = n.macs.entries().next().value as [string, number];
      p = this.peer(n.nd, this.link(linkName), mac);
      const init = encodeTcsInit({
        srcName: this.table.name,
        srcDomain: this.table.domain,
        dstName: n.name,
        dstDomain: n.domain,
      });
      this.connect(p, init, this.o.txRetries ?? 5);
    }
    if (p.session) p.session.send(payload, LAYER.KIF);
    else p.waiting.push(payload);
  }

  /** A frame received on `link` (from the Ethernet header on). */
  input(link: string, f: Uint8Array): void {
    const h = this.h;
    const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
    const why = f.length < ETHER_HDR_LEN ? "short" : checkQnetPacket(f, v, ETHER_HDR_LEN, f.length, h);
    if (why !== null) return this.drop(why);
    const payload = f.subarray(ETHER_HDR_LEN + QNET_HDR_LEN, ETHER_HDR_LEN + QNET_HDR_LEN + h.length);
    const from = readMac(f, 6);
    // A hub (or promiscuous port) also shows us frames meant for other nodes.
    const to = readMac(f, 0);
    if (to !== MAC_BROADCAST && to !== this.link(link).mac) return this.drop("not-ours");
    if (h.type === L4.DATA || h.type === L4.ACK || h.type === L4.NACK || h.type === L4.USER) {
      const p = this.byConn.get(h.dconn);
      if (!p?.session || p.mac !== from) return this.drop("no-session");
      return p.session.input(h, payload);
    }
    let d;
    try {
      d = decodeQnetPayload(h, payload);
    } catch {
      return this.drop("payload");
    }
    if (d.kind === "lr") return this.resolver.input(link, from, d.lr);
    if (d.kind === "tcs-init") {
      const n = this.table.learn(d.init.srcName, d.init.srcDomain, link, from, this.o.clock.now());
      let p = this.byNd.get(n.nd);
      if (p?.session && p.peerConn === h.sconn && p.mac === from) {
        // A repeated TCS_INIT (our TCS_REM_UP was slow or lost): answer again, keep the session.
        return this.tcs(p, L4.TCS_REM_UP, h.sconn, n.nd);
      }
      if (p?.session) {
        // The peer restarted (a new connection id): its old session is gone.
        this.forgetPeer(p);
        p = undefined;
      }
      // Without a peer we answer a fresh one; with one still opening, both sides opened at once
      // and each adopts the other's connection id, so one session results.
      p ??= this.peer(n.nd, this.link(link), from);
      const s = this.open(p, h.sconn, h.dstNd);
      this.tcs(p, L4.TCS_REM_UP, h.sconn, n.nd);
      for (const m of p.waiting.splice(0)) s.send(m, LAYER.KIF);
      return;
    }
    if (d.kind === "session" && h.type === L4.TCS_REM_UP) {
      const p = this.byConn.get(h.dconn);
      if (!p || p.mac !== from) return this.drop("no-session");
      if (p.session) return; // a simultaneous open already made the session
      const s = this.open(p, h.sconn, h.dstNd);
      this.tcs(p, L4.TCS_UP, h.sconn, p.nd);
      for (const m of p.waiting.splice(0)) s.send(m, LAYER.KIF);
    }
  }

  /** Sends TCS_INIT every tick until the session opens; after `tries` more, the node is down. */
  private connect(p: Peer, init: Uint8Array, tries: number): void {
    if (p.session || this.byConn.get(p.conn) !== p) return;
    if (tries < 0) {
      this.forgetPeer(p);
      this.o.down?.(p.nd);
      return;
    }
    this.tcs(p, L4.TCS_INIT, 0, p.nd, init);
    this.o.clock.setTimer(QNET_TICK_MS, () => this.connect(p, init, tries - 1));
  }

  private peer(nd: number, link: ResolverLink, mac: number): Peer {
    const p: Peer = { nd, link, mac, conn: this.nextConn++, peerConn: 0, session: null, waiting: [] };
    this.byConn.set(p.conn, p);
    this.byNd.set(nd, p);
    return p;
  }

  /** Starts the session once both connection ids are known; `ourNdThere` is our nd in its table. */
  private open(p: Peer, peerConn: number, ourNdThere: number): L4Session {
    p.peerConn = peerConn;
    const s = new L4Session({
      clock: this.o.clock,
      output: (fr) => p.link.output(fr),
      deliver: (_h: QnetHeader, m: Uint8Array) => this.o.deliver(p.nd, m),
      dead: () => {
        this.forgetPeer(p);
        this.o.down?.(p.nd);
      },
      localMac: p.link.mac,
      peerMac: p.mac,
      sconn: p.conn,
      dconn: peerConn,
      srcNd: ourNdThere,
      dstNd: p.nd,
      doCrc: this.o.doCrc,
      txRetries: this.o.txRetries,
    });
    p.session = s;
    return s;
  }

  private forgetPeer(p: Peer): void {
    p.session?.close();
    this.byConn.delete(p.conn);
    if (this.byNd.get(p.nd) === p) this.byNd.delete(p.nd);
  }

  private tcs(p: Peer, type: number, dconn: number, dstNd: number, body?: Uint8Array): void {
    const h = emptyHeader();
    h.type = type;
    h.flags = L4_FLAGS_WHOLE;
    h.sconn = p.conn;
    h.dconn = dconn;
    h.dstNd = dstNd;
    p.link.output(qnetFrame(p.mac, p.link.mac, h, body));
  }

  private link(name: string): ResolverLink {
    const l = this.o.links.find((x) => x.name === name);
    if (!l) throw new KernelError("ENODEV", `qnet: not bound to ${name}`);
    return l;
  }

  private drop(why: EndpointDrop): void {
    this.drops.set(why, (this.drops.get(why) ?? 0) + 1);
  }
}
