// devnp-pcap's threaded backend: libpcap runs in a capture process of its own (pcap-worker.ts),
// which drains the host's capture buffer however fast frames arrive and streams them here in
// batches over a socket. This side hands them to the driver in bounded slices (RX_SLICE per
// event-loop turn), so a flooded interface costs the runtime at most one slice between any two
// other events — another interface's frames, timers, clients — instead of a whole kernel ring
// as node-pcap's dispatch does on the main thread. Transmit goes the other way: frames are
// gathered during a turn and written to the capture process once, which injects them.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { getPriority, setPriority } from "node:os";
import type { Readable } from "node:stream";
import { KernelError } from "../../firmware/kernel/errno.ts";
import { ETH_FRAME_OVERHEAD, ETH_HEADER_LEN, type EthStats } from "./eth-port.ts";
import { EthPortBase } from "./eth-port-base.ts";
import { FrameRecordReader, RECORD_HEADER, writeRecord } from "./frame-records.ts";
import { pcapLoadError, pcapOpenError } from "./pcap-loader.ts";
import { captureArgs } from "./pcap-worker.ts";
import type { PcapWorkerCommand, PcapWorkerConfig, PcapWorkerMessage } from "./pcap-worker.ts";
import { LinkWatch } from "./link-watch.ts";
import { interfaceExists, readMac, readMtu, SYSFS_NET } from "./sysfs-net.ts";
import type { PcapPortOptions } from "./pcap-port.ts";

/** Frames handed to the driver per event-loop turn. */
export const RX_SLICE = 64;
/** Transmit bytes gathered before a write is forced (a turn's frames are written together). */
const TX_BATCH_BYTES = 64 * 1024;
/** Transmit bytes allowed in flight to the capture process; past this, send() refuses (ring full). */
const TX_BACKLOG_BYTES = 4 * 1024 * 1024;
const OPEN_TIMEOUT_MS = 15_000;

/** PcapPort's options (the capture process loads node-pcap itself, so no `pcap` module). */
export interface PcapWorkerPortOptions extends Omit<PcapPortOptions, "pcap"> {
  /** Frames per turn (default RX_SLICE). */
  rxSlice?: number;
  /** For tests: where node-pcap is (default: resolved from here). */
  pcapPath?: string;
  /** Host niceness of the capture process, 0..19 (default 0): how it competes with the runtime
   * for a CPU. A low-priority interface's should yield to the runtime (devnp-pcap gives 19). */
  nice?: number;
}

export class PcapWorkerPort extends EthPortBase {
  readonly name: string;
  readonly mac: Uint8Array;
  readonly mtu: number;
  readonly snaplen: number;
  private niceNow: number;
  private readonly child: ChildProcess;
  private readonly rx: Readable;
  private readonly reader = new FrameRecordReader();
  private readonly rxSlice: number;
  private readonly watch: LinkWatch;
  private open = true;
  /** Captures reopened after the interface came back from down (see LinkWatch). */
  reopens = 0;
  private paused = false;
  private pumpQueued = false;
  private txBuf = new Uint8Array(TX_BATCH_BYTES);
  private txUsed = 0;
  private txFlushQueued = false;
  /** pcap_stats of the capture process, as of its last report (every statsMs). */
  private ringDrops = 0;
  private ifDrops = 0;
  private workerTxErrors = 0;
  /** Turns that ended with frames left over for the next one (the slice bound at work). */
  slicedTurns = 0;
  private readonly pumpBound = (): void => this.pump();
  private readonly flushBound = (): void => this.flushTx();
  private readonly deliverBound = (frame: Uint8Array, caplen: number, wirelen: number): void =>
    this.handOver(frame, caplen, caplen >= wirelen && caplen >= ETH_HEADER_LEN);

  private constructor(ifname: string, opts: PcapWorkerPortOptions, child: ChildProcess, root: string) {
    super();
    this.name = ifname;
    this.mac = opts.mac ?? readMac(ifname, root);
    this.mtu = opts.mtu ?? readMtu(ifname, root) ?? 1500;
    this.snaplen = opts.snaplen ?? Math.max(1600, this.mtu + ETH_FRAME_OVERHEAD);
    this.rxSlice = opts.rxSlice ?? RX_SLICE;
    this.niceNow = opts.nice ?? 0;
    this.child = child;
    this.rx = child.stdio[3] as Readable;
    this.rx.on("data", (chunk: Buffer) => this.arrived(chunk));
    // The capture process can end under us (EPIPE, reset): that is lost(), not a crash.
    this.rx.on("error", () => this.lost());
    child.stdin?.on("error", () => this.lost());
    child.on("message", (m: PcapWorkerMessage) => {
      if (m.type === "stats") {
        this.ringDrops = m.drop;
        this.ifDrops = m.ifdrop;
        this.workerTxErrors = m.txErrors;
      }
    });
    child.on("exit", () => this.lost());
    this.watch = new LinkWatch(ifname, root, opts, {
      change: (up) => this.linkHandler?.(up),
      revive: () => this.reopen(),
    });
  }

  /** Starts the capture process on `ifname` (current network namespace) and resolves once its
   * session is open. Rejects with KernelError: ENODEV, EPERM, ENOSYS (node-pcap or libpcap
   * missing), EIO. */
  static async open(ifname: string, opts: PcapWorkerPortOptions = {}): Promise<PcapWorkerPort> {
    const root = opts.sysfsRoot ?? SYSFS_NET;
    if (!interfaceExists(ifname, root)) throw new KernelError("ENODEV", `no network interface "${ifname}"`);
    let pcapPath = opts.pcapPath;
    if (pcapPath === undefined) {
      try {
        pcapPath = createRequire(import.meta.url).resolve("pcap");
      } catch (e) {
        throw pcapLoadError(e);
      }
    }
    const nice = checkNice(ifname, opts.nice ?? 0);
    const mtu = opts.mtu ?? readMtu(ifname, root) ?? 1500;
    const cfg: PcapWorkerConfig = {
      pcapPath,
      ifname,
      hostMac: (opts.dropHostOutgoing ?? true) ? hostMacOf(ifname, root) : null,
      bufferSize: opts.bufferSize ?? 32 * 1024 * 1024,
      snaplen: opts.snaplen ?? Math.max(1600, mtu + ETH_FRAME_OVERHEAD),
      promiscuous: opts.promiscuous ?? true,
      batchBytes: 64 * 1024,
      statsMs: 500,
    };
    // The child gets its own loader flags (captureArgs), none of ours (NODE_OPTIONS).
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child: ChildProcess = spawn(process.execPath, captureArgs(cfg), {
      stdio: ["pipe", "ignore", "pipe", "pipe", "ipc"],
      env,
    });
    // Before the session opens, so no frame is captured at the wrong priority. The child
    // inherits our niceness; raising it needs no privilege. (If it ended already, opened()
    // reports why.)
    const actualNice = child.pid === undefined ? getPriority() : applyNice(child.pid, nice, getPriority());
    await opened(child, ifname);
    // The runtime's lifetime is not tied to its interfaces: the capture process ends when
    // its IPC channel closes with us.
    child.unref();
    child.channel?.unref();
    for (const s of child.stdio) (s as { unref?: () => void } | null)?.unref?.();
    return new PcapWorkerPort(ifname, { ...opts, mtu, nice: actualNice }, child, root);
  }

  /** The capture process's host niceness (the runtime's own if that is higher than asked). */
  get nice(): number {
    return this.niceNow;
  }

  /**
   * Changes the capture process's niceness (0..19, never below the runtime's own); returns
   * the niceness it has afterwards. Lowering it needs CAP_SYS_NICE: without, it stays.
   */
  setNice(nice: number): number {
    checkNice(this.name, nice);
    if (this.open && this.child.pid !== undefined)
      this.niceNow = applyNice(this.child.pid, nice, this.niceNow);
    return this.niceNow;
  }

  /** The capture process's pid (pidin, ps). */
  get capturePid(): number {
    return this.child.pid ?? 0;
  }

  get linkUp(): boolean {
    return this.open && this.watch.up;
  }

  send(frame: Uint8Array, len: number = frame.length): boolean {
    if (!this.mayTransmit(frame, len, this.open)) return false;
    const stdin = this.child.stdin;
    if (stdin === null || stdin.writableLength > TX_BACKLOG_BYTES) {
      this.counters.txErrors++;
      return false;
    }
    if (this.txUsed + RECORD_HEADER + len > this.txBuf.length) this.flushTx();
    this.txUsed = writeRecord(this.txBuf, this.txUsed, frame, len, len);
    this.countTransmitted(len);
    if (!this.txFlushQueued) {
      // Frames sent in the same turn leave in one write, right after it.
      this.txFlushQueued = true;
      queueMicrotask(this.flushBound);
    }
    return true;
  }

  override stats(): EthStats {
    const s = super.stats();
    s.rxRingDrops = this.ringDrops;
    s.rxIfDrops = this.ifDrops;
    s.rxDropped += this.ringDrops + this.ifDrops;
    s.txErrors += this.workerTxErrors;
    return s;
  }

  pauseReceive(): void {
    this.paused = true;
    this.rx.pause();
  }

  resumeReceive(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.reader.pending) this.queuePump();
    else this.rx.resume();
  }

  get receivePaused(): boolean {
    return this.paused;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.watch.stop();
    this.dropHandlers();
    this.rx.destroy();
    this.child.stdin?.destroy();
    if (this.child.connected) this.child.disconnect();
    this.child.kill();
  }

  private arrived(chunk: Buffer): void {
    if (!this.open) return;
    this.reader.feed(chunk);
    this.pump();
  }

  /** One slice of frames to the driver; what is left waits for the next turn. */
  private pump(): void {
    this.pumpQueued = false;
    if (!this.open || this.paused) return;
    this.reader.read(this.deliverBound, this.rxSlice);
    if (this.reader.pending) {
      this.slicedTurns++;
      this.rx.pause();
      if (!this.paused) this.queuePump();
    } else if (!this.paused) {
      this.rx.resume();
    }
  }

  private queuePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(this.pumpBound);
  }

  private flushTx(): void {
    this.txFlushQueued = false;
    if (this.txUsed === 0 || !this.open) return;
    const out = Buffer.from(this.txBuf.subarray(0, this.txUsed));
    this.txUsed = 0;
    this.child.stdin?.write(out);
  }

  /** The interface came back from down: the capture process opens its session again. */
  private reopen(): void {
    if (!this.open || !this.child.connected) return;
    this.child.send({ type: "reopen" } satisfies PcapWorkerCommand);
    this.reopens++;
  }

  /** The capture process ended on its own: the interface has no carrier for us any more. */
  private lost(): void {
    if (!this.open) return;
    const link = this.linkHandler;
    this.close();
    link?.(false);
  }
}

/** Waits for the capture process to report its session open, or why it could not. */
function opened(child: ChildProcess, ifname: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(
      () => fail(new KernelError("EIO", `pcap: ${ifname}: capture process did not start`)),
      OPEN_TIMEOUT_MS,
    );
    const onMessage = (m: PcapWorkerMessage): void => {
      if (m.type === "open") done();
      else if (m.type === "error")
        fail(
          m.stage === "load"
            ? pcapLoadError(new Error(m.message))
            : pcapOpenError(ifname, new Error(m.message)),
        );
    };
    const onExit = (code: number | null, signal: string | null): void =>
      fail(
        new KernelError(
          "EIO",
          `pcap: ${ifname}: capture process ended (${signal ?? code}): ${stderr.trim()}`,
        ),
      );
    const onError = (e: Error): void =>
      fail(new KernelError("EIO", `pcap: cannot start the capture process: ${e.message}`));
    function cleanup(): void {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      child.off("error", onError);
    }
    function done(): void {
      cleanup();
      resolve();
    }
    function fail(e: KernelError): void {
      cleanup();
      child.kill();
      reject(e);
    }
    child.on("message", onMessage);
    child.on("exit", onExit);
    child.on("error", onError);
  });
}

function hostMacOf(ifname: string, root: string): number[] | null {
  try {
    return [...readMac(ifname, root)];
  } catch {
    return null;
  }
}

function checkNice(ifname: string, nice: number): number {
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) {
    throw new KernelError("EINVAL", `pcap: ${ifname}: nice ${nice} is out of range (0..19)`);
  }
  return nice;
}

/**
 * Gives process `pid` (now at `current`) the niceness `nice`, never below the runtime's own;
 * returns what it has afterwards. Lowering needs CAP_SYS_NICE: without it, or when the process
 * is gone, it keeps `current`.
 */
function applyNice(pid: number, nice: number, current: number): number {
  const target = Math.max(nice, getPriority());
  if (target === current) return current;
  try {
    setPriority(pid, target);
    return target;
  } catch {
    return current;
  }
}
