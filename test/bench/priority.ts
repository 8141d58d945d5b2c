// The priority test as a benchmark (needs root): io-pkt with two devnp-pcap interfaces, en0 at
// receive priority 50 (high) and en1 at 10 (low), and two L2 workers. Linux pings en0 first on
// an idle stack, then again while a python3 AF_PACKET sender floods en1 with ICMP echo requests
// as fast as it can. Prints one JSON line: idle/flood p50/p99 RTT of the high interface, the
// low interface's processed rate, and the ratio flood p99 / idle p99 (target: within 3x).
// lo_capture is how en1 captures (nicinfo): by default in its own process at nice 19.
import { createRequire } from "node:module";
import { canUseNetns, hasCommand } from "../helpers/requirements.ts";
import { NetnsLab, nsExec } from "../net/lib/netns.ts";
import { rawFlood } from "../net/lib/raw-flood.ts";
import { p50p99us, pingTimes } from "../net/lib/rtt.ts";
import { Runtime } from "../unit/netutil/runtime.ts";
import { linkCounter } from "./lib/link-counters.ts";

const COUNT = Number(process.env.BENCH_COUNT ?? 500);
const INTERVAL = Number(process.env.BENCH_INTERVAL ?? 0.01);
const PRIO_HI = 50;
const PRIO_LO = 10;
/** PCAP_BACKEND=thread|nothread: devnp-pcap's capture backend (default: the driver's). */
const BACKEND = process.env.PCAP_BACKEND === "inline" ? "nothread" : (process.env.PCAP_BACKEND ?? "");
const BACKEND_OPT = BACKEND === "" ? "" : `,${BACKEND}`;

function why(): string | null {
  if (!canUseNetns()) return "needs root and network namespaces";
  if (!hasCommand("ping")) return "needs ping (iputils)";
  if (!hasCommand("python3")) return "needs python3 (the raw flood sender)";
  try {
    createRequire(import.meta.url)("pcap");
  } catch {
    return 'needs the npm package "pcap" with libpcap';
  }
  return null;
}

async function pingHi(ns: string, dst: string): Promise<number[]> {
  const r = await nsExec(ns, "ping", ["-c", String(COUNT), "-i", String(INTERVAL), "-W", "1", dst], 600_000);
  return pingTimes(r.stdout);
}

/** What en1 did with received frames, from nicinfo: taken in, and lost by place. */
interface LoAccount {
  /** Frames Linux delivered to our end of the veth (its own counter, sysfs). */
  wire: number;
  ipackets: number;
  hostIf: number;
  ring: number;
  port: number;
  queue: number;
  nobufs: number;
}

async function loAccount(rt: Runtime, ifname: string): Promise<LoAccount> {
  const text = await rt.ok(["nicinfo", "en1"]);
  const num = (label: string) => {
    const v = Number(new RegExp(`${label} \\.+ (\\d+)`).exec(text)?.[1] ?? NaN);
    if (Number.isNaN(v)) throw new Error(`nicinfo en1 has no "${label}":\n${text}`);
    return v;
  };
  return {
    wire: linkCounter(ifname, "rx_packets"),
    ipackets: num("Packets Received OK"),
    hostIf: num("Dropped by Host Interface"),
    ring: num("Receive Ring Overruns"),
    port: num("Dropped by Port"),
    queue: num("Receive Queue Overflows"),
    nobufs: num("Memory Allocation Failures on Receive"),
  };
}

const same = (a: LoAccount, b: LoAccount) =>
  (Object.keys(a) as (keyof LoAccount)[]).every((k) => a[k] === b[k]);

/**
 * en1's account once the flood is over and everything in flight has been handled or counted:
 * two readings a capture-stats period apart (the capture process reports pcap_stats every
 * 500 ms) that agree.
 */
async function settledAccount(rt: Runtime, ifname: string): Promise<LoAccount> {
  let last = await loAccount(rt, ifname);
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 600)); // the capture's stats period, not a guess
    const now = await loAccount(rt, ifname);
    if (same(now, last)) return now;
    last = now;
  }
  throw new Error("en1's counters did not settle after the flood");
}

const skipped = why();
if (skipped !== null) {
  process.stdout.write(JSON.stringify({ bench: "priority", skipped }) + "\n");
} else {
  const lab = new NetnsLab("bp");
  let rt: Runtime | null = null;
  try {
    const nsHi = lab.namespace();
    const nsLo = lab.namespace();
    const hi = lab.veth(nsHi, "10.73.0.1/24");
    const lo = lab.veth(nsLo, "10.74.0.1/24");
    rt = await Runtime.boot();
    await rt.startIoPkt([
      "-t",
      "2",
      "-d",
      "pcap",
      `if=${hi.ours},priority=${PRIO_HI}${BACKEND_OPT}`,
      "-d",
      "pcap",
      `if=${lo.ours},priority=${PRIO_LO}${BACKEND_OPT}`,
    ]);
    await rt.ok(["ifconfig", "en0", "10.73.0.2/24"]);
    await rt.ok(["ifconfig", "en1", "10.74.0.2/24"]);
    const loMac = /address: (\S+)/.exec(await rt.ok(["ifconfig", "en1"]))?.[1] ?? "";
    // Warm up both paths (ARP, JIT) before measuring.
    await nsExec(nsHi, "ping", ["-c", "50", "-i", "0.005", "-q", "10.73.0.2"]);
    await nsExec(nsLo, "ping", ["-c", "5", "-i", "0.01", "-q", "10.74.0.2"]);

    const idle = pingHi(nsHi, "10.73.0.2");
    const idleTimes = await idle;

    const floodSeconds = COUNT * INTERVAL + 3;
    const before = await loAccount(rt, lo.ours);
    const flood = rawFlood(
      lab,
      nsLo,
      lo.linux,
      { dstMac: loMac, srcMac: lo.linuxMac, srcIp: "10.74.0.1", dstIp: "10.74.0.2" },
      floodSeconds,
    );
    await flood.started;
    const floodTimes = await pingHi(nsHi, "10.73.0.2");
    const sent = await flood.done;
    const after = await settledAccount(rt, lo.ours);
    const d = (k: keyof LoAccount) => after[k] - before[k];
    // Every frame the sender put on the veth is either handled by the stack or dropped at one
    // place on the way: Linux's veth (never reached our interface), the host interface, the
    // capture ring, the port, our receive queue, the buffer pool.
    const drops = {
      wire: Math.max(0, sent.sent - d("wire")),
      host_if: d("hostIf"),
      ring: d("ring"),
      port: d("port"),
      queue: d("queue"),
      nobufs: d("nobufs"),
    };
    const handled = d("ipackets") - drops.queue - drops.nobufs;
    const dropped = Object.values(drops).reduce((a, b) => a + b, 0);
    const perSec = (n: number) => Math.round(n / sent.seconds);

    const capture = /Capture \.+ (.*)/.exec(await rt.ok(["nicinfo", "en1"]))?.[1] ?? "?";
    const idleP = p50p99us(idleTimes);
    const floodP = p50p99us(floodTimes);
    process.stdout.write(
      JSON.stringify({
        bench: "priority",
        backend: BACKEND || "default",
        count: COUNT,
        hi_priority: PRIO_HI,
        lo_priority: PRIO_LO,
        lo_capture: capture,
        idle_hi_p50_us: idleP.p50,
        idle_hi_p99_us: idleP.p99,
        flood_hi_p50_us: floodP.p50,
        flood_hi_p99_us: floodP.p99,
        flood_hi_loss_pct: +((100 * (COUNT - floodTimes.length)) / COUNT).toFixed(1),
        flood_lo_pps: perSec(handled),
        flood_lo_drops: perSec(dropped),
        sender_pps: perSec(sent.sent),
        lo_sent: sent.sent,
        lo_handled: handled,
        lo_dropped: dropped,
        lo_drops: drops,
        // (handled + dropped) / sent: 1 when every frame is accounted for (Linux's own
        // frames on the veth, a few ARP/ICMP, may add a little).
        lo_balance: +((handled + dropped) / sent.sent).toFixed(4),
        ratio_p99: +(floodP.p99 / idleP.p99).toFixed(2),
      }) + "\n",
    );
  } finally {
    await rt?.shutdown();
    lab.cleanup();
  }
  process.exit(0);
}
