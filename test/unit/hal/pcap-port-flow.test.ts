// PcapPort's receive flow control against a fake node-pcap session that, like the real one,
// calls its binding's read_callback on every readable event and dispatches the whole ring.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  defaultBufferSize,
  EVENT_LOOP_BUFSIZE,
  defaultCaptureNice,
  LOW_PRIORITY_BUFSIZE,
  LOW_PRIORITY_NICE,
  pcapBackend,
} from "../../../firmware/net/drivers/devnp-pcap.ts";
import type { PcapModule, PcapSessionOptions } from "../../../hal/eth/pcap-loader.ts";
import { PcapPort } from "../../../hal/eth/pcap-port.ts";
import { RX_QUEUE_FRAMES } from "../../../firmware/net/manager/interface-binding.ts";

class RingPcap implements PcapModule {
  ring: Uint8Array[] = [];
  dispatches = 0;
  options: PcapSessionOptions | null = null;
  private listener: ((pkt: { buf: Buffer; header: Buffer }) => void) | null = null;
  private readonly buf = Buffer.alloc(2000);
  private readonly header = Buffer.alloc(16);
  readonly binding: { read_callback: (() => void) | null; dispatch: () => number } = {
    read_callback: null,
    dispatch: () => {
      this.dispatches++;
      let n = 0;
      for (let f = this.ring.shift(); f !== undefined; f = this.ring.shift(), n++) {
        this.buf.set(f);
        this.header.writeUInt32LE(f.length, 8);
        this.header.writeUInt32LE(f.length, 12);
        this.listener?.({ buf: this.buf, header: this.header });
      }
      return n;
    },
  };

  createSession(_device: string, options: PcapSessionOptions) {
    this.options = options;
    this.binding.read_callback = () => void this.binding.dispatch();
    return {
      session: this.binding,
      on: (_e: "packet", cb: (pkt: { buf: Buffer; header: Buffer }) => void) => (this.listener = cb),
      inject: () => {},
      stats: () => ({ ps_recv: 0, ps_drop: 0, ps_ifdrop: 0 }),
      close: () => {},
    };
  }

  /** The fd is readable: libuv calls read_callback. */
  readable(): void {
    this.binding.read_callback?.();
  }
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "netrino-sysfs-"));
  mkdirSync(join(root, "veth0"));
  for (const [k, v] of Object.entries({ address: "0a:1b:2c:3d:4e:5f", mtu: "1500", operstate: "up" }))
    writeFileSync(join(root, "veth0", k), v + "\n");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function frame(n: number): Uint8Array {
  const f = new Uint8Array(60);
  f.fill(0xff, 0, 6);
  f[6] = 2; // not the host's MAC
  f[14] = n;
  return f;
}

describe("PcapPort receive flow control", () => {
  it("leaves frames in the ring while paused and takes them again once resumed", () => {
    const pcap = new RingPcap();
    const port = PcapPort.open("veth0", { pcap, sysfsRoot: root, linkPollMs: 0 });
    const got: number[] = [];
    port.onFrame((f) => got.push(f[14]));
    pcap.ring.push(frame(1), frame(2));
    pcap.readable();
    expect(got).toEqual([1, 2]);

    port.pauseReceive();
    expect(port.receivePaused).toBe(true);
    pcap.ring.push(frame(3));
    pcap.readable();
    pcap.readable();
    expect(got).toEqual([1, 2]);
    expect(pcap.ring).toHaveLength(1);
    expect(pcap.dispatches).toBe(1);
    expect(port.pausedReads).toBe(2);

    port.resumeReceive();
    pcap.readable();
    expect(got).toEqual([1, 2, 3]);
    port.close();
  });

  it("opens low-priority interfaces with a small kernel ring by default", () => {
    expect(defaultBufferSize(10)).toBe(LOW_PRIORITY_BUFSIZE);
    // On the event loop: a ring the size of io-pkt's receive queue; a capture process: the port's.
    expect(defaultBufferSize(50)).toBe(EVENT_LOOP_BUFSIZE);
    expect(defaultBufferSize(undefined)).toBe(EVENT_LOOP_BUFSIZE);
    expect(EVENT_LOOP_BUFSIZE).toBe(RX_QUEUE_FRAMES * 2048);
    expect(defaultBufferSize(50, 21, "thread")).toBeUndefined();
    expect(defaultBufferSize(10, 21, "nothread")).toBe(LOW_PRIORITY_BUFSIZE);
    const pcap = new RingPcap();
    PcapPort.open("veth0", { pcap, sysfsRoot: root, bufferSize: defaultBufferSize(10) }).close();
    expect(pcap.options?.buffer_size).toBe(LOW_PRIORITY_BUFSIZE);
  });

  it("captures a low-priority interface in its own process at the host's lowest CPU priority", () => {
    expect(defaultCaptureNice(10)).toBe(LOW_PRIORITY_NICE);
    expect(defaultCaptureNice(21)).toBe(0);
    expect(defaultCaptureNice(undefined)).toBe(0);
    // Low is relative to this instance's rx_prio.
    expect(defaultCaptureNice(21, 30)).toBe(LOW_PRIORITY_NICE);
    expect(defaultBufferSize(21, 30)).toBe(LOW_PRIORITY_BUFSIZE);
    expect(pcapBackend({}, 10)).toBe("thread");
    expect(pcapBackend({}, 50)).toBe("nothread");
    expect(pcapBackend({}, 25, 30)).toBe("thread");
    expect(pcapBackend({ nice: 5 }, 50)).toBe("thread");
    expect(() => pcapBackend({ thread: true, nothread: true })).toThrow(/exclude each other/);
  });
});
