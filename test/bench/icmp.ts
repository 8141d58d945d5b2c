// ICMP round-trip time of our stack against Linux's own, in the same run (needs root).
// Ours: Linux in a namespace pings our io-pkt (devnp-pcap on our end of a veth pair).
// Baseline: Linux pings Linux across an identical veth pair between two namespaces.
// Floor: Linux pings a bare node-pcap responder (lib/pcap-echo-floor.ts) on a third pair, the
// least any stack on node-pcap can take; ratio_floor_p50 is how much of ours is our stack.
// Prints one JSON line: ours_p50_us, ours_p99_us, linux_p50_us, linux_p99_us, floor_p50_us,
// floor_p99_us and the ratios.
import { createRequire } from "node:module";
import { canUseNetns, hasCommand } from "../helpers/requirements.ts";
import { NetnsLab, nsExec } from "../net/lib/netns.ts";
import { p50p99us, pingTimes } from "../net/lib/rtt.ts";
import { Runtime } from "../unit/netutil/runtime.ts";
import { startPcapEchoFloor } from "./lib/pcap-echo-floor.ts";

const COUNT = Number(process.env.BENCH_COUNT ?? 1000);
const INTERVAL = process.env.BENCH_INTERVAL ?? "0.005";

function why(): string | null {
  if (!canUseNetns()) return "needs root and network namespaces";
  if (!hasCommand("ping")) return "needs ping (iputils)";
  try {
    createRequire(import.meta.url)("pcap");
  } catch {
    return 'needs the npm package "pcap" with libpcap';
  }
  return null;
}

async function pingRtts(ns: string, dst: string): Promise<number[]> {
  // A short warm-up so ARP and JIT effects stay out of the numbers.
  await nsExec(ns, "ping", ["-c", "50", "-i", INTERVAL, "-q", dst]);
  const r = await nsExec(ns, "ping", ["-c", String(COUNT), "-i", INTERVAL, "-W", "1", dst], 600_000);
  const times = pingTimes(r.stdout);
  if (times.length < COUNT * 0.9)
    throw new Error(`only ${times.length}/${COUNT} replies from ${dst}: ${r.stderr}`);
  return times;
}

const skipped = why();
if (skipped !== null) {
  process.stdout.write(JSON.stringify({ bench: "icmp", skipped }) + "\n");
} else {
  const lab = new NetnsLab("bi");
  let rt: Runtime | null = null;
  try {
    const nsA = lab.namespace();
    const v = lab.veth(nsA, "10.71.0.1/24");
    rt = await Runtime.boot();
    await rt.startIoPkt(["-d", "pcap", `if=${v.ours}`]);
    await rt.ok(["ifconfig", "en0", "10.71.0.2/24"]);
    const ours = p50p99us(await pingRtts(nsA, "10.71.0.2"));

    const nsC = lab.namespace();
    const nsD = lab.namespace();
    lab.vethBetween(nsC, "10.72.0.1/24", nsD, "10.72.0.2/24");
    const linux = p50p99us(await pingRtts(nsC, "10.72.0.2"));

    const nsE = lab.namespace();
    const f = lab.veth(nsE, "10.73.0.1/24");
    const floorPort = startPcapEchoFloor(f.ours, "10.73.0.2");
    const floor = p50p99us(await pingRtts(nsE, "10.73.0.2"));
    floorPort.close();

    process.stdout.write(
      JSON.stringify({
        bench: "icmp",
        count: COUNT,
        interval_s: Number(INTERVAL),
        ours_p50_us: ours.p50,
        ours_p99_us: ours.p99,
        linux_p50_us: linux.p50,
        linux_p99_us: linux.p99,
        floor_p50_us: floor.p50,
        floor_p99_us: floor.p99,
        ratio_p50: +(ours.p50 / linux.p50).toFixed(2),
        ratio_p99: +(ours.p99 / linux.p99).toFixed(2),
        ratio_floor_p50: +(ours.p50 / floor.p50).toFixed(2),
        ratio_floor_p99: +(ours.p99 / floor.p99).toFixed(2),
      }) + "\n",
    );
  } finally {
    await rt?.shutdown();
    lab.cleanup();
  }
  process.exit(0);
}
