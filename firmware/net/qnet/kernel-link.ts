// The kernel's side of Qnet: what makes ConnectAttach(nd, pid, chid), MsgSend, pulses and
// events work between nodes. It is the kernel's NetTransport, and it speaks the kernel-interface
// messages of kif.ts to the peer through a carrier (the QnetEndpoint's L4 sessions, or an
// in-memory pipe in tests).
//
// Client side: a RemoteChannel per remote connection. CONNECT (with the client's credentials)
// goes out at ConnectAttach; sends wait for CONNECT_SUCCESS, then each MsgSend is a MSGSEND
// carrying a handle, and MSGREPLY/MSGERROR with that handle wake the client thread. A client
// that gives up (timeout, signal) sends UNBLOCK and forgets the handle.
//
// Server side, as QNX does it: a client of another node is represented here by a virtual
// process (its pid, our nd for its node, its credentials after mapany/maproot) with one virtual
// thread per remote thread. A MSGSEND is an ordinary local MsgSend by that virtual thread, so
// the server sees a normal rcvid, floats to the client's priority, uses MsgRead/MsgWrite/
// MsgReply/MsgError/MsgDeliverEvent as usual, and its reply goes back as MSGREPLY. UNBLOCK
// interrupts the virtual thread exactly like a local client's timeout would.
import type { RemoteLink } from "../../kernel/channel.ts";
import type { Clock, TimerHandle } from "../../kernel/clock.ts";
import { KernelError, errnoName } from "../../kernel/errno.ts";
import * as ipc from "../../kernel/ipc.ts";
import type { Kernel, NetTransport } from "../../kernel/kernel.ts";
import { Process } from "../../kernel/process.ts";
import { Thread } from "../../kernel/thread.ts";
import type { Reply, SigEvent } from "../../kernel/types.ts";
import {
  KIF,
  KIF_MSGSEND_LEN,
  KIF_VERSION,
  KIF_XFER_LEN,
  decodeKifControl,
  encodeKifControl,
  isKifXfer,
  kifType,
  readKifMsgSend,
  readKifXfer,
  writeKifMsgSend,
  writeKifXfer,
  type KifCred,
  type KifMsgSend,
  type KifXfer,
} from "./kif.ts";
import type { RemoteResolution } from "../../kernel/pathspace.ts";
import { QOS } from "./l4-header.ts";
import { ndLink, ndQos } from "./node-table.ts";
import {
  PATHMGR_CHID,
  PATHMGR_PID,
  answerPathQuery,
  decodePathAnswer,
  decodeSpawnRequest,
  type SpawnRequest,
  encodePathQuery,
} from "./path-query.ts";

/** How kernel-interface messages reach a node (`nd` is our descriptor for it). */
export interface QnetCarrier {
  /** Queues a whole message for node `nd`; throws (EHOSTUNREACH) for a node not in /net. */
  send(nd: number, payload: Uint8Array): void;
  /** The node's name for pidin's `pid@node` (throws for an unknown nd). */
  nodeName(nd: number): string;
  /** netmgr_strtond: our nd for a node name (0 for ourselves); ENOENT when unknown. */
  nodeNd(name: string): number | Promise<number>;
}

export interface KernelLinkOptions {
  /** mapany=: every remote client gets this uid. */
  mapany?: number;
  /** maproot=: a remote root (uid 0) gets this uid. */
  maproot?: number;
  /**
   * Runs a program for another node (`on -n`): resolves with its exit status. `uid`/`gid` are
   * the asker's after mapany/maproot; `abort` fires when the asker gives up (SIGINT on `on`).
   */
  spawn?: (req: SpawnRequest, nd: number, uid: number, gid: number, abort: AbortSignal) => Promise<number>;
  /**
   * While clients wait on a node, it is probed this often (an empty CONNECT_PULSE: the
   * transport must get it acknowledged, so a node that died is noticed and its clients fail
   * with EHOSTDOWN). Default 1000 ms; the clock is the kernel's unless `clock` is given.
   */
  probeMs?: number;
  clock?: Clock;
}

export interface KernelLinkStats {
  sent: number;
  received: number;
  /** Messages refused: undecodable, or naming a connection or handle we do not have. */
  dropped: number;
}

const SIGEV_SIGNAL = 1;
const SIGEV_PULSE = 4;
const INT32_MAX = 0x7fffffff;

class RemoteChannel implements RemoteLink {
  readonly label: string;
  serverId = 0;
  state: "connecting" | "up" | "failed" = "connecting";
  failure: KernelError | null = null;
  /** Work held until CONNECT_SUCCESS. */
  readonly waiting: (() => void)[] = [];

  private readonly link: QnetKernelLink;
  readonly id: number;
  /** The node's nd (low 16 bits only: what replies from it carry). */
  readonly nd: number;
  /** The nd the channel was attached with, QoS bits included: what its messages are sent to. */
  readonly route: number;
  readonly pid: number;
  readonly chid: number;

  constructor(link: QnetKernelLink, id: number, nd: number, pid: number, chid: number, node: string) {
    this.link = link;
    this.id = id;
    this.nd = nd & 0xffff;
    this.route = nd;
    this.pid = pid;
    this.chid = chid;
    this.label = `${pid}@${node}`;
  }

  send(sender: Thread, msg: Uint8Array, replyMax: number, dataOnly: boolean): void {
    this.link.clientSend(this, sender, msg, replyMax, dataOnly);
  }

  cancel(sender: Thread): void {
    this.link.clientCancel(this, sender);
  }

  pulse(priority: number, code: number, value: number): void {
    this.link.clientPulse(this, priority, code, value);
  }

  close(): void {
    this.link.clientClose(this);
  }
}

interface OutstandingSend {
  handle: number;
  chan: RemoteChannel;
  t: Thread;
  dataOnly: boolean;
}

interface ServerConn {
  serverId: number;
  nd: number;
  clientId: number;
  vproc: Process | null;
  /** The virtual process's connection to the channel; -1 for the path manager. */
  coid: number;
  /** The client's uid and gid after mapany/maproot. */
  uid: number;
  gid: number;
  /** Virtual threads serving a MsgSend of this connection, by client handle (for UNBLOCK). */
  serving: Map<number, Thread>;
}

export class QnetKernelLink implements NetTransport {
  readonly stats: KernelLinkStats = { sent: 0, received: 0, dropped: 0 };
  private readonly kernel: Kernel;
  private readonly carrier: QnetCarrier;
  private readonly o: KernelLinkOptions;
  // client side
  private readonly chans = new Map<number, RemoteChannel>();
  private readonly outs = new Map<number, OutstandingSend>();
  private readonly outByThread = new Map<Thread, OutstandingSend>();
  private nextClientId = 1;
  private nextHandle = 1;
  private probe: TimerHandle | null = null;
  // server side
  private readonly servers = new Map<number, ServerConn>();
  private readonly vprocs = new Map<string, Process>();
  /** Programs run for other nodes (`on -n`), by `serverId:handle`. */
  private readonly aborts = new Map<string, AbortController>();
  private nextServerId = 1;
  private readonly ms: KifMsgSend = {
    serverId: 0,
    clientHandle: 0,
    tid: 0,
    coid: 0,
    priority: 0,
    srcmsglen: 0,
    keydata: 0,
    srcnd: 0,
    dstmsglen: 0,
    nbytes: 0,
  };
  private readonly xf: KifXfer = { type: 0, status: 0, handle: 0, offset: 0, nbytes: 0 };

  constructor(kernel: Kernel, carrier: QnetCarrier, o: KernelLinkOptions = {}) {
    this.kernel = kernel;
    this.carrier = carrier;
    this.o = o;
  }

  // ---- client side ----------------------------------------------------------------------------

  nodeNd(name: string): number | Promise<number> {
    return this.carrier.nodeNd(name);
  }

  async resolvePath(t: Thread, nd: number, path: string, follow: boolean): Promise<RemoteResolution> {
    const coid = t.ConnectAttach(nd, PATHMGR_PID, PATHMGR_CHID);
    try {
      return decodePathAnswer(nd, await t.MsgSend(coid, encodePathQuery(path, follow)));
    } finally {
      t.ConnectDetach(coid);
    }
  }

  attach(nd: number, pid: number, chid: number, client: Process): RemoteLink {
    const node = nd & 0xffff;
    const chan = new RemoteChannel(this, this.nextClientId++, nd, pid, chid, this.carrier.nodeName(node));
    this.chans.set(chan.id, chan);
    this.transmit(
      nd,
      encodeKifControl({
        type: KIF.CONNECT,
        body: {
          version: KIF_VERSION,
          serverPid: pid,
          serverChid: chid,
          clientId: chan.id,
          clientPid: client.pid,
        },
        cred: credOf(client),
      }),
    );
    return chan;
  }

  /** @internal */
  clientSend(chan: RemoteChannel, t: Thread, msg: Uint8Array, replyMax: number, dataOnly: boolean): void {
    if (chan.state === "failed") {
      t.fail(chan.failure ?? new KernelError("EHOSTDOWN"));
      return;
    }
    const rec: OutstandingSend = { handle: this.nextHandle++, chan, t, dataOnly };
    this.outs.set(rec.handle, rec);
    this.outByThread.set(t, rec);
    this.probe ??= this.clock().setTimer(this.o.probeMs ?? 1000, this.probeNodes);
    if (chan.state === "up") this.transmitSend(rec, msg, replyMax);
    else chan.waiting.push(() => this.transmitSend(rec, msg, replyMax));
  }

  private transmitSend(rec: OutstandingSend, msg: Uint8Array, replyMax: number): void {
    if (this.outs.get(rec.handle) !== rec) return; // gave up while the connection was opening
    const t = rec.t;
    const out = new Uint8Array(KIF_MSGSEND_LEN + msg.length);
    const ms = this.ms;
    ms.serverId = rec.chan.serverId;
    ms.clientHandle = rec.handle;
    ms.tid = t.tid;
    ms.coid = 0;
    ms.priority = t.priority;
    ms.srcmsglen = msg.length;
    ms.srcnd = 0;
    ms.dstmsglen = Math.min(replyMax, INT32_MAX);
    ms.nbytes = msg.length;
    writeKifMsgSend(new DataView(out.buffer), 0, true, ms);
    out.set(msg, KIF_MSGSEND_LEN);
    t.state = "NET_REPLY";
    try {
      this.transmit(rec.chan.route, out);
    } catch (e) {
      this.finish(rec);
      t.fail(KernelError.from(e));
    }
  }

  /** @internal */
  clientCancel(chan: RemoteChannel, t: Thread): void {
    const rec = this.outByThread.get(t);
    if (!rec || rec.chan !== chan) return;
    this.finish(rec);
    if (chan.state !== "up") return;
    this.transmitQuietly(
      chan.route,
      encodeKifControl({
        type: KIF.UNBLOCK,
        body: { serverId: chan.serverId, clientHandle: rec.handle, tid: t.tid },
      }),
    );
  }

  /** @internal */
  clientPulse(chan: RemoteChannel, priority: number, code: number, value: number): void {
    if (chan.state === "failed") throw chan.failure ?? new KernelError("EHOSTDOWN");
    const go = (): void =>
      this.transmitQuietly(
        chan.route,
        encodeKifControl({
          type: KIF.PULSE,
          body: {
            serverId: chan.serverId,
            clientHandle: 0,
            tid: 0,
            coid: 0,
            priority,
            srcmsglen: 0,
            keydata: 0,
            srcnd: 0,
            dstmsglen: 0,
            zero: 0,
            type: 0,
            subtype: 0,
            code,
            reserved1: 0,
            reserved2: 0,
            reserved3: 0,
            value,
            scoid: 0,
            pulsePriority: priority,
          },
        }),
      );
    if (chan.state === "up") go();
    else chan.waiting.push(go);
  }

  /** @internal */
  clientClose(chan: RemoteChannel): void {
    this.chans.delete(chan.id);
    if (chan.state === "up")
      this.transmitQuietly(
        chan.route,
        encodeKifControl({ type: KIF.DISCONNECT, body: { serverId: chan.serverId } }),
      );
    else chan.waiting.length = 0;
  }

  private clock(): Clock {
    return this.o.clock ?? this.kernel.clock;
  }

  /** Probes every node a client waits on; stops when nobody waits. */
  private readonly probeNodes = (): void => {
    this.probe = null;
    if (this.outs.size === 0) return;
    const nds = new Set<number>();
    for (const rec of this.outs.values()) if (rec.chan.state === "up") nds.add(rec.chan.nd);
    for (const nd of nds) this.transmitQuietly(nd, encodeKifControl({ type: KIF.CONNECT_PULSE, body: {} }));
    this.probe = this.clock().setTimer(this.o.probeMs ?? 1000, this.probeNodes);
  };

  private finish(rec: OutstandingSend): void {
    this.outs.delete(rec.handle);
    if (this.outByThread.get(rec.t) === rec) this.outByThread.delete(rec.t);
  }

  // ---- input --------------------------------------------------------------------------------

  /**
   * A whole kernel-interface message from node `nd`, now ours (the session delivers a private
   * copy): message and reply data are handed on as views of it. Bad ones are counted, never
   * thrown.
   */
  input(nd: number, payload: Uint8Array): void {
    this.stats.received++;
    try {
      this.dispatch(nd, payload);
    } catch {
      this.stats.dropped++;
    }
  }

  private dispatch(nd: number, payload: Uint8Array): void {
    const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    if (payload.length < 4) throw new KernelError("EBADMSG", "short kif message");
    const type = kifType(v, 0, true);
    if (type === KIF.MSGSEND) return this.serveSend(nd, v, payload);
    if (isKifXfer(type) && payload.length >= KIF_XFER_LEN) {
      const x = readKifXfer(v, 0, payload.length, true, this.xf);
      if (x.type === KIF.MSGREPLY || x.type === KIF.MSGERROR) return this.replied(nd, x, payload);
      throw new KernelError("EBADMSG", `unexpected ${x.type}`);
    }
    const m = decodeKifControl(payload, true);
    switch (m.type) {
      case KIF.CONNECT: {
        const b = m.body as { serverPid: number; serverChid: number; clientId: number; clientPid: number };
        return this.serveConnect(nd, b.serverPid, b.serverChid, b.clientId, b.clientPid, m.cred);
      }
      case KIF.CONNECT_SUCCESS: {
        const b = m.body as { serverId: number; clientId: number };
        const chan = this.chans.get(b.clientId);
        if (!chan || chan.nd !== nd || chan.state !== "connecting") throw new KernelError("ESRCH");
        chan.serverId = b.serverId;
        chan.state = "up";
        for (const go of chan.waiting.splice(0)) go();
        return;
      }
      case KIF.CONNECT_FAIL: {
        const b = m.body as { clientId: number; status: number };
        const chan = this.chans.get(b.clientId);
        if (!chan || chan.nd !== nd) throw new KernelError("ESRCH");
        this.failChannel(
          chan,
          new KernelError(errnoName(b.status) ?? "ESRCH", `no channel ${chan.chid} in process ${chan.label}`),
        );
        return;
      }
      case KIF.UNBLOCK: {
        const b = m.body as { serverId: number; clientHandle: number };
        const sc = this.servers.get(b.serverId);
        if (!sc || sc.nd !== nd) throw new KernelError("ESRCH");
        sc.serving.get(b.clientHandle)?.interrupt();
        this.aborts.get(`${b.serverId}:${b.clientHandle}`)?.abort();
        return;
      }
      case KIF.PULSE: {
        const b = m.body as { serverId: number; code: number; value: number; pulsePriority: number };
        const sc = this.servers.get(b.serverId);
        if (!sc?.vproc || sc.nd !== nd) throw new KernelError("ESRCH");
        ipc.msgSendPulse(this.kernel, sc.vproc, sc.coid, b.pulsePriority & 0xff, b.code, b.value);
        return;
      }
      case KIF.DISCONNECT: {
        const b = m.body as { serverId: number };
        const sc = this.servers.get(b.serverId);
        if (!sc || sc.nd !== nd) throw new KernelError("ESRCH");
        this.servers.delete(sc.serverId);
        if (sc.vproc && sc.coid >= 0) ipc.connectDetach(this.kernel, sc.vproc, sc.coid, sc.vproc.priority);
        return;
      }
      case KIF.EVENT: {
        const b = m.body as {
          clientHandle: number;
          notify: number;
          union1: number;
          value: number;
          union2: number;
        };
        const proc = this.kernel.procs.get(b.clientHandle);
        if (!proc) throw new KernelError("ESRCH");
        const ev: SigEvent =
          b.notify === SIGEV_PULSE
            ? {
                kind: "pulse",
                coid: b.union1,
                priority: (b.union2 >>> 8) & 0xff,
                code: (b.union2 << 24) >> 24,
                value: b.value,
              }
            : { kind: "signal", signo: b.union1 };
        ipc.deliverEvent(proc, ev);
        return;
      }
      case KIF.CONNECT_PULSE:
        return; // a liveness probe: the transport's acknowledgement is the answer
      default:
        throw new KernelError("ENOSYS", `kif type ${m.type}`);
    }
  }

  private replied(nd: number, x: KifXfer, payload: Uint8Array): void {
    const rec = this.outs.get(x.handle);
    if (!rec || rec.chan.nd !== nd) throw new KernelError("ESRCH", "reply for a send we do not have");
    this.finish(rec);
    if (x.type === KIF.MSGERROR) {
      rec.t.fail(new KernelError(errnoName(x.status) ?? "EIO"));
      return;
    }
    const data = payload.subarray(KIF_XFER_LEN, KIF_XFER_LEN + x.nbytes);
    rec.t.wake(rec.dataOnly ? data : ({ status: x.status, data } satisfies Reply));
  }

  // ---- server side ----------------------------------------------------------------------------

  private serveConnect(
    nd: number,
    pid: number,
    chid: number,
    clientId: number,
    clientPid: number,
    cred: KifCred | undefined,
  ): void {
    const fail = (errno: "ESRCH" | "EPERM"): void =>
      this.transmitQuietly(
        nd,
        encodeKifControl({
          type: KIF.CONNECT_FAIL,
          body: { version: KIF_VERSION, clientId, status: new KernelError(errno).code },
        }),
      );
    const sc: ServerConn = {
      serverId: this.nextServerId++,
      nd,
      clientId,
      vproc: null,
      coid: -1,
      uid: this.mapUid(cred),
      gid: cred?.egid ?? -1,
      serving: new Map(),
    };
    let scoid = 0;
    if (!(pid === PATHMGR_PID && chid === PATHMGR_CHID)) {
      const vproc = this.vproc(nd, clientPid, cred);
      try {
        sc.coid = ipc.connectAttach(this.kernel, vproc, 0, pid, chid, 0);
      } catch {
        return fail("ESRCH");
      }
      sc.vproc = vproc;
      scoid = vproc.connections.get(sc.coid)?.scoid ?? 0;
    }
    this.servers.set(sc.serverId, sc);
    this.transmitQuietly(
      nd,
      encodeKifControl({
        type: KIF.CONNECT_SUCCESS,
        body: { version: KIF_VERSION, serverId: sc.serverId, clientId, scoid, nbytes: 0 },
      }),
    );
  }

  private serveSend(nd: number, v: DataView, payload: Uint8Array): void {
    if (payload.length < KIF_MSGSEND_LEN) throw new KernelError("EBADMSG", "short MSGSEND");
    const m = readKifMsgSend(v, 0, payload.length, true, this.ms);
    const handle = m.clientHandle;
    const sc = this.servers.get(m.serverId);
    if (!sc || sc.nd !== nd) return this.sendError(nd, handle, "ESRCH");
    const msg = payload.subarray(KIF_MSGSEND_LEN, KIF_MSGSEND_LEN + m.nbytes);
    if (!sc.vproc) {
      let answer: Uint8Array;
      try {
        const spawn = decodeSpawnRequest(msg);
        if (spawn) return this.serveSpawn(nd, sc, handle, spawn);
        answer = answerPathQuery(this.kernel.paths, msg);
      } catch (e) {
        return this.sendError(nd, handle, KernelError.from(e).errno);
      }
      return this.sendReply(nd, handle, 0, answer);
    }
    const vproc = sc.vproc;
    let vt = vproc.threads.get(m.tid);
    if (!vt) {
      vt = new Thread(this.kernel, vproc, m.tid, m.priority & 0xff, "");
      vproc.threads.set(m.tid, vt);
    }
    if (vt.sending || vt.state === "SEND" || vt.state === "REPLY") return this.sendError(nd, handle, "EBUSY");
    vt.priority = m.priority & 0xff;
    vproc.srcnd = m.srcnd;
    const serving = sc.serving;
    serving.set(handle, vt);
    const replyMax = m.dstmsglen;
    let p: Promise<Reply>;
    try {
      p = ipc.msgSend(this.kernel, vt, sc.coid, msg, { replyMax });
    } catch (e) {
      serving.delete(handle);
      return this.sendError(nd, handle, KernelError.from(e).errno);
    }
    p.then(
      (r) => {
        serving.delete(handle);
        this.sendReply(nd, handle, r.status, r.data);
      },
      (e: unknown) => {
        serving.delete(handle);
        this.sendError(nd, handle, KernelError.from(e).errno);
      },
    );
  }

  /** The virtual process standing for `pid` of node `nd` (made on its first connection). */
  private vproc(nd: number, pid: number, cred: KifCred | undefined): Process {
    const key = `${nd}:${pid}`;
    let p = this.vprocs.get(key);
    if (p && !p.exited) return p;
    const uid = this.mapUid(cred);
    p = new Process(this.kernel, {
      pid,
      name: `${pid}@${this.carrier.nodeName(nd)}`,
      argv: [],
      env: {},
      cwd: "/",
      uid,
      gid: cred?.egid ?? -1,
      parent: null,
      priority: 10,
    });
    p.nd = nd;
    p.netEvents = (ev) => this.sendEvent(nd, pid, ev);
    this.vprocs.set(key, p);
    this.kernel.netClients.add(p);
    return p;
  }

  private mapUid(cred: KifCred | undefined): number {
    const uid = cred?.euid ?? -1;
    if (this.o.mapany !== undefined) return this.o.mapany;
    if (uid === 0 && this.o.maproot !== undefined) return this.o.maproot;
    return uid;
  }

  /** `on -n` from node `nd`: the reply is the program's exit status, sent when it ends. */
  private serveSpawn(nd: number, sc: ServerConn, handle: number, req: SpawnRequest): void {
    const spawn = this.o.spawn;
    if (!spawn) return this.sendError(nd, handle, "ENOSYS");
    const key = `${sc.serverId}:${handle}`;
    const abort = new AbortController();
    this.aborts.set(key, abort);
    spawn(req, nd, sc.uid, sc.gid, abort.signal).then(
      (status) => {
        this.aborts.delete(key);
        this.sendReply(nd, handle, status, new Uint8Array(0));
      },
      (e: unknown) => {
        this.aborts.delete(key);
        this.sendError(nd, handle, KernelError.from(e).errno);
      },
    );
  }

  private sendEvent(nd: number, pid: number, ev: SigEvent): void {
    if (ev.kind === "none") return;
    const body =
      ev.kind === "pulse"
        ? {
            clientHandle: pid,
            notify: SIGEV_PULSE,
            union1: ev.coid,
            value: ev.value,
            union2: ((ev.priority & 0xff) << 8) | (ev.code & 0xff),
          }
        : { clientHandle: pid, notify: SIGEV_SIGNAL, union1: ev.signo, value: 0, union2: 0 };
    this.transmit(nd, encodeKifControl({ type: KIF.EVENT, body }));
  }

  private sendReply(nd: number, handle: number, status: number, data: Uint8Array): void {
    const out = new Uint8Array(KIF_XFER_LEN + data.length);
    const x = this.xf;
    x.type = KIF.MSGREPLY;
    x.status = status;
    x.handle = handle;
    x.offset = 0;
    x.nbytes = data.length;
    writeKifXfer(new DataView(out.buffer), 0, true, x);
    out.set(data, KIF_XFER_LEN);
    this.transmitQuietly(nd, out);
  }

  private sendError(nd: number, handle: number, errno: KernelError["errno"]): void {
    const out = new Uint8Array(KIF_XFER_LEN);
    const x = this.xf;
    x.type = KIF.MSGERROR;
    x.status = new KernelError(errno).code;
    x.handle = handle;
    x.offset = 0;
    x.nbytes = 0;
    writeKifXfer(new DataView(out.buffer), 0, true, x);
    this.transmitQuietly(nd, out);
  }

  // ---- node liveness ----------------------------------------------------------------------------

  /** Node `nd` is gone: its clients here are released, our clients of it fail with EHOSTDOWN. */
  nodeDown(nd: number): void {
    for (const chan of [...this.chans.values()]) {
      if (chan.nd === nd)
        this.failChannel(chan, new KernelError("EHOSTDOWN", `node ${chan.label.split("@")[1]} is down`));
    }
    for (const [id, sc] of this.servers) {
      if (sc.nd !== nd) continue;
      this.servers.delete(id);
      for (const [key, abort] of this.aborts) if (key.startsWith(`${id}:`)) abort.abort();
    }
    for (const [key, p] of this.vprocs) {
      if (p.nd !== nd) continue;
      this.vprocs.delete(key);
      this.kernel.netClients.delete(p);
      for (const t of p.threads.values()) t.interrupt();
      for (const coid of [...p.connections.keys()]) ipc.connectDetach(this.kernel, p, coid, p.priority);
      p.exited = true;
    }
  }

  /**
   * A link to node `nd` died: clients waiting on a channel ~exclusive to that link fail with
   * EHOSTDOWN (their next sends fail too, until the link rejoins; other policies fail over).
   */
  linkDown(nd: number, link: number): void {
    for (const rec of [...this.outs.values()]) {
      const r = rec.chan.route;
      if (rec.chan.nd !== nd || ndQos(r) !== QOS.EXCLUSIVE || ndLink(r) !== link) continue;
      this.finish(rec);
      rec.t.fail(new KernelError("EHOSTDOWN", `the link of ${rec.chan.label}~exclusive is down`));
    }
  }

  private failChannel(chan: RemoteChannel, err: KernelError): void {
    chan.state = "failed";
    chan.failure = err;
    chan.waiting.length = 0;
    for (const rec of [...this.outs.values()]) {
      if (rec.chan !== chan) continue;
      this.finish(rec);
      rec.t.fail(err);
    }
  }

  private transmit(nd: number, payload: Uint8Array): void {
    this.stats.sent++;
    this.carrier.send(nd, payload);
  }

  /** For answers: a peer that vanished meanwhile is the liveness logic's business. */
  private transmitQuietly(nd: number, payload: Uint8Array): void {
    try {
      this.transmit(nd, payload);
    } catch {
      this.stats.dropped++;
    }
  }
}

function credOf(p: Process): KifCred {
  return {
    nd: 0,
    pid: p.pid,
    sid: p.sid,
    flags: 0,
    ruid: p.uid,
    euid: p.uid,
    suid: p.uid,
    rgid: p.gid,
    egid: p.gid,
    sgid: p.gid,
    groups: [],
  };
}
