// The capture process behind PcapWorkerPort: its own Node process (see pcap-worker.ts for why
// a process), started with the JSON of a PcapWorkerConfig as its only argument.
//
// fd 3 (out): received frames as frame-records.ts records, written in whole batches after each
// dispatch with blocking writes, so a runtime that stops reading stalls this process and the
// host kernel's capture buffer fills and drops (a NIC whose ring is full). stdin: frames to
// transmit, as the same records; they go out through the capturing session itself, which a
// packet socket does not see again. IPC: PcapWorkerMessage.
import { writeSync } from "node:fs";
import { createRequire } from "node:module";
import { wrapDispatch, type PcapModule, type PcapSession } from "./pcap-loader.ts";
import type { PcapWorkerCommand, PcapWorkerConfig, PcapWorkerMessage } from "./pcap-worker.ts";

const OUT = 3;

function tell(m: PcapWorkerMessage): void {
  try {
    process.send?.(m);
  } catch {
    // the runtime is gone; "disconnect" ends us
  }
}

const text = (e: unknown): string => String((e as Error | undefined)?.message ?? e);

function runCapture(cfg: PcapWorkerConfig): void {
  // The runtime is gone (or closed the port): nothing to capture for.
  process.on("disconnect", () => process.exit(0));
  let pcap: PcapModule;
  try {
    pcap = createRequire(import.meta.url)(cfg.pcapPath) as PcapModule;
  } catch (e) {
    tell({ type: "error", stage: "load", message: text(e) });
    process.exit(2);
  }
  pcap.warningHandler = () => undefined;
  const openSession = (): PcapSession =>
    pcap.createSession(cfg.ifname, {
      filter: "",
      buffer_size: cfg.bufferSize,
      snap_length: cfg.snaplen,
      buffer_timeout: 0,
      promiscuous: cfg.promiscuous,
    });

  const batch = Buffer.allocUnsafe(cfg.batchBytes);
  let used = 0;
  const stall = new Int32Array(new SharedArrayBuffer(4));
  const flush = (): void => {
    let off = 0;
    while (off < used) {
      try {
        off += writeSync(OUT, batch, off, used - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN") process.exit(0);
        Atomics.wait(stall, 0, 0, 1); // the runtime reads slower than frames come: block
      }
    }
    used = 0;
  };

  const mac = cfg.hostMac;
  const onPacket = (pkt: { buf: Buffer; header: Buffer }): void => {
    const b = pkt.buf;
    if (
      mac !== null &&
      b[6] === mac[0] &&
      b[7] === mac[1] &&
      b[8] === mac[2] &&
      b[9] === mac[3] &&
      b[10] === mac[4] &&
      b[11] === mac[5]
    )
      return;
    const h = pkt.header;
    const cap = h.readUInt32LE(8);
    const wire = Math.min(h.readUInt32LE(12), 0xffff);
    if (used + 4 + cap > batch.length) flush();
    batch[used] = cap & 0xff;
    batch[used + 1] = cap >>> 8;
    batch[used + 2] = wire & 0xff;
    batch[used + 3] = wire >>> 8;
    b.copy(batch, used + 4, 0, cap);
    used += 4 + cap;
  };
  /** A session feeding the batch, flushed once per dispatch. */
  const capture = (): PcapSession => {
    const s = openSession();
    s.on("packet", onPacket);
    wrapDispatch(s, (dispatch) => () => {
      dispatch();
      if (used > 0) flush();
    });
    // node-pcap's own first read was queued with the unwrapped callback.
    process.nextTick(() => (used > 0 ? flush() : undefined));
    return s;
  };
  let session: PcapSession;
  try {
    session = capture();
  } catch (e) {
    tell({ type: "error", stage: "open", message: text(e) });
    process.exit(3);
  }
  // The interface came back from down: the old session hears nothing any more. If the new one
  // cannot open (the interface went again), the old one stays until the next "reopen".
  process.on("message", (m: PcapWorkerCommand) => {
    if (m.type !== "reopen") return;
    try {
      const fresh = capture();
      session.close();
      session = fresh;
    } catch {
      // keep the old one
    }
  });

  let txErrors = 0;
  let pending = Buffer.alloc(0);
  process.stdin.on("data", (chunk: Buffer) => {
    const b = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (b.length - at >= 4) {
      const len = b[at]! | (b[at + 1]! << 8);
      if (b.length - at < 4 + len) break;
      try {
        session.inject(b.subarray(at + 4, at + 4 + len));
      } catch {
        txErrors++;
      }
      at += 4 + len;
    }
    pending = at === b.length ? Buffer.alloc(0) : Buffer.from(b.subarray(at));
  });
  process.stdin.on("end", () => process.exit(0));

  setInterval(() => {
    let s = { ps_recv: 0, ps_drop: 0, ps_ifdrop: 0 };
    try {
      s = session.stats();
    } catch {
      // a closed session has no stats: report zeros
    }
    tell({ type: "stats", recv: s.ps_recv, drop: s.ps_drop, ifdrop: s.ps_ifdrop, txErrors });
  }, cfg.statsMs);
  tell({ type: "open" });
}

runCapture(JSON.parse(process.argv[2] ?? "{}") as PcapWorkerConfig);
