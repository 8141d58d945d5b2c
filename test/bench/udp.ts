// `npm run bench -- udp`: UDP through our socket layer against Linux, one JSON line (needs root,
// network namespaces and the npm package "pcap" with libpcap).
// Request/response: a Linux client in a namespace sends 64-byte datagrams one at a time to an
// echo program on our sockets (ctx.sockets recvfrom/sendto: every call a message to io-pkt) and
// times each answer: ours_rr_p50_us/p99_us. The same client against Linux's own UDP echo over an
// identical veth pair between two namespaces is the baseline: linux_rr_*. Lost requests count.
// Receive throughput: Linux floods our end of the veth with complete IPv4/UDP frames (64- and
// 1472-byte payloads) to port 9, where a program on our sockets reads them: ours_pps_* counts
// datagrams the program received. raw_pps_* is node-pcap's raw frame rate on the same interface
// with the same flood before io-pkt runs (the ceiling any stack on node-pcap has), same run.
// Every datagram the veth carried and the program did not get is accounted for: libpcap's
// drops, io-pkt's receive-queue drops, full socket buffers, the kernel's own drops, and what
// is left over (in flight when the window closed, or lost elsewhere) as drops_other_*.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import { KernelError } from "../../firmware/kernel/errno.ts";
import { NetControl } from "../../firmware/net/control/client.ts";
import * as K from "../../firmware/net/socket/constants.ts";
import { parseIpv4 } from "../../firmware/net/wire/ipv4-addr.ts";
import { parseMac } from "../../firmware/net/wire/mac.ts";
import type { Program, ProgramContext } from "../../firmware/program.ts";
import { PcapPort } from "../../hal/eth/pcap-port.ts";
import { canUseNetns, hasCommand } from "../helpers/requirements.ts";
import { NetnsLab, nsExec, sh } from "../net/lib/netns.ts";
import { run } from "../unit/bin/harness.ts";
import { Runtime } from "../unit/netutil/runtime.ts";
import { Flood, floodSender } from "./lib/flood.ts";
import { linkCounter } from "./lib/link-counters.ts";
import { udpFrame } from "./lib/udp-frame.ts";

const OURS = "10.74.0.2";
const LINUX = "10.74.0.1";
const RR = Number(process.env.BENCH_RR ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const TARGET = 0.6;
/** BENCH_RX_PRIO=n runs the receiving program at priority n (default: the program default, 10). */
const RX_PRIORITY = process.env.BENCH_RX_PRIO ? Number(process.env.BENCH_RX_PRIO) : null;
const PAYLOADS = [64, 1472] as const;
const ECHO_PORT = 7;
const DISCARD_PORT = 9;
/** Datagrams the receiving program takes per message (BENCH_RX_BATCH; 1 is one per call). */
const RX_BATCH = Number(process.env.BENCH_RX_BATCH ?? 256);
/** PROF=prefix writes a CPU profile of each measured window of our stack to prefix-<size>.cpuprofile. */
const PROF = process.env.PROF;

const RR_CLIENT = String.raw`
import socket, sys, time
host, port, n, warm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), 50
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1.0); s.connect((host, port))
t = []; lost = 0
for i in range(n + warm):
    msg = i.to_bytes(4, "big") + bytes(60)
    a = time.perf_counter(); s.send(msg)
    while True:
        try: d = s.recv(2048)
        except socket.timeout:
            lost += i >= warm; break
        except ConnectionRefusedError:
            time.sleep(0.05); lost += i >= warm; break
        if d[:4] == msg[:4]:
            if i >= warm: t.append((time.perf_counter() - a) * 1e6)
            break
t.sort(); print(round(t[len(t)//2]), round(t[int(len(t)*0.99)]), lost)
`;
const ECHO_SERVER = String.raw`
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    d, a = s.recvfrom(2048); s.sendto(d, a)
`;

function why(): string | null {
  if (!canUseNetns()) return "needs root and network namespaces";
  if (!hasCommand("python3")) return "needs python3";
  try {
    createRequire(import.meta.url)("pcap");
  } catch {
    return 'needs the npm package "pcap" with libpcap';
  }
  return null;
}

const skipped = why();
if (skipped !== null) {
  process.stdout.write(JSON.stringify({ bench: "udp", skipped }) + "\n");
  process.exit(0);
}
const sender = floodSender();
if (sender === null) {
  process.stdout.write(JSON.stringify({ bench: "udp", skipped: "needs a C compiler or python3" }) + "\n");
  process.exit(0);
}

/** CPU time this process has used, in µs (user and system: pcap's copies are system time). */
function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * The main thread's scheduler times (/proc/self/schedstat, ns): on a CPU, and runnable but
 * waiting for one. Per second of a window they say whether the event loop was busy, starved
 * by other work on the machine, or idle (neither).
 */
function sched(): { run: number; wait: number } {
  try {
    const [run, wait] = readFileSync("/proc/self/schedstat", "utf8").split(" ").map(Number);
    return { run: run ?? 0, wait: wait ?? 0 };
  } catch {
    return { run: 0, wait: 0 };
  }
}

/** Shares of a window of `s` seconds the main thread ran and waited for a CPU. */
function shares(a: { run: number; wait: number }, s: number): { run: number; wait: number } {
  const b = sched();
  return { run: +((b.run - a.run) / 1e9 / s).toFixed(2), wait: +((b.wait - a.wait) / 1e9 / s).toFixed(2) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function program(name: string, main: (ctx: ProgramContext) => Promise<void>): Program {
  return {
    name,
    usage: "",
    async main(ctx) {
      await main(ctx);
      return 0;
    },
  };
}

/** The drop counters of our side, read through io-pkt's control file. */
interface Drops {
  /** Frames node-pcap handed to io-pkt (each cost a copy and a call, kept or dropped). */
  handed: number;
  pcap: number;
  queue: number;
  sockbuf: number;
  kernel: number;
}

async function readDrops(rt: Runtime, oursIf: string): Promise<Drops> {
  let d: Drops = { handed: 0, pcap: 0, queue: 0, sockbuf: 0, kernel: 0 };
  const r = await run(
    rt.kernel,
    program("udpbench-stats", async (ctx) => {
      const net = await NetControl.open(ctx.fs, { env: ctx.env });
      try {
        const nic = await net.nicinfo("en0");
        const udp = await net.stats("udp");
        d = {
          handed: Number(nic.portRxPackets),
          pcap: Number(nic.portRxDropped),
          // iqdrops includes the port's drops (counted under pcap): the rest is io-pkt's.
          queue: Number(nic.info.counters.iqdrops) - Number(nic.portRxDropped),
          sockbuf: Number(udp.find((c) => c.name === "fullsock")?.value ?? 0),
          kernel: linkCounter(oursIf, "rx_dropped"),
        };
      } finally {
        await net.close();
      }
    }),
    ["udpbench-stats"],
  );
  if (r.status !== 0) throw new Error(`reading counters failed: ${r.stderr}`);
  return d;
}

const lab = new NetnsLab("k10ub");
let rt: Runtime | null = null;
try {
  const ns = lab.namespace();
  const v = lab.veth(ns, `${LINUX}/24`);
  // veth leaves UDP checksums to "hardware": what pcap reads must carry real ones.
  sh("ip", ["netns", "exec", ns, "ethtool", "-K", v.linux, "tx", "off"], { check: false });
  const ourMac = parseMac(readFileSync(`/sys/class/net/${v.ours}/address`, "utf8").trim());
  const peerMac = parseMac(v.linuxMac);
  if (ourMac === null || peerMac === null) throw new Error("cannot read the veth MAC addresses");
  const frames = new Map(
    PAYLOADS.map((p) => [
      p,
      udpFrame({
        size: 14 + 20 + 8 + p,
        dstMac: ourMac,
        srcMac: peerMac,
        srcIp: parseIpv4(LINUX) as number,
        dstIp: parseIpv4(OURS) as number,
      }),
    ]),
  );

  // 1. node-pcap's raw frame rate, nothing else reading the interface.
  const raw = new Map<
    number,
    { pps: number; flood: number; cpuUs: number; sched: { run: number; wait: number } }
  >();
  for (const p of PAYLOADS) {
    const port = PcapPort.open(v.ours, { promiscuous: true });
    let n = 0;
    port.onFrame(() => n++);
    const flood = await Flood.start(ns, v.linux, frames.get(p) as Uint8Array, { sender });
    try {
      await sleep(WARMUP_MS);
      const [n0, f0, t0, c0, k0] = [
        n,
        linkCounter(v.ours, "rx_packets"),
        performance.now(),
        cpuUs(),
        sched(),
      ];
      await sleep(SECONDS * 1000);
      const s = (performance.now() - t0) / 1000;
      raw.set(p, {
        sched: shares(k0, s),
        cpuUs: +((cpuUs() - c0) / Math.max(1, n - n0)).toFixed(2),
        pps: Math.round((n - n0) / s),
        flood: Math.round((linkCounter(v.ours, "rx_packets") - f0) / s),
      });
    } finally {
      await flood.stop();
      port.close();
    }
  }

  // 2. Our stack: io-pkt on the same interface, programs on its sockets.
  rt = await Runtime.boot();
  // BENCH_PCAP_OPTS: more devnp-pcap options for experiments (e.g. "bufsize=1048576").
  const extra = process.env.BENCH_PCAP_OPTS ? `,${process.env.BENCH_PCAP_OPTS}` : "";
  await rt.startIoPkt(["-d", "pcap", `if=${v.ours}${extra}`]);
  await rt.ok(["ifconfig", "en0", `${OURS}/24`, "up"]);
  const runtime = rt;
  let echoReady!: () => void;
  const echoBound = new Promise<void>((r) => (echoReady = r));
  void run(
    rt.kernel,
    program("udpbench-echo", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.bind(fd, { family: "inet", address: "0.0.0.0", port: ECHO_PORT });
      echoReady();
      for (;;) {
        const m = await s.recvfrom(fd, 2048);
        if (m.from !== null) await s.sendto(fd, m.data, m.from);
      }
    }),
    ["udpbench-echo"],
  );
  await echoBound;
  const oursRr = (
    await nsExec(ns, "python3", ["-c", RR_CLIENT, OURS, String(ECHO_PORT), String(RR)], 600_000)
  ).stdout
    .trim()
    .split(" ")
    .map(Number);

  const ours = new Map<
    number,
    {
      pps: number;
      flood: number;
      drops: Drops;
      other: number;
      received: number;
      cpuUs: number;
      sched: { run: number; wait: number };
    }
  >();
  for (const p of PAYLOADS) {
    const payload = p;
    let received = 0;
    let stop = false;
    let rxReady!: () => void;
    const rxBound = new Promise<void>((r) => (rxReady = r));
    const rx = run(
      runtime.kernel,
      program("udpbench-rx", async (ctx) => {
        if (RX_PRIORITY !== null) ctx.thread.setPriority(RX_PRIORITY);
        const s = ctx.sockets;
        const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
        await s.setsockopt(fd, K.SOL_SOCKET, K.SO_RCVBUF, 262144);
        // A blocked receive ends after 200 ms without data (EAGAIN), so the loop sees `stop`.
        await s.setsockopt(fd, K.SOL_SOCKET, K.SO_RCVTIMEO, 200);
        await s.bind(fd, { family: "inet", address: "0.0.0.0", port: DISCARD_PORT });
        rxReady();
        while (!stop) {
          try {
            // One message per batch: every datagram queued (up to RX_BATCH), as recvmmsg.
            const batch = await s.recvmmsg(fd, { count: RX_BATCH, max: 2048 });
            for (const m of batch) if (m.data.byteLength === payload) received++;
          } catch (e) {
            if (!(e instanceof KernelError && e.errno === "EAGAIN")) throw e;
          }
        }
        await s.close(fd);
      }),
      ["udpbench-rx"],
    );
    await rxBound;
    const flood = await Flood.start(ns, v.linux, frames.get(p) as Uint8Array, { sender });
    try {
      await sleep(WARMUP_MS);
      const d0 = await readDrops(runtime, v.ours);
      const prof = PROF ? new Session() : null;
      if (prof !== null) {
        prof.connect();
        await prof.post("Profiler.enable");
        await prof.post("Profiler.setSamplingInterval", { interval: 100 });
        await prof.post("Profiler.start");
      }
      const [r0, f0, t0, c0, k0] = [
        received,
        linkCounter(v.ours, "rx_packets"),
        performance.now(),
        cpuUs(),
        sched(),
      ];
      await sleep(SECONDS * 1000);
      const [r1, f1, t1, c1] = [received, linkCounter(v.ours, "rx_packets"), performance.now(), cpuUs()];
      const k = shares(k0, (t1 - t0) / 1000);
      if (prof !== null) {
        const { profile } = await prof.post("Profiler.stop");
        writeFileSync(`${PROF}-${p}.cpuprofile`, JSON.stringify(profile));
        prof.disconnect();
      }
      const d1 = await readDrops(runtime, v.ours);
      const s = (t1 - t0) / 1000;
      const drops: Drops = {
        handed: d1.handed - d0.handed,
        pcap: d1.pcap - d0.pcap,
        queue: d1.queue - d0.queue,
        sockbuf: d1.sockbuf - d0.sockbuf,
        kernel: d1.kernel - d0.kernel,
      };
      const carried = f1 - f0;
      const got = r1 - r0;
      ours.set(p, {
        pps: Math.round(got / s),
        flood: Math.round(carried / s),
        drops,
        other: Math.max(0, carried - got - drops.pcap - drops.queue - drops.sockbuf),
        received: got,
        cpuUs: +((c1 - c0) / Math.max(1, got)).toFixed(2),
        sched: k,
      });
    } finally {
      await flood.stop();
      stop = true;
      await rx;
    }
  }

  // 3. Baseline: the same client against Linux's own UDP echo over an identical veth pair.
  const nsA = lab.namespace();
  const nsB = lab.namespace();
  lab.vethBetween(nsA, "10.75.0.1/24", nsB, "10.75.0.2/24");
  lab.background(nsB, "python3", ["-c", ECHO_SERVER, "10.75.0.2", String(ECHO_PORT)]);
  await sleep(500); // the client counts refusals while the server starts, and they are warm-up
  const linuxRr = (
    await nsExec(nsA, "python3", ["-c", RR_CLIENT, "10.75.0.2", String(ECHO_PORT), String(RR)], 600_000)
  ).stdout
    .trim()
    .split(" ")
    .map(Number);

  const r64 = ours.get(64)!;
  const r1472 = ours.get(1472)!;
  const ratio64 = +(r64.pps / raw.get(64)!.pps).toFixed(3);
  const ratio1472 = +(r1472.pps / raw.get(1472)!.pps).toFixed(3);
  process.stdout.write(
    JSON.stringify({
      bench: "udp",
      rr_count: RR,
      seconds: SECONDS,
      sender: sender.kind,
      ours_rr_p50_us: oursRr[0],
      ours_rr_p99_us: oursRr[1],
      ours_rr_lost: oursRr[2],
      linux_rr_p50_us: linuxRr[0],
      linux_rr_p99_us: linuxRr[1],
      linux_rr_lost: linuxRr[2],
      rr_ratio_p50: +(oursRr[0] / linuxRr[0]).toFixed(2),
      ours_pps_64: r64.pps,
      raw_pps_64: raw.get(64)!.pps,
      ratio_64: ratio64,
      ours_pps_1472: r1472.pps,
      raw_pps_1472: raw.get(1472)!.pps,
      ratio_1472: ratio1472,
      target_ratio: TARGET,
      meets_target: ratio64 >= TARGET && ratio1472 >= TARGET,
      flood_pps_64_raw: raw.get(64)!.flood,
      flood_pps_64_ours: r64.flood,
      flood_pps_1472_raw: raw.get(1472)!.flood,
      flood_pps_1472_ours: r1472.flood,
      // CPU µs this process spent per frame node-pcap handed over (raw) and per datagram the
      // program received (ours): the load-independent side of the ratio on a shared machine.
      raw_cpu_us_64: raw.get(64)!.cpuUs,
      ours_cpu_us_64: r64.cpuUs,
      raw_cpu_us_1472: raw.get(1472)!.cpuUs,
      ours_cpu_us_1472: r1472.cpuUs,
      // Share of each window the event loop's thread ran (run) and sat runnable without a CPU
      // (wait): run + wait near 1 means CPU-bound, and wait is what other work on the machine took.
      raw_run_64: raw.get(64)!.sched.run,
      raw_wait_64: raw.get(64)!.sched.wait,
      ours_run_64: r64.sched.run,
      ours_wait_64: r64.sched.wait,
      raw_run_1472: raw.get(1472)!.sched.run,
      raw_wait_1472: raw.get(1472)!.sched.wait,
      ours_run_1472: r1472.sched.run,
      ours_wait_1472: r1472.sched.wait,
      // Frames node-pcap handed over per datagram delivered: above 1 is copies io-pkt dropped.
      handed_per_dgram_64: +(r64.drops.handed / Math.max(1, r64.received)).toFixed(2),
      handed_per_dgram_1472: +(r1472.drops.handed / Math.max(1, r1472.received)).toFixed(2),
      drops_pcap_64: r64.drops.pcap,
      drops_queue_64: r64.drops.queue,
      drops_sockbuf_64: r64.drops.sockbuf,
      drops_kernel_64: r64.drops.kernel,
      drops_other_64: r64.other,
      drops_pcap_1472: r1472.drops.pcap,
      drops_queue_1472: r1472.drops.queue,
      drops_sockbuf_1472: r1472.drops.sockbuf,
      drops_kernel_1472: r1472.drops.kernel,
      drops_other_1472: r1472.other,
    }) + "\n",
  );
} finally {
  await rt?.shutdown();
  lab.cleanup();
  sender.dispose();
}
process.exit(0);
