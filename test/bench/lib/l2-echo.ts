// The floor Qnet is measured against: raw Ethernet frames between two ports of the same HAL
// (the UDP virtual wire) with nothing above them. `echoRtts` times 64-byte frames echoed by
// the other port; `rate1514` streams full 1514-byte frames with a window of 32 in flight (each
// acknowledged by a 60-byte frame, as Qnet's windowed transport is) and reports Mb/s.
import { SystemClock } from "../../../firmware/kernel/clock.ts";
import { UdpEthPort } from "../../../hal/eth/udp-port.ts";

const ETHERTYPE_BENCH = 0x88b5; // IEEE local experimental

function frame(len: number, dst: Uint8Array, src: Uint8Array): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = ETHERTYPE_BENCH >> 8;
  f[13] = ETHERTYPE_BENCH & 0xff;
  return f;
}

export interface L2Pair {
  a: UdpEthPort;
  b: UdpEthPort;
  close(): void;
}

export async function l2Pair(port: number): Promise<L2Pair> {
  const clock = new SystemClock();
  const hub = `127.0.0.1:${port}`;
  const a = await UdpEthPort.open({ hub, mac: Uint8Array.of(2, 0, 0, 0, 0xa, 1), clock });
  const b = await UdpEthPort.open({ hub, mac: Uint8Array.of(2, 0, 0, 0, 0xa, 2), clock });
  // B answers every frame with a 60-byte one to A.
  const ack = frame(60, a.mac, b.mac);
  b.onFrame(() => void b.send(ack));
  return {
    a,
    b,
    close: () => {
      a.close();
      b.close();
    },
  };
}

/**
 * Round trips of 64-byte payloads (µs, sorted) after `warmup` untimed ones; frames lost are
 * counted in `lost`, and `cpu` is this process's CPU time per timed round trip (µs).
 */
export async function echoRtts(
  p: L2Pair,
  rounds: number,
  warmup = 200,
): Promise<{ rtts: number[]; lost: number; cpu: number }> {
  const f = frame(14 + 64, p.b.mac, p.a.mac);
  const rtts: number[] = [];
  let lost = 0;
  let waiting: (() => void) | null = null;
  p.a.onFrame(() => waiting?.());
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < rounds + warmup; i++) {
    if (i === warmup) cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 1000);
      waiting = () => {
        clearTimeout(timer);
        resolve(true);
      };
      p.a.send(f);
    });
    waiting = null;
    if (!ok) lost++;
    else if (i >= warmup) rtts.push((performance.now() - t0) * 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  return { rtts: rtts.sort((x, y) => x - y), lost, cpu: (cpu.user + cpu.system) / Math.max(1, rounds) };
}

/** Streams `bytes` in 1514-byte frames, 32 unacknowledged at most; Mb/s of frame bytes. */
export async function rate1514(p: L2Pair, bytes: number): Promise<{ mbps: number; lost: number }> {
  const f = frame(1514, p.b.mac, p.a.mac);
  const total = Math.ceil(bytes / 1514);
  let sent = 0;
  let acked = 0;
  const t0 = performance.now();
  const lost = await new Promise<number>((resolve) => {
    let idle: ReturnType<typeof setTimeout> | null = null;
    const pump = (): void => {
      while (sent < total && sent - acked < 32) {
        p.a.send(f);
        sent++;
      }
      if (idle) clearTimeout(idle);
      // Whatever is unacknowledged after a quiet second was lost on the wire.
      idle = setTimeout(() => resolve(sent - acked), 1000);
      if (acked >= total) {
        clearTimeout(idle);
        resolve(0);
      }
    };
    p.a.onFrame(() => {
      acked++;
      pump();
    });
    pump();
  });
  const ms = performance.now() - t0 - (lost > 0 ? 1000 : 0);
  return { mbps: ((total - lost) * 1514 * 8) / (ms * 1000), lost };
}
