// Message passing: channels, connections, MsgSend/MsgReceive/MsgReply, pulses and events.
// The rules (QNX's): a channel queues messages and pulses by priority, FIFO within one
// priority; a receiving thread floats to the priority of what it received; a server that
// goes away makes its SEND- and REPLY-blocked clients fail with ESRCH.
import { Channel, Connection, PendingSend, type QueuedItem, type RemoteLink } from "./channel.ts";
import { KernelError } from "./errno.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./process.ts";
import { signalName } from "./signals.ts";
import type { Thread } from "./thread.ts";
import {
  CHF,
  PULSE_CODE,
  type MsgInfo,
  type MsgReceiveOptions,
  type MsgSendOptions,
  type Pulse,
} from "./types.ts";
import type { Received, Reply, SigEvent } from "./types.ts";

/** rcvids name (connection, sending thread), as on QNX, so they stay valid for MsgDeliverEvent. */
const RCVID_TID_SPAN = 0x10000;

function rcvidFor(conn: Connection, sender: Thread): number {
  return conn.scoid * RCVID_TID_SPAN + (sender.tid % RCVID_TID_SPAN);
}

function connectionOfRcvid(kernel: Kernel, rcvid: number): Connection | undefined {
  return kernel.scoids.get(Math.floor(rcvid / RCVID_TID_SPAN));
}

export function channelCreate(kernel: Kernel, proc: Process, flags: number): number {
  const chid = proc.nextChid++;
  proc.channels.set(chid, new Channel(chid, proc, flags));
  kernel.counts.channels++;
  return chid;
}

export function channelDestroy(kernel: Kernel, proc: Process, chid: number): void {
  const ch = proc.channels.get(chid);
  if (!ch) throw new KernelError("EINVAL", `no channel ${chid}`);
  destroyChannel(kernel, ch);
}

/** Fails everyone waiting on the channel and tells connected clients that asked to know. */
export function destroyChannel(kernel: Kernel, ch: Channel): void {
  if (ch.destroyed) return;
  ch.destroyed = true;
  ch.owner.channels.delete(ch.chid);
  kernel.counts.channels--;
  for (const item of ch.queue.drain()) {
    if (item instanceof PendingSend) item.sender.fail(new KernelError("ESRCH", "server channel destroyed"));
  }
  // Received and not yet replied to: the senders still wait on this channel (rare path, so
  // a walk over the threads rather than a table kept up to date on every message).
  for (const procs of [kernel.procs.values(), kernel.netClients.values()]) {
    for (const proc of procs) {
      for (const t of proc.threads.values()) {
        const p = t.sending;
        if (p && p.channel === ch && p.rcvid !== 0) {
          t.sending = null;
          t.fail(new KernelError("ESRCH", "server died before replying"));
        }
      }
    }
  }
  for (let t = ch.receivers.shift(); t; t = ch.receivers.shift())
    t.fail(new KernelError("EINVAL", "channel destroyed"));
  for (const conn of ch.connections) {
    const client = conn.owner;
    if (client.exited) continue;
    for (const cch of client.channels.values()) {
      if (cch.flags & CHF.COID_DISCONNECT) {
        deliverPulse(cch, { code: PULSE_CODE.COIDDEATH, value: conn.coid, priority: 255, scoid: 0 });
      }
    }
  }
}

export function connectAttach(
  kernel: Kernel,
  proc: Process,
  nd: number,
  pid: number,
  chid: number,
  _flags: number,
): number {
  const coid = proc.nextCoid++;
  if (nd !== 0 && nd !== kernel.localNd) {
    if (!kernel.netTransport)
      throw new KernelError("EHOSTDOWN", `node ${nd}: no network transport (Qnet not running)`);
    const remote = kernel.netTransport.attach(nd, pid, chid, proc);
    const conn = new Connection(coid, kernel.nextScoid++, proc, { nd, pid, chid, channel: null, remote });
    proc.connections.set(coid, conn);
    kernel.counts.connections++;
    return coid;
  }
  const target = kernel.procs.get(pid);
  if (!target || target.exited) throw new KernelError("ESRCH", `no process ${pid}`);
  const ch = target.channels.get(chid);
  if (!ch) throw new KernelError("ESRCH", `process ${pid} has no channel ${chid}`);
  const conn = new Connection(coid, kernel.nextScoid++, proc, {
    nd: 0,
    pid,
    chid,
    channel: ch,
    remote: null,
  });
  proc.connections.set(coid, conn);
  ch.connections.add(conn);
  kernel.scoids.set(conn.scoid, conn);
  kernel.counts.connections++;
  return coid;
}

export function connectDetach(kernel: Kernel, proc: Process, coid: number, prio: number): void {
  const conn = proc.connections.get(coid);
  if (!conn) throw new KernelError("EBADF", `no connection ${coid}`);
  detachConnection(kernel, conn, prio);
}

export function detachConnection(kernel: Kernel, conn: Connection, prio: number): void {
  if (conn.detached) return;
  conn.detached = true;
  conn.owner.connections.delete(conn.coid);
  kernel.scoids.delete(conn.scoid);
  kernel.counts.connections--;
  conn.remote?.close();
  const ch = conn.channel;
  if (!ch) return;
  ch.connections.delete(conn);
  if (!ch.destroyed && ch.flags & CHF.DISCONNECT) {
    deliverPulse(ch, { code: PULSE_CODE.DISCONNECT, value: conn.scoid, priority: prio, scoid: conn.scoid });
  }
}

function connectionOf(proc: Process, coid: number): Connection {
  const conn = proc.connections.get(coid);
  if (!conn) throw new KernelError("EBADF", `no connection ${coid}`);
  return conn;
}

/** MsgSend returning the status and the data (MsgReply's both arguments). */
export function msgSend(
  kernel: Kernel,
  t: Thread,
  coid: number,
  msg: Uint8Array,
  opts: MsgSendOptions,
): Promise<Reply> {
  return send(kernel, t, coid, msg, opts, false) as Promise<Reply>;
}

/** MsgSend returning only the reply data (the common case, without a Reply object). */
export function msgSendData(
  kernel: Kernel,
  t: Thread,
  coid: number,
  msg: Uint8Array,
  opts: MsgSendOptions,
): Promise<Uint8Array> {
  return send(kernel, t, coid, msg, opts, true) as Promise<Uint8Array>;
}

function send(
  _kernel: Kernel,
  t: Thread,
  coid: number,
  msg: Uint8Array,
  opts: MsgSendOptions,
  dataOnly: boolean,
): Promise<Reply | Uint8Array> {
  const conn = connectionOf(t.process, coid);
  const replyMax = opts.replyMax ?? Number.MAX_SAFE_INTEGER;
  const link = conn.remote;
  if (link) {
    const p = t.park<Reply | Uint8Array, RemoteLink>(
      "NET_SEND",
      link.label,
      opts.timeoutMs,
      cancelRemote,
      link,
    );
    link.send(t, msg, replyMax, dataOnly);
    return p;
  }
  const ch = conn.channel as Channel;
  if (ch.destroyed) return Promise.reject(new KernelError("EBADF", "server channel is gone"));
  // Park first: a thread already blocked (a second call from the same thread before the
  // first returned) gets EBUSY without touching the message still in flight in its slot.
  const pending = (t.sendSlot ??= new PendingSend(t));
  const p = t.park<Reply | Uint8Array, PendingSend>(
    "SEND",
    ch.owner.pid,
    opts.timeoutMs,
    cancelSend,
    pending,
  );
  pending.load(conn, ch, msg, replyMax, dataOnly);
  t.sending = pending;
  const receiver = ch.receivers.shift();
  // The sender is blocked now: the server it wakes can run at once.
  if (receiver) deliver(ch, receiver, pending, true);
  else ch.queue.push(pending.priority, pending);
  return p;
}

/** A client blocked on another node gave up: its link tells the server's node. */
function cancelRemote(link: RemoteLink, t: Thread): void {
  link.cancel(t);
}

/** The client gave up (timeout, signal, death): take its message back out of the server's hands. */
function cancelSend(p: PendingSend): void {
  const ch = p.channel;
  const sender = p.sender;
  if (sender.sending !== p) return;
  sender.sending = null;
  if (p.rcvid === 0) {
    ch.queue.remove(p.priority, p);
    return;
  }
  if (!ch.destroyed && ch.flags & CHF.UNBLOCK) {
    deliverPulse(ch, { code: PULSE_CODE.UNBLOCK, value: p.rcvid, priority: p.priority, scoid: p.conn.scoid });
  }
}

export function msgReceive(
  kernel: Kernel,
  t: Thread,
  chid: number,
  opts: MsgReceiveOptions,
): Promise<Received> {
  const ch = t.process.channels.get(chid);
  if (!ch) return Promise.reject(new KernelError("ESRCH", `no channel ${chid}`));
  t.recvBufSize = opts.bufSize ?? Number.MAX_SAFE_INTEGER;
  const item = ch.queue.shift();
  if (item !== undefined) {
    const p = t.park<Received>("RECEIVE", chid);
    deliver(ch, t, item, true);
    return p;
  }
  // Nothing to serve: the thread drops back to its own priority while it waits.
  t.priority = t.basePriority;
  const p = t.park<Received, Channel>("RECEIVE", chid, opts.timeoutMs, cancelReceive, ch);
  ch.receivers.push(t);
  return p;
}

/** A RECEIVE-blocked thread gave up (timeout, signal, death). */
function cancelReceive(ch: Channel, t: Thread): void {
  ch.receivers.remove((r) => r === t);
}

/**
 * Hands a queued item to a RECEIVE-blocked thread, floating its priority. `handOff` when the
 * calling thread has just blocked, so the receiver may run without a scheduler turn.
 */
function deliver(ch: Channel, receiver: Thread, item: QueuedItem, handOff = false): void {
  const floats = !(ch.flags & CHF.FIXED_PRIORITY);
  if (!(item instanceof PendingSend)) {
    if (floats) receiver.priority = item.priority;
    if (handOff) receiver.handOff({ rcvid: 0, pulse: item }, item.priority);
    else receiver.wake({ rcvid: 0, pulse: item }, item.priority);
    return;
  }
  const sender = item.sender;
  const rcvid = rcvidFor(item.conn, sender);
  item.rcvid = rcvid;
  receiver.lastReceived = item;
  sender.state = "REPLY";
  const max = receiver.recvBufSize;
  const msg = item.msg.length > max ? item.msg.subarray(0, max) : item.msg;
  const proc = sender.process;
  const info: MsgInfo = {
    nd: proc.nd,
    srcnd: proc.srcnd,
    pid: proc.pid,
    tid: sender.tid,
    chid: ch.chid,
    scoid: item.conn.scoid,
    coid: item.conn.coid,
    priority: item.priority,
    msglen: msg.length,
    srcmsglen: item.msg.length,
    dstmsglen: item.replyMax,
    uid: proc.uid,
    gid: proc.gid,
    flags: 0,
  };
  if (floats) receiver.priority = item.priority;
  if (handOff) receiver.handOff({ rcvid, msg, info }, item.priority);
  else receiver.wake({ rcvid, msg, info }, item.priority);
}

/**
 * The message `rcvid` names, received by `t`'s process and not yet replied to. It is found
 * through its sender (the rcvid names the connection and the thread), whose `sending` slot
 * holds it: no table that every message would add to and delete from.
 */
function pendingOf(kernel: Kernel, t: Thread, rcvid: number): PendingSend {
  const last = t.lastReceived;
  if (last && last.rcvid === rcvid && last.sender.sending === last && last.channel.owner === t.process)
    return last;
  const conn = connectionOfRcvid(kernel, rcvid);
  const p = conn?.owner.threads.get(rcvid % RCVID_TID_SPAN)?.sending;
  if (!p || p.rcvid !== rcvid || p.conn !== conn || p.channel.owner !== t.process)
    throw new KernelError("ESRCH", `no client waiting on rcvid ${rcvid}`);
  return p;
}

export function msgReply(kernel: Kernel, t: Thread, rcvid: number, status: number, data?: Uint8Array): void {
  const p = pendingOf(kernel, t, rcvid);
  p.sender.sending = null;
  if (t.lastReceived === p) t.lastReceived = null;
  let out: Uint8Array;
  if (p.replyBuf) {
    if (data) writeReply(p, data, 0);
    out = p.replyBuf.subarray(0, p.replyLen);
  } else {
    out = data ?? new Uint8Array(0);
  }
  if (out.length > p.replyMax) out = out.subarray(0, p.replyMax);
  const value = p.dataOnly ? out : ({ status, data: out } satisfies Reply);
  // A server replying from its own code hands the CPU to the client it unblocks.
  if (kernel.current === t) p.sender.handOff(value, p.sender.priority);
  else p.sender.wake(value, p.sender.priority);
}

export function msgError(kernel: Kernel, t: Thread, rcvid: number, err: KernelError): void {
  const p = pendingOf(kernel, t, rcvid);
  p.sender.sending = null;
  p.sender.fail(err, p.sender.priority);
}

export function msgRead(kernel: Kernel, t: Thread, rcvid: number, offset: number, len: number): Uint8Array {
  const p = pendingOf(kernel, t, rcvid);
  if (offset < 0 || len < 0) throw new KernelError("EINVAL", "negative offset or length");
  return p.msg.subarray(Math.min(offset, p.msg.length), Math.min(offset + len, p.msg.length));
}

export function msgWrite(kernel: Kernel, t: Thread, rcvid: number, data: Uint8Array, offset: number): number {
  const p = pendingOf(kernel, t, rcvid);
  if (offset < 0) throw new KernelError("EINVAL", "negative offset");
  return writeReply(p, data, offset);
}

function writeReply(p: PendingSend, data: Uint8Array, offset: number): number {
  const room = Math.max(0, p.replyMax - offset);
  const n = Math.min(room, data.length);
  const end = offset + n;
  if (!p.replyBuf || p.replyBuf.length < end) {
    const grown = new Uint8Array(Math.max(end, (p.replyBuf?.length ?? 0) * 2, 64));
    if (p.replyBuf) grown.set(p.replyBuf.subarray(0, p.replyLen));
    p.replyBuf = grown;
  }
  p.replyBuf.set(n === data.length ? data : data.subarray(0, n), offset);
  if (end > p.replyLen) p.replyLen = end;
  return n;
}

export function msgSendPulse(
  kernel: Kernel,
  proc: Process,
  coid: number,
  priority: number,
  code: number,
  value: number,
  fromInterrupt = false,
): void {
  const conn = connectionOf(proc, coid);
  if (!(priority >= 0 && priority <= 255))
    throw new KernelError("EINVAL", `priority ${priority} out of range`);
  if (conn.remote) {
    conn.remote.pulse(priority, code, value);
    return;
  }
  const ch = conn.channel as Channel;
  if (ch.destroyed) throw new KernelError("ESRCH", "server channel is gone");
  // Only while no thread runs: from a thread's code the receiver must stay READY.
  deliverPulse(ch, { code, value, priority, scoid: conn.scoid }, fromInterrupt && kernel.current === null);
}

/**
 * Gives the pulse to a waiting receiver or queues it by priority. `fromInterrupt`: no thread
 * runs (a driver's or host timer's callback, QNX's interrupt event), so when nothing else is
 * ready the receiver runs next without a scheduler pass (Scheduler.postSettle). A pulse from a
 * running thread leaves its receiver READY until the sender blocks.
 */
export function deliverPulse(ch: Channel, pulse: Pulse, fromInterrupt = false): void {
  const receiver = ch.receivers.shift();
  if (receiver) deliver(ch, receiver, pulse, fromInterrupt);
  else ch.queue.push(pulse.priority, pulse);
}

export function msgDeliverEvent(kernel: Kernel, rcvid: number, event: SigEvent): void {
  const conn = connectionOfRcvid(kernel, rcvid);
  if (!conn || conn.owner.exited) throw new KernelError("ESRCH", `no client for rcvid ${rcvid}`);
  deliverEvent(conn.owner, event);
}

/** Delivers a sigevent to `proc`: a pulse over one of its own connections, or a signal. */
export function deliverEvent(proc: Process, event: SigEvent): void {
  if (proc.exited) return;
  if (proc.netEvents) {
    // A client on another node: its node delivers the event (MsgDeliverEvent across nodes).
    proc.netEvents(event);
    return;
  }
  if (event.kind === "pulse") {
    const conn = proc.connections.get(event.coid);
    if (!conn) throw new KernelError("EBADF", `event names connection ${event.coid}, which is not attached`);
    if (conn.remote) conn.remote.pulse(event.priority, event.code, event.value);
    else if (conn.channel && !conn.channel.destroyed) {
      deliverPulse(conn.channel, {
        code: event.code,
        value: event.value,
        priority: event.priority,
        scoid: conn.scoid,
      });
    }
  } else if (event.kind === "signal") {
    const sig = signalName(event.signo);
    if (!sig) throw new KernelError("EINVAL", `unknown signal ${event.signo}`);
    proc.signal(sig);
  }
}
