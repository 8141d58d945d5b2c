// `npm run bench -- rx`: receive rate of the full io-pkt path against node-pcap's raw receive
// rate, in the same run, on the same flood (needs root, network namespaces, libpcap).
// Linux floods our end of a veth pair from a namespace with 64-byte and 1514-byte IPv4/UDP
// frames addressed to us. Raw: a PcapPort on our end counting frames. Ours: io-pkt with
// devnp-pcap on our end, counting IPv4 input (ip.total) — pcap callback, copy into a pool
// buffer, receive queue, pulse, L2 worker, ether_input, IPv4 validation. Both are sampled
// over one window while the flood runs; flood_pps_* is what the veth carried meanwhile.
// Raw and ours alternate for BENCH_ROUNDS rounds per size and the medians are reported, so
// load from elsewhere on the machine hits both alike. ours_queue_drops_* counts frames io-pkt
// took from pcap but found its receive queue full for (the window's rate).
// Also prints the core-only rates (Stack.input against a copy loop), which need no root.
// Prints one JSON line.
import { createRequire } from "node:module";
import { PcapPort } from "../../hal/eth/pcap-port.ts";
import { parseMac } from "../../firmware/net/wire/mac.ts";
import { canUseNetns } from "../helpers/requirements.ts";
import { NetnsLab } from "../net/lib/netns.ts";
import { Flood, floodSender, type FloodSender } from "./lib/flood.ts";
import { startIoPktOnPcap } from "./lib/io-pkt-on-pcap.ts";
import { linkCounter } from "./lib/link-counters.ts";
import { ratesOver } from "./lib/rate-window.ts";
import { stackCoreRates } from "./lib/stack-core-rates.ts";
import { udpFrame } from "./lib/udp-frame.ts";
import { readFileSync } from "node:fs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CORE_MS = Number(process.env.BENCH_MS ?? 1500);
const TARGET = 0.6;
/** PCAP_BACKEND=thread|nothread: devnp-pcap's capture backend for "ours" (raw stays PcapPort). */
const BACKEND = process.env.PCAP_BACKEND === "inline" ? "nothread" : (process.env.PCAP_BACKEND ?? "");

const US = 0x0a490002; // 10.73.0.2
const PEER = 0x0a490001; // 10.73.0.1

function why(): string | null {
  if (!canUseNetns()) return "needs root and network namespaces";
  try {
    createRequire(import.meta.url)("pcap");
  } catch {
    return 'needs the npm package "pcap" with libpcap';
  }
  return null;
}

interface Sample {
  rx: number;
  flood: number;
  drops: number;
}

interface Receiver {
  count(): number;
  /** Frames the receiver had to drop itself (0 for raw). */
  drops(): number;
  close(): Promise<void>;
}

async function rawReceiver(ifname: string): Promise<Receiver> {
  // The options devnp-pcap opens the interface with, so only the code after libpcap differs.
  const port = PcapPort.open(ifname, { promiscuous: true });
  let n = 0;
  port.onFrame(() => n++);
  return { count: () => n, drops: () => 0, close: async () => port.close() };
}

async function ourReceiver(ifname: string, peerMac: number): Promise<Receiver> {
  // The backend flag rides along in if= (startIoPktOnPcap passes `if=${ifname}` through).
  const drv = BACKEND === "" ? ifname : `${ifname},${BACKEND}`;
  const s = await startIoPktOnPcap({ ifname: drv, addr: US, prefixLen: 24, peerIp: PEER, peerMac });
  const ip = s.io.stack.stats.ip;
  const b = s.io.bindings()[0];
  return { count: () => ip.total, drops: () => b.queueDrops, close: () => s.stop() };
}

async function measure(
  ns: string,
  linuxIf: string,
  oursIf: string,
  frame: Uint8Array,
  sender: FloodSender,
  open: () => Promise<Receiver>,
): Promise<Sample> {
  const rx = await open();
  let flood: Flood | null = null;
  try {
    flood = await Flood.start(ns, linuxIf, frame, { senders: SENDERS, sender });
    const r = await ratesOver(
      { rx: rx.count, drops: rx.drops, flood: () => linkCounter(oursIf, "rx_packets") },
      WARMUP_MS,
      SECONDS * 1000,
    );
    return r;
  } finally {
    await flood?.stop();
    await rx.close();
  }
}

const core = stackCoreRates(CORE_MS);
const skipped = why();
if (skipped !== null) {
  process.stdout.write(JSON.stringify({ bench: "rx", skipped, ...core }) + "\n");
  process.exit(0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function medians(samples: Sample[]): Sample {
  return {
    rx: median(samples.map((x) => x.rx)),
    flood: median(samples.map((x) => x.flood)),
    drops: median(samples.map((x) => x.drops)),
  };
}

const sender = floodSender();
if (sender === null) {
  process.stdout.write(
    JSON.stringify({ bench: "rx", skipped: "needs a C compiler or python3", ...core }) + "\n",
  );
  process.exit(0);
}
const lab = new NetnsLab("brx");
try {
  const ns = lab.namespace();
  const v = lab.veth(ns, null);
  const ourMac = parseMac(readFileSync(`/sys/class/net/${v.ours}/address`, "utf8").trim());
  const peerMac = parseMac(v.linuxMac);
  if (ourMac === null || peerMac === null) throw new Error("cannot read the veth MAC addresses");
  const results: Record<number, { raw: Sample; ours: Sample }> = {};
  for (const size of [64, 1514]) {
    const frame = udpFrame({ size, dstMac: ourMac, srcMac: peerMac, srcIp: PEER, dstIp: US });
    const raw: Sample[] = [];
    const ours: Sample[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      raw.push(await measure(ns, v.linux, v.ours, frame, sender, () => rawReceiver(v.ours)));
      ours.push(await measure(ns, v.linux, v.ours, frame, sender, () => ourReceiver(v.ours, peerMac)));
    }
    results[size] = { raw: medians(raw), ours: medians(ours) };
  }
  const r64 = results[64];
  const r1514 = results[1514];
  const ratio64 = +(r64.ours.rx / r64.raw.rx).toFixed(3);
  const ratio1514 = +(r1514.ours.rx / r1514.raw.rx).toFixed(3);
  process.stdout.write(
    JSON.stringify({
      bench: "rx",
      backend: BACKEND || "default",
      seconds: SECONDS,
      rounds: ROUNDS,
      sender: sender.kind,
      senders: SENDERS,
      ours_pps_64: r64.ours.rx,
      raw_pps_64: r64.raw.rx,
      ratio_64: ratio64,
      ours_pps_1514: r1514.ours.rx,
      raw_pps_1514: r1514.raw.rx,
      ratio_1514: ratio1514,
      target_ratio: TARGET,
      meets_target: ratio64 >= TARGET && ratio1514 >= TARGET,
      flood_pps_64_raw: r64.raw.flood,
      flood_pps_64_ours: r64.ours.flood,
      flood_pps_1514_raw: r1514.raw.flood,
      flood_pps_1514_ours: r1514.ours.flood,
      ours_queue_drops_64: r64.ours.drops,
      ours_queue_drops_1514: r1514.ours.drops,
      ...core,
    }) + "\n",
  );
} finally {
  lab.cleanup();
  sender.dispose();
}
process.exit(0);
