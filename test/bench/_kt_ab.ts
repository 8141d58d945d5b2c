// `npm run bench -- kernel`: message-passing speed of the kernel against a bare Promise
// ping-pong measured in the same run (the ratio is what to compare across machines).
import { performance } from "node:perf_hooks";
const { Kernel } = await import(process.env.KDIR ?? "/work/main/firmware/kernel/index.ts");
type Thread = any;

const DURATION_MS = Number(process.env.BENCH_MS ?? 1000);

/** Two async tasks handing a value back and forth through promises: the floor for any await-based IPC. */
async function promisePingPong(ms: number): Promise<number> {
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
  let n = 0;
  const end = performance.now() + ms;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) {
      const p = new Promise<number>((r) => (toClient = r));
      (toServer as unknown as (v: number) => void)(i);
      await p;
      n++;
    }
  }
  const elapsed = performance.now() - start;
  stop = true;
  (toServer as unknown as (v: number) => void)(0);
  await server;
  return (n / elapsed) * 1000;
}

async function roundTrips(size: number, ms: number): Promise<number> {
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
  let rate = 0;
  const client = k.spawn({
    name: "bench-client",
    main: async (t: Thread) => {
      const coid = t.ConnectAttach(0, server.pid, chid);
      const msg = new Uint8Array(size);
      for (let i = 0; i < 2000; i++) await t.MsgSend(coid, msg); // warm-up
      let n = 0;
      const start = performance.now();
      const end = start + ms;
      while (performance.now() < end) {
        for (let i = 0; i < 1000; i++) await t.MsgSend(coid, msg);
        n += 1000;
      }
      rate = (n / (performance.now() - start)) * 1000;
      t.MsgSendPulse(coid, 10, 1, 0);
      return 0;
    },
  });
  await client.wait();
  await server.wait();
  return rate;
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

const promiseRtt = await promisePingPong(DURATION_MS);
const rtt16 = await roundTrips(16, DURATION_MS);
const rtt4k = await roundTrips(4096, DURATION_MS);
const pulsesPerS = await pulses(DURATION_MS);
const hp = await hipri();
process.stdout.write(
  JSON.stringify({
    bench: "kernel",
    rtt16_per_s: Math.round(rtt16),
    rtt4k_per_s: Math.round(rtt4k),
    promise_rtt_per_s: Math.round(promiseRtt),
    rtt16_vs_promise: +(rtt16 / promiseRtt).toFixed(3),
    rtt4k_vs_promise: +(rtt4k / promiseRtt).toFixed(3),
    pulses_per_s: Math.round(pulsesPerS),
    pulses_vs_promise: +(pulsesPerS / promiseRtt).toFixed(3),
    hipri_dispatch_position: hp.position,
    hipri_latency_us: +hp.latencyUs.toFixed(1),
    targets: { rtt16_per_s: 300000, pulses_per_s: 1000000, hipri_dispatch_position: 1 },
  }) + "\n",
);
