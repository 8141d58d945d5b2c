// `npm run bench -- kernel`: message-passing speed of the kernel against a bare Promise
// ping-pong measured in the same run (the ratio is what to compare across machines).
import { performance } from "node:perf_hooks";
import { Kernel } from "../../firmware/kernel/index.ts";
import type { Thread } from "../../firmware/kernel/index.ts";

const DURATION_MS = Number(process.env.BENCH_MS ?? 1000);
/** Kernel and baseline alternate in short rounds, so a burst of load elsewhere hits both. */
const ROUNDS = 10;

/**
 * Two async tasks handing a value back and forth `n` times through promises: the floor for
 * any await-based IPC. Returns round trips per second.
 */
async function promisePingPong(n: number): Promise<number> {
  let toServer: ((v: number) => void) | null = null;
  let toClient: ((v: number) => void) | null = null;
  let stop = false;
  const server = (async () => {
    while (!stop) {
      const v = await new Promise<number>((r) => (toServer = r));
      (toClient as unknown as (v: number) => void)(v + 1);
    }
  })();
  await null;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const p = new Promise<number>((r) => (toClient = r));
    (toServer as unknown as (v: number) => void)(i);
    await p;
  }
  const elapsed = performance.now() - start;
  stop = true;
  (toServer as unknown as (v: number) => void)(0);
  await server;
  return (n / elapsed) * 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Rates {
  kernel: number;
  promise: number;
  ratio: number;
}

/**
 * MsgSend/MsgReceive/MsgReply round trips of `size`-byte messages, in ROUNDS rounds that
 * alternate with the Promise ping-pong; medians of the rates and of the per-round ratios.
 */
async function roundTrips(size: number, ms: number): Promise<Rates> {
  const k = new Kernel();
  let chid = -1;
  const server = k.spawn({
    name: "bench-server",
    main: async (t: Thread) => {
      chid = t.ChannelCreate();
      const reply = new Uint8Array(size);
      for (;;) {
        const r = await t.MsgReceive(chid);
        if (r.rcvid === 0) return 0;
        t.MsgReply(r.rcvid, 0, reply);
      }
    },
  });
  while (chid < 0) await new Promise((r) => setImmediate(r));
  const kernel: number[] = [];
  const promise: number[] = [];
  const ratio: number[] = [];
  const client = k.spawn({
    name: "bench-client",
    main: async (t: Thread) => {
      const coid = t.ConnectAttach(0, server.pid, chid);
      const msg = new Uint8Array(size);
      // Warm-up, which also sizes a round to about ms / ROUNDS.
      const warm = performance.now();
      let n = 0;
      while (performance.now() - warm < Math.min(200, ms / 4)) {
        for (let i = 0; i < 1000; i++) await t.MsgSend(coid, msg);
        n += 1000;
      }
      await promisePingPong(n);
      const perRound = Math.max(1000, Math.round((n / (performance.now() - warm)) * (ms / ROUNDS)));
      for (let r = 0; r < ROUNDS; r++) {
        const start = performance.now();
        for (let i = 0; i < perRound; i++) await t.MsgSend(coid, msg);
        const rate = (perRound / (performance.now() - start)) * 1000;
        const base = await promisePingPong(perRound);
        kernel.push(rate);
        promise.push(base);
        ratio.push(rate / base);
      }
      t.MsgSendPulse(coid, 10, 1, 0);
      return 0;
    },
  });
  await client.wait();
  await server.wait();
  return { kernel: median(kernel), promise: median(promise), ratio: median(ratio) };
}

async function pulses(ms: number): Promise<number> {
  const k = new Kernel();
  let rate = 0;
  const p = k.spawn({
    name: "bench-pulses",
    main: async (t: Thread) => {
      const chid = t.ChannelCreate();
      const coid = t.ConnectAttach(0, t.process.pid, chid);
      let n = 0;
      const start = performance.now();
      const end = start + ms;
      while (performance.now() < end) {
        for (let i = 0; i < 1000; i++) t.MsgSendPulse(coid, 10, 1, i);
        for (let i = 0; i < 1000; i++) await t.MsgReceive(chid);
        n += 1000;
      }
      rate = (n / (performance.now() - start)) * 1000;
      return 0;
    },
  });
  await p.wait();
  return rate;
}

/** Queues 100k priority-10 pulses, then one at priority 50: where does the urgent one come out? */
async function hipri(): Promise<{ position: number; latencyUs: number }> {
  const k = new Kernel();
  let position = -1;
  let latencyUs = -1;
  const p = k.spawn({
    name: "bench-hipri",
    main: async (t: Thread) => {
      const chid = t.ChannelCreate();
      const coid = t.ConnectAttach(0, t.process.pid, chid);
      for (let i = 0; i < 100_000; i++) t.MsgSendPulse(coid, 10, 1, i);
      const sent = performance.now();
      t.MsgSendPulse(coid, 50, 2, 0);
      for (let i = 1; i <= 100_001; i++) {
        const r = await t.MsgReceive(chid);
        if (r.pulse?.code === 2) {
          position = i;
          latencyUs = (performance.now() - sent) * 1000;
          break;
        }
      }
      return 0;
    },
  });
  await p.wait();
  return { position, latencyUs };
}

const rtt16 = await roundTrips(16, DURATION_MS);
const rtt4k = await roundTrips(4096, DURATION_MS);
const pulsesPerS = await pulses(DURATION_MS);
const promiseRtt = await promisePingPong(Math.max(10_000, Math.round(rtt16.promise * (DURATION_MS / 1000))));
const hp = await hipri();
process.stdout.write(
  JSON.stringify({
    bench: "kernel",
    rtt16_per_s: Math.round(rtt16.kernel),
    rtt4k_per_s: Math.round(rtt4k.kernel),
    promise_rtt_per_s: Math.round(rtt16.promise),
    rtt16_vs_promise: +rtt16.ratio.toFixed(3),
    rtt4k_vs_promise: +rtt4k.ratio.toFixed(3),
    pulses_per_s: Math.round(pulsesPerS),
    pulses_vs_promise: +(pulsesPerS / promiseRtt).toFixed(3),
    hipri_dispatch_position: hp.position,
    hipri_latency_us: +hp.latencyUs.toFixed(1),
    rounds: ROUNDS,
    targets: {
      rtt16_vs_promise: 0.5,
      rtt16_per_s: 300000,
      pulses_per_s: 1000000,
      hipri_dispatch_position: 1,
    },
  }) + "\n",
);
