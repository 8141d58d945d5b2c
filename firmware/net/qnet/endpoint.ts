// One node's Qnet engine, without the kernel and io-pkt around it: the node table, the LAN
// resolver and one L4 session per peer, behind two calls — `input(link, frame)` for every frame
// a bound link receives, and `send(nd, payload)` for kernel-interface messages. Sessions are set
// up with QoS's three-way exchange: TCS_INIT (our connection id and both names), TCS_REM_UP (the
// peer's id, and our nd in its table), TCS_UP. Every refused frame is counted by reason.
//
// QoS: a peer heard on several bound links keeps them all, each with its own liveness (the
// last time anything arrived from the peer on it). A link silent for a tick is probed (a
// unicast resolver request the peer must answer on that link); silent for LINK_DEAD_TICKS it
// is dead, and it rejoins as soon as the peer is heard on it again. Each frame of the one L4
// session (one sequence space, so the receiver dedupes across links) goes out on the link its
// message's nd asks for: ~loadbalance spreads frames over every live link, ~preferred:enX uses
// enX while it lives, ~exclusive:enX only enX. Design: docs/qnet.md ("QoS and failover").
import type { Clock } from "../../kernel/clock.ts";
import { KernelError } from "../../kernel/errno.ts";
import { ETHER_HDR_LEN } from "../wire/ethernet.ts";
import { MAC_BROADCAST, readMac, writeMac } from "../wire/mac.ts";
import { checkQnetPacket, qnetFrame } from "./frame.ts";
import type { QnetDrop } from "./frame.ts";
import { emptyHeader, L4, L4_FLAGS_WHOLE, LAYER, QNET_HDR_LEN, QOS } from "./l4-header.ts";
import type { QnetHeader } from "./l4-header.ts";
import { L4Session } from "./l4-transport.ts";
import { NodeTable, ndLink, ndQos } from "./node-table.ts";
import { decodeQnetPayload } from "./payload.ts";
import { LanResolver, QNET_TICK_MS } from "./resolver.ts";
import type { TimerHandle } from "../../kernel/clock.ts";
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
  /** Link `link` (its index in `links`) to node `nd` died (`up` false) or rejoined (`up` true). */
  linkState?: (nd: number, link: number, up: boolean) => void;
  autoAdd?: number;
  doCrc?: boolean;
  txRetries?: number;
  /** The largest L4 header + payload a frame may carry (default 1500; less with auth='s trailer). */
  mtu?: number;
}

/** A link quiet this many ticks (probed on each) is dead until the peer is heard on it again. */
export const LINK_DEAD_TICKS = 3;

/** One link to a peer: where the peer is on it, and whether it still answers there. */
export interface PeerLink {
  link: ResolverLink;
  /** The link's position in the bound links (what ~preferred:/~exclusive: name). */
  index: number;
  mac: number;
  heard: number;
  alive: boolean;
}

interface Peer {
  nd: number;
  links: PeerLink[];
  conn: number;
  /** The peer's connection id, once known. */
  peerConn: number;
  session: L4Session | null;
  /** Messages waiting for the session to come up. */
  waiting: { payload: Uint8Array; route: number }[];
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
  private liveness: TimerHandle | null = null;
  /** Spreads session setup over the live links (a repeated TCS_INIT tries the next one). */
  private tcsTurn = 0;

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

  /**
   * Queues a kernel-interface message for node `nd`, opening the session first if needed. The
   * nd's QoS bits choose the links its frames take; an ~exclusive link that is not live fails
   * with EHOSTDOWN.
   */
  send(nd: number, payload: Uint8Array): void {
    let p = this.byNd.get(nd & 0xffff);
    if (!p) {
      const n = this.table.node(nd);
      if (!n) throw new KernelError("EHOSTUNREACH", `qnet: nd ${nd & 0xffff} is not in /net`);
      p = this.peer(n.nd);
      const init = encodeTcsInit({
        srcName: this.table.name,
        srcDomain: this.table.domain,
        dstName: n.name,
        dstDomain: n.domain,
      });
      this.connect(p, init, this.o.txRetries ?? 5);
    }
    const route = nd >>> 16;
    if (ndQos(nd) === QOS.EXCLUSIVE && !this.linkTo(p, ndLink(nd))?.alive) {
      const name = this.table.links[ndLink(nd)] ?? ndLink(nd);
      throw new KernelError("EHOSTDOWN", `qnet: link ${name} to ${this.table.ndtostr(0, nd)} is down`);
    }
    if (p.session) p.session.send(payload, LAYER.KIF, ndQos(nd), route);
    else p.waiting.push({ payload, route });
  }

  /** The links to node `nd` and their liveness (for tests and diagnostics). */
  links(nd: number): readonly PeerLink[] {
    return this.byNd.get(nd & 0xffff)?.links ?? [];
  }

  /**
   * The driver reports bound link `name` down or up (no carrier, or the interface set down).
   * Down: every peer link on it is dead at once, rather than after LINK_DEAD_TICKS of silence.
   * Up: the peers on it are probed now, and each rejoins when it answers there.
   */
  ifState(name: string, up: boolean): void {
    for (const p of this.byNd.values()) {
      const pl = p.links.find((x) => x.link.name === name);
      if (!pl) continue;
      if (!up && pl.alive) {
        pl.alive = false;
        this.o.linkState?.(p.nd, pl.index, false);
      }
      const n = this.table.node(p.nd);
      if (up && n) this.resolver.probe(pl.link, pl.mac, n.name, n.domain);
    }
  }

  /** Stops the resolver and the liveness timer (lsm-qnet's detach). */
  stop(): void {
    this.resolver.stop();
    if (this.liveness) this.o.clock.clearTimer(this.liveness);
    this.liveness = null;
  }

  /**
   * A frame received on `link` (from the Ethernet header on). `f` may be a view of a receive
   * buffer that is reused once this returns: whatever is kept past the call is copied.
   */
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
      if (!p?.session || !this.heard(p, link, from)) return this.drop("no-session");
      return p.session.input(h, payload);
    }
    let d;
    try {
      // Resolver and connection packets are rare: their decoders may keep views, so of a copy.
      d = decodeQnetPayload(h, payload.slice());
    } catch {
      return this.drop("payload");
    }
    if (d.kind === "lr") {
      this.resolver.input(link, from, d.lr);
      // A resolver packet from a peer (an answer to our probe, an announcement) is proof of life.
      for (const p of this.byNd.values()) this.heard(p, link, from);
      return;
    }
    if (d.kind === "tcs-init") {
      const n = this.table.learn(d.init.srcName, d.init.srcDomain, link, from, this.o.clock.now());
      let p = this.byNd.get(n.nd);
      if (p?.session && p.peerConn === h.sconn && this.heard(p, link, from)) {
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
      p ??= this.peer(n.nd);
      this.heard(p, link, from);
      this.open(p, h.sconn, h.dstNd);
      this.tcs(p, L4.TCS_REM_UP, h.sconn, n.nd);
      return this.flushWaiting(p);
    }
    if (d.kind === "session" && h.type === L4.TCS_REM_UP) {
      const p = this.byConn.get(h.dconn);
      if (!p || !this.heard(p, link, from)) return this.drop("no-session");
      if (p.session) return; // a simultaneous open already made the session
      this.open(p, h.sconn, h.dstNd);
      this.tcs(p, L4.TCS_UP, h.sconn, p.nd);
      this.flushWaiting(p);
    }
  }

  private flushWaiting(p: Peer): void {
    const s = p.session as L4Session;
    for (const m of p.waiting.splice(0)) s.send(m.payload, LAYER.KIF, m.route & 3, m.route);
  }

  /**
   * The peer was heard on `link` from `from`: that link is live (it rejoins if it was dead).
   * False when `from` is not where the node table has the peer on that link.
   */
  private heard(p: Peer, link: string, from: number): boolean {
    let pl = p.links.find((x) => x.link.name === link);
    if (pl?.mac !== from) {
      if (this.table.node(p.nd)?.macs.get(link) !== from) return false;
      if (pl) pl.mac = from;
      else {
        pl = this.peerLink(link, from);
        p.links.push(pl);
      }
    }
    pl.heard = this.o.clock.now();
    if (!pl.alive) {
      pl.alive = true;
      this.o.linkState?.(p.nd, pl.index, true);
    }
    return true;
  }

  private peerLink(name: string, mac: number): PeerLink {
    const link = this.link(name);
    return { link, index: this.o.links.indexOf(link), mac, heard: this.o.clock.now(), alive: true };
  }

  private linkTo(p: Peer, index: number): PeerLink | undefined {
    return p.links.find((x) => x.index === index);
  }

  /**
   * The link for one frame: `route` is the message's QoS (nd bits 16+), `turn` spreads frames
   * (and a retransmission away from its original) over the live links. Null when none lives.
   */
  private pick(p: Peer, route: number, turn: number): PeerLink | null {
    const qos = route & 3;
    if (qos === QOS.EXCLUSIVE || qos === QOS.PREFERRED) {
      const own = this.linkTo(p, ndLink(route << 16));
      if (own?.alive) return own;
      // ~preferred falls back to the others. ~exclusive only gets here for fragments accepted
      // before its link died: the session's sequence space needs them delivered, so they
      // finish on the surviving links (the kernel link has failed their senders already).
    }
    let live = 0;
    for (const l of p.links) if (l.alive) live++;
    if (live === 0) return null;
    let k = turn % live;
    for (const l of p.links) if (l.alive && k-- === 0) return l;
    return null;
  }

  /** Sends one frame of `p`'s session on the link `route` asks for, with that link's addresses. */
  private emit(p: Peer, frame: Uint8Array, route: number, turn: number): boolean {
    const pl = this.pick(p, route, turn);
    if (!pl) return false;
    // Links copy the frame before output returns, so rewriting the addresses in place is safe.
    writeMac(frame, 0, pl.mac);
    writeMac(frame, 6, pl.link.mac);
    return pl.link.output(frame);
  }

  /** Every tick while peers exist: probe quiet links, declare silent ones dead. */
  private readonly tick = (): void => {
    this.liveness = null;
    if (this.byNd.size === 0) return;
    const now = this.o.clock.now();
    for (const p of this.byNd.values()) {
      const n = this.table.node(p.nd);
      for (const pl of p.links) {
        const quiet = now - pl.heard;
        if (quiet < QNET_TICK_MS) continue;
        if (pl.alive && quiet >= LINK_DEAD_TICKS * QNET_TICK_MS) {
          pl.alive = false;
          this.o.linkState?.(p.nd, pl.index, false);
        }
        if (n) this.resolver.probe(pl.link, pl.mac, n.name, n.domain);
      }
    }
    this.liveness = this.o.clock.setTimer(QNET_TICK_MS, this.tick);
  };

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

  /** A peer for node `nd`, with every link the node table has heard it on. */
  private peer(nd: number): Peer {
    const links: PeerLink[] = [];
    for (const [name, mac] of this.table.node(nd)?.macs ?? []) links.push(this.peerLink(name, mac));
    const p: Peer = { nd, links, conn: this.nextConn++, peerConn: 0, session: null, waiting: [] };
    this.byConn.set(p.conn, p);
    this.byNd.set(nd, p);
    this.liveness ??= this.o.clock.setTimer(QNET_TICK_MS, this.tick);
    return p;
  }

  /** Starts the session once both connection ids are known; `ourNdThere` is our nd in its table. */
  private open(p: Peer, peerConn: number, ourNdThere: number): L4Session {
    p.peerConn = peerConn;
    const s = new L4Session({
      clock: this.o.clock,
      output: (fr, route, turn) => this.emit(p, fr, route, turn),
      deliver: (_h: QnetHeader, m: Uint8Array) => this.o.deliver(p.nd, m),
      dead: () => {
        this.forgetPeer(p);
        this.o.down?.(p.nd);
      },
      // emit() writes the chosen link's addresses into every frame.
      localMac: 0,
      peerMac: 0,
      sconn: p.conn,
      dconn: peerConn,
      srcNd: ourNdThere,
      dstNd: p.nd,
      doCrc: this.o.doCrc,
      txRetries: this.o.txRetries,
      mtu: this.o.mtu,
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
    this.emit(p, qnetFrame(0, 0, h, body), 0, this.tcsTurn++);
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
