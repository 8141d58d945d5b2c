// resolve=ndp: the LAN resolver, Qnet's ARP. A node that needs "bravo.lab" broadcasts a request
// on every bound link; bravo answers to the asker's MAC, and each side learns the other in its
// node table. Every auto_add ticks a node also broadcasts its own mapping (a reply addressed to
// nobody), so quiet nodes appear in /net; auto_add=0 neither sends these nor accepts them.
// Frames go out through each link's `output`; time is the injectable clock.
import type { Clock, TimerHandle } from "../../kernel/clock.ts";
import { MAC_BROADCAST } from "../wire/mac.ts";
import { qnetFrame } from "./frame.ts";
import { emptyHeader, L4, LAYER } from "./l4-header.ts";
import { encodeLr, LR_REPLY, LR_REQUEST } from "./lan-resolver.ts";
import type { LrPacket } from "./lan-resolver.ts";
import type { NodeTable, QnetNode } from "./node-table.ts";

/** A QNX tick for Qnet's periodic work (auto_add counts these). */
export const QNET_TICK_MS = 200;

export interface ResolverLink {
  name: string;
  mac: number;
  /** Sends one frame; it is copied before this returns (callers may reuse the bytes). */
  output: (frame: Uint8Array) => boolean;
}

export interface ResolverOptions {
  clock: Clock;
  table: NodeTable;
  links: ResolverLink[];
  /** Ticks between announcements; 0 = none, and unsolicited ones are ignored. Default 150 (30 s). */
  autoAdd?: number;
  /** Called when a node is first learned or heard again. */
  learned?: (n: QnetNode) => void;
}

export interface ResolverStats {
  requestsSent: number;
  /** Unicast requests checking that a known node still answers on one link. */
  probesSent: number;
  repliesSent: number;
  announcementsSent: number;
  learned: number;
  ignored: number;
}

export class LanResolver {
  private readonly o: ResolverOptions;
  private readonly autoAdd: number;
  private timer: TimerHandle | null = null;
  readonly stats: ResolverStats = {
    requestsSent: 0,
    probesSent: 0,
    repliesSent: 0,
    announcementsSent: 0,
    learned: 0,
    ignored: 0,
  };

  constructor(o: ResolverOptions) {
    this.o = o;
    this.autoAdd = o.autoAdd ?? 150;
  }

  /** Announces this node now and every auto_add ticks. */
  start(): void {
    if (this.autoAdd === 0) return;
    this.announce();
    this.timer = this.o.clock.setTimer(this.autoAdd * QNET_TICK_MS, () => this.start());
  }

  stop(): void {
    if (this.timer) this.o.clock.clearTimer(this.timer);
    this.timer = null;
  }

  /** Broadcasts "who is name.domain?" on every link (the answer arrives through `input`). */
  query(name: string, domain: string): void {
    for (const l of this.o.links) {
      this.send(l, MAC_BROADCAST, { type: LR_REQUEST, src: this.me(l), dst: { name, domain, mac: null } });
      this.stats.requestsSent++;
    }
  }

  /** Asks `name.domain`, known to be at `mac` on `l`, to answer there (QoS link liveness). */
  probe(l: ResolverLink, mac: number, name: string, domain: string): void {
    this.send(l, mac, { type: LR_REQUEST, src: this.me(l), dst: { name, domain, mac: null } });
    this.stats.probesSent++;
  }

  /** A decoded resolver packet that arrived on `link` from `from` (the Ethernet source). */
  input(link: string, from: number, p: LrPacket): void {
    const l = this.o.links.find((x) => x.name === link);
    const t = this.o.table;
    if (!l || (p.src.name === t.name && p.src.domain === t.domain)) return;
    const forUs = p.dst.name === t.name && p.dst.domain === t.domain;
    if (p.type === LR_REQUEST) {
      if (!forUs) return;
      this.learn(p, link, from);
      this.send(l, from, { type: LR_REPLY, src: this.me(l), dst: p.src });
      this.stats.repliesSent++;
      return;
    }
    // A reply to our question, or an announcement (a reply addressed to nobody).
    if (forUs || (p.dst.name === "" && this.autoAdd > 0)) {
      const isNew = !t.nodes().some((n) => n.name === p.src.name && n.domain === p.src.domain);
      this.learn(p, link, from);
      // A node we had not heard of announced itself (it just started): answer it, so it
      // learns us now rather than at our next announcement.
      if (isNew && !forUs) {
        this.send(l, from, { type: LR_REPLY, src: this.me(l), dst: p.src });
        this.stats.repliesSent++;
      }
    } else this.stats.ignored++;
  }

  private learn(p: LrPacket, link: string, from: number): void {
    const n = this.o.table.learn(p.src.name, p.src.domain, link, p.src.mac ?? from, this.o.clock.now());
    this.stats.learned++;
    this.o.learned?.(n);
  }

  /** Broadcasts this node's own mapping now (a rename, `ls -l /net`). */
  announce(): void {
    for (const l of this.o.links) {
      this.send(l, MAC_BROADCAST, {
        type: LR_REPLY,
        src: this.me(l),
        dst: { name: "", domain: "", mac: null },
      });
      this.stats.announcementsSent++;
    }
  }

  private me(l: ResolverLink) {
    return { name: this.o.table.name, domain: this.o.table.domain, mac: l.mac };
  }

  private send(l: ResolverLink, dst: number, p: LrPacket): void {
    const h = emptyHeader();
    h.type = L4.LRES;
    h.layer = LAYER.LR;
    l.output(qnetFrame(dst, l.mac, h, encodeLr(p)));
  }
}
