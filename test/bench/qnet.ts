// Qnet against the raw wire and against local message passing, in the same run: two runtimes in
// this process, each with io-pkt, a virtual Ethernet interface on one UDP wire (loopback) and
// lsm-qnet; and two bare ports of the same HAL on a wire of their own (lib/l2-echo.ts).
// - RTT: a 64-byte MsgSend/MsgReply to a server on the other node (qnet_rtt_p50_us/p99_us),
//   against a 64-byte raw L2 echo (l2_echo_p50_us/p99_us) and a local MsgSend (local_rtt_*).
// - Bulk: reading a large file of the other node through /net/<node>/tmp (64 KiB reads,
//   qnet_read_mbps) against streaming 1514-byte raw frames with a window of 32
//   (raw_1514_mbps) and reading the file locally (local_read_mbps).
// Counts what is dropped: kernel-link messages refused and raw frames lost. One JSON line.
import type { Kernel } from "../../firmware/kernel/kernel.ts";
import type { Thread } from "../../firmware/kernel/thread.ts";
import type { QnetKernelLink } from "../../firmware/net/qnet/kernel-link.ts";
import * as fsc from "../../firmware/resmgr/client.ts";
import * as C from "../../firmware/resmgr/io-constants.ts";
import { Runtime } from "../unit/netutil/runtime.ts";
import { echoRtts, l2Pair, rate1514 } from "./lib/l2-echo.ts";

const ROUNDS = Number(process.env.BENCH_COUNT ?? 2000);
const FILE_BYTES = Number(process.env.BENCH_FILE_BYTES ?? 8 << 20);
// Round trips before the timed ones: the remote path runs through some twenty functions of the
// kernel, io-pkt and lsm-qnet on both nodes, and V8 takes a few thousand round trips to
// optimise them all (the median of rounds 300-1300 is twice that of rounds 2000+). The raw
// echo's few functions are warm after its own 200 (lib/l2-echo.ts).
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3000);
/** Remote round trips and raw echoes alternate in chunks of this many. */
const CHUNK = 100;
const PORT = 47000 + (process.pid % 1000);

function p(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

/** CPU time (user + system, µs) per round since `since`. */
function cpuPerRound(since: NodeJS.CpuUsage, rounds: number): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / rounds;
}

/** A process on `k` running `fn` in its main thread; resolves with what fn returned. */
function inProcess<T>(k: Kernel, fn: (t: Thread) => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    k.spawn({ name: "bench", main: (t) => fn(t).then(resolve, reject) });
  });
}

/** An echo server on `k`; resolves with its pid and chid. */
async function echoServer(k: Kernel): Promise<{ pid: number; chid: number }> {
  return new Promise((resolve) => {
    const proc = k.spawn({
      name: "echo",
      main: async (t) => {
        const chid = t.ChannelCreate();
        resolve({ pid: proc.pid, chid });
        for (;;) {
          const r = await t.MsgReceive(chid);
          if (!r.pulse) t.MsgReply(r.rcvid, 0, r.msg);
        }
      },
    });
  });
}

/** Scheduler passes (thread wake-ups, pulses) and slices (event-loop turns that dispatched work). */
function schedStats(ks: Kernel[]): [number, number] {
  let d = 0;
  let s = 0;
  for (const k of ks) {
    d += k.scheduler.stats.dispatched;
    s += k.scheduler.stats.slices;
  }
  return [d, s];
}

interface Rtts {
  /** Round trips in µs, sorted. */
  sorted: number[];
  /** CPU time of this process per timed round trip (µs). */
  cpu: number;
  /** Scheduler passes and slices of `ks` per timed round trip. */
  dispatches: number;
  slices: number;
}

/**
 * Times ROUNDS MsgSends to `srv` after WARMUP untimed ones. With `between`, the rounds come in
 * chunks of CHUNK and `between(n)` runs after each chunk of n, untimed (the raw echo, so that
 * both are measured in the same seconds of a noisy machine).
 */
async function rtts(
  k: Kernel,
  nd: number,
  srv: { pid: number; chid: number },
  ks: Kernel[],
  between?: (n: number) => Promise<void>,
): Promise<Rtts> {
  return inProcess(k, async (t) => {
    const coid = t.ConnectAttach(nd, srv.pid, srv.chid);
    const msg = new Uint8Array(64);
    for (let i = 0; i < WARMUP; i++) await t.MsgSend(coid, msg);
    const out: number[] = [];
    let cpu = 0;
    let dispatches = 0;
    let slices = 0;
    for (let done = 0; done < ROUNDS;) {
      const n = Math.min(between ? CHUNK : ROUNDS, ROUNDS - done);
      // Both nodes and the wire share this one thread, so CPU per round trip bounds the RTT.
      const cpu0 = process.cpuUsage();
      const s0 = schedStats(ks);
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await t.MsgSend(coid, msg);
        out.push((performance.now() - t0) * 1000);
      }
      cpu += cpuPerRound(cpu0, 1);
      const s1 = schedStats(ks);
      dispatches += s1[0] - s0[0];
      slices += s1[1] - s0[1];
      done += n;
      if (between) await between(n);
    }
    t.ConnectDetach(coid);
    const sorted = out.sort((a, b) => a - b);
    return { sorted, cpu: cpu / ROUNDS, dispatches: dispatches / ROUNDS, slices: slices / ROUNDS };
  });
}

async function readMbps(k: Kernel, path: string): Promise<number> {
  return inProcess(k, async (t) => {
    const fd = await fsc.open(t, path);
    const t0 = performance.now();
    let n = 0;
    for (let b = await fsc.read(t, fd, 65536); b.length > 0; b = await fsc.read(t, fd, 65536)) n += b.length;
    const ms = performance.now() - t0;
    await fsc.close(t, fd);
    if (n !== FILE_BYTES) throw new Error(`read ${n} of ${FILE_BYTES} bytes from ${path}`);
    return (n * 8) / (ms * 1000);
  });
}

const n1 = await Runtime.boot("node1");
const n2 = await Runtime.boot("node2");
try {
  for (const n of [n1, n2]) {
    await n.startIoPkt(["-d", "vwire", `udp=127.0.0.1:${PORT}`, "-p", "qnet"]);
    await n.ok(["ifconfig", "en0", "up"]);
  }
  const link1 = n1.kernel.netTransport as QnetKernelLink;
  // The resolver waits 5 ticks per ask; on a loaded machine node2 may take a few asks.
  let nd = 0;
  for (let tries = 1; nd === 0; tries++) {
    try {
      nd = await link1.nodeNd("node2");
    } catch (e) {
      if (tries >= 10) throw e;
    }
  }
  await inProcess(n2.kernel, async (t) => {
    const fd = await fsc.open(t, "/tmp/big", C.O_WRONLY | C.O_CREAT | C.O_TRUNC);
    const chunk = new Uint8Array(65536).map((_, i) => i & 0xff);
    for (let off = 0; off < FILE_BYTES; off += chunk.length) await fsc.write(t, fd, chunk);
    await fsc.close(t, fd);
  });
  const remoteSrv = await echoServer(n2.kernel);
  const localSrv = await echoServer(n1.kernel);
  const l2 = await l2Pair(PORT + 1);
  await echoRtts(l2, 0); // the echo's own warm-up
  // The remote round trips and the raw echoes alternate by CHUNK: a noisy second hits both.
  const echo = { rtts: [] as number[], lost: 0, cpu: 0 };
  const qnet = await rtts(n1.kernel, nd, remoteSrv, [n1.kernel, n2.kernel], async (n) => {
    const e = await echoRtts(l2, n, 0);
    for (const x of e.rtts) echo.rtts.push(x);
    echo.lost += e.lost;
    echo.cpu += (e.cpu * n) / ROUNDS;
  });
  echo.rtts.sort((a, b) => a - b);
  const remote = qnet.sorted;
  const local = (await rtts(n1.kernel, 0, localSrv, [n1.kernel])).sorted;
  const qnetMbps = await readMbps(n1.kernel, "/net/node2/tmp/big");
  const raw = await rate1514(l2, FILE_BYTES);
  l2.close();
  const localMbps = await readMbps(n2.kernel, "/tmp/big");
  const drops = (rt: Runtime): number => {
    const l = rt.kernel.netTransport as QnetKernelLink;
    return l.stats.dropped;
  };
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  process.stdout.write(
    JSON.stringify({
      bench: "qnet",
      rounds: ROUNDS,
      qnet_rtt_p50_us: r2(p(remote, 0.5)),
      qnet_rtt_p99_us: r2(p(remote, 0.99)),
      local_rtt_p50_us: r2(p(local, 0.5)),
      local_rtt_p99_us: r2(p(local, 0.99)),
      l2_echo_p50_us: r2(p(echo.rtts, 0.5)),
      l2_echo_p99_us: r2(p(echo.rtts, 0.99)),
      rtt_p50_vs_l2: r2(p(remote, 0.5) / p(echo.rtts, 0.5)),
      qnet_cpu_us_per_rtt: r2(qnet.cpu),
      l2_cpu_us_per_rtt: r2(echo.cpu),
      qnet_dispatches_per_rtt: r2(qnet.dispatches),
      qnet_slices_per_rtt: r2(qnet.slices),
      rtt_p50_vs_local: r2(p(remote, 0.5) / p(local, 0.5)),
      file_bytes: FILE_BYTES,
      qnet_read_mbps: r2(qnetMbps),
      local_read_mbps: r2(localMbps),
      raw_1514_mbps: r2(raw.mbps),
      read_vs_raw: r2(qnetMbps / raw.mbps),
      read_vs_local: r2(qnetMbps / localMbps),
      kif_dropped: drops(n1) + drops(n2),
      l2_echo_lost: echo.lost,
      raw_frames_lost: raw.lost,
      targets: { rtt_p50_vs_l2: 1.2, read_vs_raw: 0.7 },
    }) + "\n",
  );
} finally {
  await n1.shutdown();
  await n2.shutdown();
}
