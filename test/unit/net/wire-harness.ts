// Test harness: stacks wired back-to-back in memory. Frames are queued and delivered by pump(),
// like a real wire, so one stack's output never re-enters another stack in the middle of a call.
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import type { Ifnet } from "../../../firmware/net/stack/ifnet.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";

export function ip(text: string): number {
  const v = parseIpv4(text);
  if (v === null) throw new Error(`bad address ${text}`);
  return v;
}

export interface Port {
  stack: Stack;
  ifp: Ifnet;
}

/** A hub: every frame sent by one port reaches all the others (after pump). */
export class Hub {
  readonly ports: Port[] = [];
  readonly queue: Array<{ from: Port; frame: Uint8Array }> = [];
  /** Frames carried so far. */
  carried = 0;
  /** Drop predicate for loss tests. */
  drop: ((frame: Uint8Array) => boolean) | null = null;

  attach(stack: Stack, mac: number, name?: string, mtu = 1500): Ifnet {
    const port = {} as Port;
    const ifp = stack.attach({
      name,
      mac,
      mtu,
      output: (frame, len) => {
        this.queue.push({ from: port, frame: frame.slice(0, len) });
      },
    });
    port.stack = stack;
    port.ifp = ifp;
    this.ports.push(port);
    return ifp;
  }

  /** Delivers queued frames until the wire is quiet (bounded). Returns frames delivered. */
  pump(max = 100_000): number {
    let n = 0;
    while (this.queue.length !== 0 && n < max) {
      const { from, frame } = this.queue.shift() as { from: Port; frame: Uint8Array };
      this.carried++;
      n++;
      if (this.drop?.(frame)) continue;
      for (const p of this.ports) if (p !== from) p.stack.input(p.ifp, frame);
    }
    return n;
  }
}

export interface Net {
  clock: ManualClock;
  hubs: Hub[];
  pump(): void;
  /** Advances time in steps, pumping the wires in between. */
  advance(ms: number, step?: number): void;
}

export function makeNet(hubCount = 1): Net {
  const clock = new ManualClock();
  const hubs = Array.from({ length: hubCount }, () => new Hub());
  const pump = () => {
    for (let round = 0; round < 1000; round++) {
      let moved = 0;
      for (const h of hubs) moved += h.pump();
      if (moved === 0) return;
    }
  };
  return {
    clock,
    hubs,
    pump,
    advance(ms: number, step = 100) {
      for (let t = 0; t < ms; t += step) {
        clock.advance(Math.min(step, ms - t));
        pump();
      }
    },
  };
}

export function makeStack(net: Net, logs?: string[]): Stack {
  return new Stack({ clock: net.clock, log: (_sev, text) => logs?.push(text) });
}

/** Collects echo replies for one id. */
export function echoRecorder(stack: Stack, id: number) {
  const replies: Array<{ from: number; seq: number; ttl: number; len: number; data: Uint8Array }> = [];
  const errors: Array<{ from: number; type: number; code: number; seq: number; mtu: number }> = [];
  stack.icmp.addEchoListener(id, {
    reply(from, seq, ttl, icmpLen, pb, off, len) {
      replies.push({ from, seq, ttl, len: icmpLen, data: pb.bytes.slice(off, off + len) });
    },
    error(from, type, code, seq, mtu) {
      errors.push({ from, type, code, seq, mtu });
    },
  });
  return { replies, errors };
}

export function pattern(n: number, seed = 7): Uint8Array {
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = (i * 31 + seed) & 0xff;
  return d;
}

/** Fast byte equality (vitest's deep equality is slow on large arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** A (10.0.1.2) — R (10.0.1.1 | 10.0.2.1, mtu of the second link configurable) — B (10.0.2.2). */
export function routed(mtu2 = 1500) {
  const net = makeNet(2);
  const a = makeStack(net);
  const r = makeStack(net);
  const b = makeStack(net);
  const ea = net.hubs[0].attach(a, 0x02000000000a);
  const r0 = net.hubs[0].attach(r, 0x020000000010);
  const r1 = net.hubs[1].attach(r, 0x020000000011, undefined, mtu2);
  const eb = net.hubs[1].attach(b, 0x02000000000b, undefined, mtu2);
  a.addAddress(ea, ip("10.0.1.2"), 24);
  r.addAddress(r0, ip("10.0.1.1"), 24);
  r.addAddress(r1, ip("10.0.2.1"), 24);
  b.addAddress(eb, ip("10.0.2.2"), 24);
  a.addRoute(0, 0, ip("10.0.1.1"));
  b.addRoute(0, 0, ip("10.0.2.1"));
  net.pump();
  return { net, a, r, b };
}
