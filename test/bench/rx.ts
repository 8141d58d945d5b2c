// Receive-path benchmark of the stack core (the parse part of `npm run bench -- rx`):
// 64-byte and 1514-byte frames through Stack.input (one copy into a pool buffer, Ethernet demux,
// IPv4 validation, delivery to a sink protocol: counted at IP), and ICMP echo handling (request
// in, reply out to a no-op driver), each against a baseline loop over the same frames that only
// copies each frame into a buffer and reads its ethertype. Prints one JSON line.
import { performance } from "node:perf_hooks";
import { ManualClock } from "../../firmware/kernel/clock.ts";
import { Stack } from "../../firmware/net/stack/stack.ts";
import { pbufFree } from "../../firmware/net/stack/pbuf.ts";
import { ETHERTYPE_IPV4, writeEtherHeader } from "../../firmware/net/wire/ethernet.ts";
import { ICMP_ECHO, icmpFillCksum, writeIcmpHeader } from "../../firmware/net/wire/icmp.ts";
import { writeIpv4Header } from "../../firmware/net/wire/ipv4.ts";

const MAC_PEER = 0x020000000001;
const MAC_US = 0x020000000002;
const PEER = 0x0a000001;
const US = 0x0a000002;
const SINK = 253;
const DURATION_MS = Number(process.env.BENCH_MS ?? 1500);

function frame(size: number, proto: number): Uint8Array {
  const f = new Uint8Array(size);
  const v = new DataView(f.buffer);
  writeEtherHeader(f, 0, MAC_US, MAC_PEER, ETHERTYPE_IPV4);
  writeIpv4Header(f, v, 14, 0, size - 14, 1, 0, 64, proto, PEER, US);
  if (proto === 1) {
    writeIcmpHeader(f, 34, ICMP_ECHO, 0, (1 << 16) | 1);
    icmpFillCksum(f, 34, size - 34);
  }
  return f;
}

/** Runs `fn` in batches for DURATION_MS; returns operations per second. */
function rate(fn: (n: number) => void): number {
  fn(20_000); // warm-up
  const batch = 10_000;
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < DURATION_MS) {
    fn(batch);
    n += batch;
    t = performance.now();
  }
  return Math.round((n * 1000) / (t - t0));
}

function baseline(f: Uint8Array): number {
  const buf = new Uint8Array(2176);
  let types = 0;
  return (
    rate((n) => {
      for (let i = 0; i < n; i++) {
        buf.set(f, 128);
        types += (buf[140] << 8) | buf[141];
      }
    }) +
    (types & 0)
  ); // keep `types` alive
}

function stackRate(f: Uint8Array): { pps: number; delivered: number } {
  const s = new Stack({ clock: new ManualClock() });
  const en0 = s.attach({ mac: MAC_US, output: () => true });
  s.addAddress(en0, US, 24);
  s.arp.addStatic(en0, PEER, MAC_PEER);
  let delivered = 0;
  s.ip.register(SINK, {
    input(pb) {
      delivered++;
      pbufFree(pb);
    },
  });
  const pps = rate((n) => {
    for (let i = 0; i < n; i++) s.input(en0, f);
  });
  if (s.pool.inUse !== 0) throw new Error("buffer leak");
  return { pps, delivered };
}

const f64 = frame(64, SINK);
const f1514 = frame(1514, SINK);
const fEcho = frame(98, 1);

const copy64 = baseline(f64);
const ours64 = stackRate(f64);
const copy1514 = baseline(f1514);
const ours1514 = stackRate(f1514);
const copyEcho = baseline(fEcho);
const echo = stackRate(fEcho);

process.stdout.write(
  JSON.stringify({
    bench: "rx-core",
    duration_ms: DURATION_MS,
    ours_pps_64: ours64.pps,
    copy_pps_64: copy64,
    ratio_64: +(ours64.pps / copy64).toFixed(3),
    ours_pps_1514: ours1514.pps,
    copy_pps_1514: copy1514,
    ratio_1514: +(ours1514.pps / copy1514).toFixed(3),
    icmp_echo_pps: echo.pps,
    copy_pps_98: copyEcho,
    ratio_echo: +(echo.pps / copyEcho).toFixed(3),
  }) + "\n",
);
