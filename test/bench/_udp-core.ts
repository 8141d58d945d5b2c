// Profiling aid (not in `npm run bench`'s list): the per-datagram cost of receiving through
// /dev/socket without pcap or a flood. A sender fills a socket on lo0 with N datagrams of SIZE
// bytes, then the receiver drains it with recvfrom (one message each) or, with BATCH=n,
// recvmmsg of n at a time. PROF=file.cpuprofile profiles the drain alone (node:inspector).
//   npm run bench -- _udp-core            N=3000 SIZE=64 BATCH=256 PROF=/tmp/drain.cpuprofile
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import { Kernel } from "../../firmware/kernel/kernel.ts";
import * as K from "../../firmware/net/socket/constants.ts";
import { program, startIoPkt } from "../unit/iopkt/harness.ts";

const N = Number(process.env.N ?? 2000);
const SIZE = Number(process.env.SIZE ?? 64);
const BATCH = Number(process.env.BATCH ?? 0);
const PROF = process.env.PROF;

const ins = new Session();
ins.connect();
await ins.post("Profiler.enable");
await ins.post("Profiler.setSamplingInterval", { interval: 50 });

const k = new Kernel({ nodeName: "p" });
await startIoPkt(k, ["-p", "tcpip", "prefix=/a", "-t", "2"]);
let ready!: () => void;
const bound = new Promise<void>((r) => (ready = r));
let go!: () => void;
const filled = new Promise<void>((r) => (go = r));
const rx = program(k, "/a", async (ctx) => {
  const s = ctx.sockets;
  const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
  await s.setsockopt(fd, K.SOL_SOCKET, K.SO_RCVBUF, 262144);
  await s.bind(fd, { family: "inet", address: "127.0.0.1", port: 9 });
  ready();
  await filled;
  if (PROF) await ins.post("Profiler.start");
  const e0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  let n = 0;
  for (;;) {
    try {
      if (BATCH > 0) n += (await s.recvmmsg(fd, { count: BATCH, flags: K.MSG_DONTWAIT })).length;
      else {
        await s.recvfrom(fd, 2048, K.MSG_DONTWAIT);
        n++;
      }
    } catch {
      break; // EAGAIN: drained
    }
  }
  const dt = performance.now() - t0;
  if (PROF) writeFileSync(PROF, JSON.stringify((await ins.post("Profiler.stop")).profile));
  const elu = performance.eventLoopUtilization(e0);
  return { n, usPerRecv: +((dt * 1000) / n).toFixed(2), elu: +elu.utilization.toFixed(3) };
});
await bound;
const tx = await program(k, "/a", async (ctx) => {
  const s = ctx.sockets;
  const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
  const data = new Uint8Array(SIZE);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await s.sendto(fd, data, { family: "inet", address: "127.0.0.1", port: 9 });
  return { usPerSend: +(((performance.now() - t0) * 1000) / N).toFixed(2) };
});
go();
process.stdout.write(
  JSON.stringify({ bench: "_udp-core", size: SIZE, batch: BATCH, ...tx, ...(await rx) }) + "\n",
);
await k.shutdown(50);
process.exit(0);
