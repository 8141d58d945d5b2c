// PcapPort against a fake node-pcap module and a fake /sys/class/net tree: the options it
// opens libpcap with, the frame path, error mapping. test/net/hal-pcap.test.ts uses the real thing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import {
  loadPcap,
  pcapOpenError,
  type PcapModule,
  type PcapSessionOptions,
} from "../../../hal/eth/pcap-loader.ts";
import { PcapPort } from "../../../hal/eth/pcap-port.ts";
import { readLinkUp } from "../../../hal/eth/sysfs-net.ts";
import { BROADCAST, collector, frame } from "./frames.ts";

const HOST_MAC = Uint8Array.of(0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f);

class FakePcap implements PcapModule {
  opened: { device: string; options: PcapSessionOptions }[] = [];
  injected: Buffer[] = [];
  listener: ((pkt: { buf: Buffer; header: Buffer }) => void) | null = null;
  closed = false;
  fail: Error | null = null;
  readonly buf = Buffer.alloc(2000);
  readonly header = Buffer.alloc(16);

  createSession(device: string, options: PcapSessionOptions) {
    if (this.fail) throw this.fail;
    this.opened.push({ device, options });
    return {
      on: (_e: "packet", cb: (pkt: { buf: Buffer; header: Buffer }) => void) => (this.listener = cb),
      inject: (b: Buffer) => void this.injected.push(Buffer.from(b)),
      stats: () => ({ ps_recv: 0, ps_drop: 3, ps_ifdrop: 1 }),
      close: () => void (this.closed = true),
    };
  }

  /** Delivers a frame the way node-pcap does: into its one reused buffer. */
  deliver(f: Uint8Array, wireLen = f.length): void {
    this.buf.set(f);
    this.header.writeUInt32LE(f.length, 8);
    this.header.writeUInt32LE(wireLen, 12);
    this.listener!({ buf: this.buf, header: this.header });
    this.buf.fill(0xee); // reused: a handler that kept the reference would see garbage
  }
}

let root: string;
function fakeIf(name: string, attrs: Record<string, string>): void {
  mkdirSync(join(root, name), { recursive: true });
  for (const [k, v] of Object.entries(attrs)) writeFileSync(join(root, name, k), v + "\n");
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "netrino-sysfs-"));
  fakeIf("veth0", { address: "0a:1b:2c:3d:4e:5f", mtu: "1500", operstate: "up", carrier: "1" });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("PcapPort", () => {
  it("opens in immediate mode with a snaplen just above the frame size and a big buffer", () => {
    const pcap = new FakePcap();
    const port = PcapPort.open("veth0", { pcap, sysfsRoot: root, linkPollMs: 0 });
    expect(pcap.opened).toHaveLength(1);
    const o = pcap.opened[0]!.options;
    expect(pcap.opened[0]!.device).toBe("veth0");
    expect(o.buffer_timeout).toBe(0);
    expect(o.snap_length).toBe(1600);
    expect(o.buffer_size).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(o.promiscuous).toBe(true);
    expect(o.filter).toBe("");
    expect(port.mac).toEqual(HOST_MAC);
    expect(port.mtu).toBe(1500);
    expect(PcapPort.open("veth0", { pcap, sysfsRoot: root, mtu: 9000 }).snaplen).toBe(9018);
  });

  it("hands each frame to the handler with its captured length, and injects frames", () => {
    const pcap = new FakePcap();
    const port = PcapPort.open("veth0", { pcap, sysfsRoot: root, linkPollMs: 0 });
    const rx = collector();
    port.onFrame(rx.handler);
    const other = Uint8Array.of(2, 0, 0, 0, 0, 9);
    pcap.deliver(frame(BROADCAST, other, 1, 60));
    pcap.deliver(frame(BROADCAST, other, 2, 1514));
    expect(rx.frames.map((f) => [f.length, f[14]])).toEqual([
      [60, 1],
      [1514, 2],
    ]);
    const out = frame(BROADCAST, port.mac, 3, 100);
    expect(port.send(out, 64)).toBe(true);
    expect(pcap.injected[0]!.length).toBe(64);
    expect(new Uint8Array(pcap.injected[0]!)).toEqual(out.subarray(0, 64));
    expect(port.send(new Uint8Array(2000))).toBe(false);
    expect(port.stats()).toMatchObject({
      rxPackets: 2,
      rxBytes: 1574,
      txPackets: 1,
      txBytes: 64,
      txErrors: 1,
    });
  });

  it("drops truncated frames and what Linux itself sends on the interface, counting kernel drops", () => {
    const pcap = new FakePcap();
    const port = PcapPort.open("veth0", { pcap, sysfsRoot: root, linkPollMs: 0 });
    const rx = collector();
    port.onFrame(rx.handler);
    pcap.deliver(frame(BROADCAST, Uint8Array.of(2, 0, 0, 0, 0, 9), 1, 100), 3000); // snapped
    pcap.deliver(frame(BROADCAST, HOST_MAC, 2)); // Linux's own outgoing frame
    expect(rx.frames).toHaveLength(0);
    expect(port.stats()).toMatchObject({ rxDropped: 1 + 3 + 1, rxRingDrops: 3, rxIfDrops: 1 });
    const keep = PcapPort.open("veth0", { pcap, sysfsRoot: root, dropHostOutgoing: false, linkPollMs: 0 });
    const rx2 = collector();
    keep.onFrame(rx2.handler);
    pcap.deliver(frame(BROADCAST, HOST_MAC, 2));
    expect(rx2.frames).toHaveLength(1);
  });

  it("follows the link state from operstate, by polling on the clock", () => {
    const pcap = new FakePcap();
    const clock = new ManualClock();
    const port = PcapPort.open("veth0", { pcap, sysfsRoot: root, clock, linkPollMs: 500 });
    const seen: boolean[] = [];
    port.onLink((up) => seen.push(up));
    expect(port.linkUp).toBe(true);
    fakeIf("veth0", { operstate: "lowerlayerdown" });
    clock.advance(499);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual([false]);
    expect(port.linkUp).toBe(false);
    fakeIf("veth0", { operstate: "up" });
    clock.advance(500);
    expect(seen).toEqual([false, true]);
    port.close();
    expect(pcap.closed).toBe(true);
    expect(port.linkUp).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it("treats operstate unknown as up only with carrier", () => {
    fakeIf("tun0", { address: "00:00:00:00:00:00", operstate: "unknown", carrier: "1" });
    fakeIf("tun1", { address: "00:00:00:00:00:00", operstate: "unknown", carrier: "0" });
    expect(readLinkUp("tun0", root)).toBe(true);
    expect(readLinkUp("tun1", root)).toBe(false);
    expect(readLinkUp("nope0", root)).toBe(false);
  });

  it("uses mac= when given", () => {
    const mac = Uint8Array.of(2, 1, 2, 3, 4, 5);
    expect(PcapPort.open("veth0", { pcap: new FakePcap(), sysfsRoot: root, mac }).mac).toEqual(mac);
  });

  it("names what is missing: the interface, the privilege, the package, the library", () => {
    expect(() => PcapPort.open("eth9", { pcap: new FakePcap(), sysfsRoot: root })).toThrow(
      expect.objectContaining({ errno: "ENODEV", message: expect.stringContaining('"eth9"') }),
    );
    expect(() => PcapPort.open("../x", { pcap: new FakePcap(), sysfsRoot: root })).toThrow(
      /invalid interface/,
    );
    const pcap = new FakePcap();
    pcap.fail = new Error(
      "veth0: You don't have permission to capture on that device (socket: Operation not permitted)",
    );
    expect(() => PcapPort.open("veth0", { pcap, sysfsRoot: root })).toThrow(
      expect.objectContaining({ errno: "EPERM", message: expect.stringContaining("CAP_NET_RAW") }),
    );
    expect(
      pcapOpenError("x", new Error("x: No such device exists (SIOCGIFHWADDR: No such device)")).errno,
    ).toBe("ENODEV");
    expect(pcapOpenError("x", new Error("something odd")).errno).toBe("EIO");
    const notInstalled = Object.assign(new Error("Cannot find module 'pcap'"), { code: "MODULE_NOT_FOUND" });
    expect(() =>
      loadPcap(() => {
        throw notInstalled;
      }),
    ).toThrow(/optional npm package "pcap" is not installed/);
    const noLib = new Error("libpcap.so.0.8: cannot open shared object file: No such file or directory");
    expect(() =>
      loadPcap(() => {
        throw noLib;
      }),
    ).toThrow(
      expect.objectContaining({
        errno: "ENOSYS",
        message: expect.stringContaining("libpcap library is missing"),
      }),
    );
  });
});
