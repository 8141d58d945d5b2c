// The virtual wire (devnp-vwire udp=, `npm start`'s wire) against a bare Node UDP ping-pong,
// in the same run. Two nodes in two processes, as two `npm start` runs are: this one and
// lib/vwire-node.ts, both with io-pkt on one UDP wire on loopback (the hub lives in whichever
// opened first). Our round trip is `ping` between the two stacks (the utility, io-pkt, the
// driver, the wire's hub, the other stack and back); the baseline is a 64-byte datagram
// echoed by a bare dgram socket in the other process, sent at the same interval. Prints one
// JSON line: p50/p99/max of both, and ratios. Targets: vwire p50 ≤ 3× udp p50, max ≤ 5 ms.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { percentile, pingTimes } from "../net/lib/rtt.ts";
import { Runtime } from "../unit/netutil/runtime.ts";

const COUNT = Number(process.env.BENCH_COUNT ?? 1000);
/** Seconds between requests, as ping -i: both measurements wait this long between rounds. */
const INTERVAL = Number(process.env.BENCH_INTERVAL ?? 0.01);
const HUB_PORT = 46000 + (process.pid % 1000);

/** Starts the far node; resolves with its UDP echo port and a function that stops it. */
async function farNode(): Promise<{ udpPort: number; stop: () => Promise<void> }> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
  const script = fileURLToPath(new URL("./lib/vwire-node.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", tsx, script, String(HUB_PORT), "10.77.0.2/24"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const udpPort = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve((JSON.parse(line) as { udpPort: number }).udpPort);
    });
    child.once("exit", (code) => reject(new Error(`the far node exited (${code}) before it was ready`)));
  });
  return {
    udpPort,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** Round trips (ms) of a 64-byte datagram echoed at `port`, one every INTERVAL; lost ones counted. */
async function udpPingPong(port: number, rounds: number): Promise<{ times: number[]; lost: number }> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const msg = Buffer.alloc(64);
  const times: number[] = [];
  let lost = 0;
  let answered: (() => void) | null = null;
  s.on("message", () => answered?.());
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 1000); // a lost datagram, not a wait
      answered = () => {
        clearTimeout(timer);
        resolve(true);
      };
      s.send(msg, port, "127.0.0.1");
    });
    answered = null;
    if (ok) times.push(performance.now() - t0);
    else lost++;
    await new Promise((r) => setTimeout(r, INTERVAL * 1000)); // the interval between requests
  }
  s.close();
  return { times, lost };
}

const stats = (ms: number[]) => ({
  p50: Math.round(percentile(ms, 50) * 1000),
  p99: Math.round(percentile(ms, 99) * 1000),
  max: Math.round(Math.max(...ms) * 1000),
});

const rt = await Runtime.boot("vwire1");
const far = await farNode();
try {
  await rt.startIoPkt(["-d", "vwire", `udp=127.0.0.1:${HUB_PORT}`]);
  await rt.ok(["ifconfig", "en0", "10.77.0.1/24"]);
  // Warm up both paths (ARP, JIT) before measuring.
  await rt.ok(["ping", "-q", "-c", "100", "-i", String(INTERVAL), "10.77.0.2"]);
  await udpPingPong(far.udpPort, 100);

  const udp = await udpPingPong(far.udpPort, COUNT);
  const ping = await rt.sh(["ping", "-c", String(COUNT), "-i", String(INTERVAL), "10.77.0.2"]);
  const ours = pingTimes(ping.stdout);
  const v = stats(ours);
  const u = stats(udp.times);
  process.stdout.write(
    JSON.stringify({
      bench: "vwire",
      count: COUNT,
      interval_ms: INTERVAL * 1000,
      vwire_p50_us: v.p50,
      vwire_p99_us: v.p99,
      vwire_max_us: v.max,
      vwire_lost: COUNT - ours.length,
      udp_p50_us: u.p50,
      udp_p99_us: u.p99,
      udp_max_us: u.max,
      udp_lost: udp.lost,
      p50_vs_udp: +(v.p50 / u.p50).toFixed(2),
      p99_vs_udp: +(v.p99 / u.p99).toFixed(2),
      targets: { p50_vs_udp: 3, vwire_max_us: 5000 },
    }) + "\n",
  );
} finally {
  await far.stop();
  await rt.shutdown();
}
process.exit(0);
