// Channels and connections: where messages and pulses wait, queued by priority.
import { PriorityBitmap } from "./priority-bitmap.ts";
import { RingQueue } from "./ring-queue.ts";
import type { Process } from "./process.ts";
import type { Thread } from "./thread.ts";
import type { Pulse } from "./types.ts";

/**
 * A message on its way: from MsgSend until MsgReply/MsgError (or a failure). A thread has at
 * most one at a time, so each thread keeps one and reloads it per send (no garbage per
 * message); `sender.sending` points to it exactly while it is in flight.
 */
export class PendingSend {
  readonly sender: Thread;
  conn!: Connection;
  channel!: Channel;
  msg!: Uint8Array;
  priority = 0;
  replyMax = 0;
  /** The sender wants only the reply data (MsgSend), not a Reply (MsgSendReply). */
  dataOnly = false;
  /** 0 while queued; set when a server receives it. */
  rcvid = 0;
  /** The reply buffer as built by MsgWrite before MsgReply. */
  replyBuf: Uint8Array | null = null;
  replyLen = 0;

  constructor(sender: Thread) {
    this.sender = sender;
  }

  load(conn: Connection, channel: Channel, msg: Uint8Array, replyMax: number, dataOnly: boolean): this {
    this.conn = conn;
    this.channel = channel;
    this.msg = msg;
    this.priority = this.sender.priority;
    this.replyMax = replyMax;
    this.dataOnly = dataOnly;
    this.rcvid = 0;
    this.replyBuf = null;
    this.replyLen = 0;
    return this;
  }
}

export type QueuedItem = PendingSend | Pulse;

/** Messages and pulses queued by priority, FIFO within one priority. */
export class PriorityQueue {
  private readonly queues = new Map<number, RingQueue<QueuedItem>>();
  private readonly nonEmpty = new PriorityBitmap();
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(prio: number, item: QueuedItem): void {
    let q = this.queues.get(prio);
    if (!q) {
      q = new RingQueue<QueuedItem>();
      this.queues.set(prio, q);
    }
    q.push(item);
    this.nonEmpty.set(prio);
    this.count++;
  }

  shift(): QueuedItem | undefined {
    const prio = this.nonEmpty.highest();
    if (prio < 0) return undefined;
    const q = this.queues.get(prio) as RingQueue<QueuedItem>;
    const item = q.shift();
    if (q.length === 0) this.nonEmpty.clear(prio);
    this.count--;
    return item;
  }

  remove(prio: number, item: QueuedItem): boolean {
    const q = this.queues.get(prio);
    if (!q || !q.remove((x) => x === item)) return false;
    if (q.length === 0) this.nonEmpty.clear(prio);
    this.count--;
    return true;
  }

  drain(): QueuedItem[] {
    const out: QueuedItem[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }
}

export class Channel {
  readonly chid: number;
  readonly owner: Process;
  readonly flags: number;
  readonly queue = new PriorityQueue();
  /** Threads RECEIVE-blocked on this channel, first come first served. */
  readonly receivers = new RingQueue<Thread>();
  readonly connections = new Set<Connection>();
  destroyed = false;

  constructor(chid: number, owner: Process, flags: number) {
    this.chid = chid;
    this.owner = owner;
    this.flags = flags;
  }
}

/**
 * A link to a remote channel, provided by a network transport (Qnet). The client thread is
 * parked by the kernel (NET_SEND, with its timeout and signals); the link wakes it with the
 * reply (a Reply, or only the data when `dataOnly`) or fails it, and never throws.
 */
export interface RemoteLink {
  readonly nd: number;
  /** What pidin shows a client blocked on this link: `pid@node`. */
  readonly label: string;
  send(sender: Thread, msg: Uint8Array, replyMax: number, dataOnly: boolean): void;
  /** The blocked sender gave up (timeout, signal, death): the server side is told to unblock. */
  cancel(sender: Thread): void;
  pulse(priority: number, code: number, value: number): void;
  close(): void;
}

export class Connection {
  readonly coid: number;
  readonly scoid: number;
  readonly owner: Process;
  readonly nd: number;
  readonly pid: number;
  readonly chid: number;
  readonly channel: Channel | null;
  readonly remote: RemoteLink | null;
  detached = false;

  constructor(
    coid: number,
    scoid: number,
    owner: Process,
    target: { nd: number; pid: number; chid: number; channel: Channel | null; remote: RemoteLink | null },
  ) {
    this.coid = coid;
    this.scoid = scoid;
    this.owner = owner;
    this.nd = target.nd;
    this.pid = target.pid;
    this.chid = target.chid;
    this.channel = target.channel;
    this.remote = target.remote;
  }
}
