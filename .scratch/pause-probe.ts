// Probe: PcapPort pause/resume under a 64-byte flood with a given ring size; a consumer that
// pauses at 1024 queued and drains 16 per setImmediate turn (like io-pkt) and resumes at 512.
import { readFileSync } from "node:fs";
import { PcapPort } from "../hal/eth/pcap-port.ts";
import { NetnsLab } from "../test/net/lib/netns.ts";
import { Flood, floodSender } from "../test/bench/lib/flood.ts";
import { udpFrame } from "../test/bench/lib/udp-frame.ts";
import { parseMac } from "../firmware/net/wire/mac.ts";
import { parseIpv4 } from "../firmware/net/wire/ipv4-addr.ts";

const lab = new NetnsLab("m10pp");
const sender = floodSender()!;
const ns = lab.namespace();
const v = lab.veth(ns, "10.76.0.1/24");
const ourMac = parseMac(readFileSync(`/sys/class/net/${v.ours}/address`, "utf8").trim())!;
const size = Number(process.argv[2] ?? 64);
const frame = udpFrame({ size: 42 + size, dstMac: ourMac, srcMac: parseMac(v.linuxMac)!, srcIp: parseIpv4("10.76.0.1")!, dstIp: parseIpv4("10.76.0.2")! });
for (const buf of [32 << 20, 2 << 20]) {
  const port = PcapPort.open(v.ours, { bufferSize: buf });
  let q = 0, got = 0, dropped = 0, pauses = 0, turns = 0;
  let paused = false;
  const work = () => {
    turns++;
    const n = Math.min(16, q); q -= n; got += n;
    const t = Date.now(); while (Date.now() - t < 0) {}
    for (let i = 0; i < n * 50; i++) Math.sqrt(i); // some per-frame work
    if (paused && q <= 512) { paused = false; port.resumeReceive(); }
    if (q > 0) setImmediate(work); else armed = false;
  };
  let armed = false;
  port.onFrame(() => {
    if (q >= 1024) { dropped++; return; }
    q++;
    if (q === 1024 && !paused) { paused = true; pauses++; port.pauseReceive(); }
    if (!armed) { armed = true; setImmediate(work); }
  });
  const flood = await Flood.start(ns, v.linux, frame, { sender });
  await new Promise((r) => setTimeout(r, 500));
  const c0 = process.cpuUsage(); const g0 = got, d0 = dropped, p0 = port.pausedReads, s0 = port.stats().rxRingDrops;
  await new Promise((r) => setTimeout(r, 2000));
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ buf, got: got - g0, queueDrops: dropped - d0, ringDrops: port.stats().rxRingDrops - s0, pausedReads: port.pausedReads - p0, pauses, turns, cpuMs: Math.round((c.user + c.system) / 1000) }));
  await flood.stop(); port.close();
}
lab.cleanup(); sender.dispose(); process.exit(0);
