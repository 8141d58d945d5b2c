// The capture process behind PcapWorkerPort, as plain CommonJS source run with `node -e`.
// Why a process and not a worker_threads Worker: node-pcap is not a context-aware addon (it
// loads into one thread per process, ever), and its close() never uv_close()s its poll
// handle, so a Worker that opened a session aborts the whole process (uv_loop_close with open
// handles) when it ends. A child's main thread has neither problem. Why a source string and
// not a file: it runs the same under tsx, vitest and the esbuild bundle (no path to resolve).
//
// argv[1]: JSON of PcapWorkerConfig. fd 3 (out): received frames as frame-records.ts records,
// written in whole batches after each dispatch with blocking writes, so a runtime that stops
// reading stalls this process and the host kernel's capture buffer fills and drops (a NIC
// whose ring is full). stdin: frames to transmit, as the same records; they go out through the
// capturing session itself, which a packet socket does not see again. IPC: {type:"open"},
// {type:"error", stage, message}, and {type:"stats", ...} every statsMs.

export interface PcapWorkerConfig {
  /** Resolved path of the node-pcap package (the child has no module resolution context). */
  pcapPath: string;
  ifname: string;
  /** Frames with this source address are what Linux itself sent on the interface (a packet
   * socket sees those too): dropped here, before they cost a copy. null: keep them. */
  hostMac: number[] | null;
  bufferSize: number;
  snaplen: number;
  promiscuous: boolean;
  /** Bytes gathered before a write to fd 3 (a dispatch that finds more writes several). */
  batchBytes: number;
  statsMs: number;
}

export interface PcapWorkerStats {
  type: "stats";
  /** pcap_stats: received, dropped by the kernel buffer, dropped by the interface. */
  recv: number;
  drop: number;
  ifdrop: number;
  /** Frames pcap_inject refused. */
  txErrors: number;
}

export type PcapWorkerMessage =
  { type: "open" } | { type: "error"; stage: "load" | "open"; message: string } | PcapWorkerStats;

export const PCAP_WORKER_SOURCE = String.raw`"use strict";
const fs = require("fs");
const cfg = JSON.parse(process.argv[1]);
const tell = (m) => { try { process.send(m); } catch {} };
// The runtime is gone (or closed the port): nothing to capture for.
process.on("disconnect", () => process.exit(0));
let pcap;
try {
  pcap = require(cfg.pcapPath);
} catch (e) {
  tell({ type: "error", stage: "load", message: String((e && e.message) || e) });
  process.exit(2);
}
pcap.warningHandler = () => {};
let session;
try {
  session = pcap.createSession(cfg.ifname, {
    filter: "",
    buffer_size: cfg.bufferSize,
    snap_length: cfg.snaplen,
    buffer_timeout: 0,
    promiscuous: cfg.promiscuous,
  });
} catch (e) {
  tell({ type: "error", stage: "open", message: String((e && e.message) || e) });
  process.exit(3);
}
const OUT = 3;
const batch = Buffer.allocUnsafe(cfg.batchBytes);
let used = 0;
function flush() {
  let off = 0;
  while (off < used) {
    try {
      off += fs.writeSync(OUT, batch, off, used - off);
    } catch (e) {
      if (e.code !== "EAGAIN") process.exit(0);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
  used = 0;
}
const mac = cfg.hostMac;
session.on("packet", (pkt) => {
  const b = pkt.buf;
  if (mac !== null && b[6] === mac[0] && b[7] === mac[1] && b[8] === mac[2] && b[9] === mac[3] &&
      b[10] === mac[4] && b[11] === mac[5]) return;
  const h = pkt.header;
  const cap = h.readUInt32LE(8);
  const wire = h.readUInt32LE(12);
  if (used + 4 + cap > batch.length) flush();
  batch[used] = cap & 0xff;
  batch[used + 1] = cap >>> 8;
  const w = wire > 0xffff ? 0xffff : wire;
  batch[used + 2] = w & 0xff;
  batch[used + 3] = w >>> 8;
  b.copy(batch, used + 4, 0, cap);
  used += 4 + cap;
});
const binding = session.session;
const dispatch = binding.read_callback;
binding.read_callback = () => {
  dispatch();
  if (used > 0) flush();
};
// node-pcap's own first read was queued with the unwrapped callback.
process.nextTick(() => { if (used > 0) flush(); });

let txErrors = 0;
let pending = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  let b = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
  let at = 0;
  while (b.length - at >= 4) {
    const len = b[at] | (b[at + 1] << 8);
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
  try { s = session.stats(); } catch {}
  tell({ type: "stats", recv: s.ps_recv, drop: s.ps_drop, ifdrop: s.ps_ifdrop, txErrors });
}, cfg.statsMs);
tell({ type: "open" });
`;
