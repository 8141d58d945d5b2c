// The core-only part of the rx bench (no root needed): frames straight into Stack.input, one
// copy into a pool buffer, Ethernet demux, IPv4 validation, delivery to a sink protocol
// (counted at IP), and ICMP echo handling (request in, reply out to a no-op driver), each
// against a baseline loop over the same frames that only copies each frame and reads its
// ethertype.
import { performance } from "node:perf_hooks";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import { pbufFree } from "../../../firmware/net/stack/pbuf.ts";
import { ETHERTYPE_IPV4, writeEtherHeader } from "../../../firmware/net/wire/ethernet.ts";
import { ICMP_ECHO, icmpFillCksum, writeIcmpHeader } from "../../../firmware/net/wire/icmp.ts";
import { writeIpv4Header } from "../../../firmware/net/wire/ipv4.ts";

const MAC_PEER = 0x020000000001;
const MAC_US = 0x020000000002;
const PEER = 0x0a000001;
const US = 0x0a000002;
const SINK = 253;

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

/** Runs `fn` in batches for `ms`; returns operations per second. */
function rate(ms: number, fn: (n: number) => void): number {
  fn(20_000); // warm-up
  const batch = 10_000;
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    fn(batch);
    n += batch;
    t = performance.now();
  }
  return Math.round((n * 1000) / (t - t0));
}

function copyRate(ms: number, f: Uint8Array): number {
  const buf = new Uint8Array(2176);
  let types = 0;
  const r = rate(ms, (n) => {
    for (let i = 0; i < n; i++) {
      buf.set(f, 128);
      types += (buf[140] << 8) | buf[141];
    }
  });
  return r + (types & 0); // keeps `types` alive
}

function stackRate(ms: number, f: Uint8Array): number {
  const s = new Stack({ clock: new ManualClock() });
  const en0 = s.attach({ mac: MAC_US, output: () => true });
  s.addAddress(en0, US, 24);
  s.arp.addStatic(en0, PEER, MAC_PEER);
  s.ip.register(SINK, { input: (pb) => pbufFree(pb) });
  const pps = rate(ms, (n) => {
    for (let i = 0; i < n; i++) s.input(en0, f);
  });
  if (s.pool.inUse !== 0) throw new Error("buffer leak");
  return pps;
}

export interface CoreRates {
  core_pps_64: number;
  copy_pps_64: number;
  core_ratio_64: number;
  core_pps_1514: number;
  copy_pps_1514: number;
  core_ratio_1514: number;
  icmp_echo_pps: number;
  copy_pps_98: number;
  core_ratio_echo: number;
}

export function stackCoreRates(ms: number): CoreRates {
  const f64 = frame(64, SINK);
  const f1514 = frame(1514, SINK);
  const fEcho = frame(98, 1);
  const copy64 = copyRate(ms, f64);
  const core64 = stackRate(ms, f64);
  const copy1514 = copyRate(ms, f1514);
  const core1514 = stackRate(ms, f1514);
  const copyEcho = copyRate(ms, fEcho);
  const echo = stackRate(ms, fEcho);
  return {
    core_pps_64: core64,
    copy_pps_64: copy64,
    core_ratio_64: +(core64 / copy64).toFixed(3),
    core_pps_1514: core1514,
    copy_pps_1514: copy1514,
    core_ratio_1514: +(core1514 / copy1514).toFixed(3),
    icmp_echo_pps: echo,
    copy_pps_98: copyEcho,
    core_ratio_echo: +(echo / copyEcho).toFixed(3),
  };
}
