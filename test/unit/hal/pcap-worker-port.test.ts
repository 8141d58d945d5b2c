// PcapWorkerPort with its real capture process but a fake node-pcap module (a CommonJS file the
// child requires instead) and a fake /sys/class/net tree: the transmit and receive streams,
// slicing, host-MAC and truncation drops, error mapping, close. No privileges needed.
// test/net/hal-pcap-worker.test.ts uses the real thing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PcapWorkerPort } from "../../../hal/eth/pcap-worker-port.ts";
import { frame } from "./frames.ts";
import { settle } from "../../helpers/wait.ts";

const HOST_MAC = Uint8Array.of(0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f);
const PEER_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 1);

// The fake echoes every injected frame back as received ones, on the next readable event:
// byte 15 copies (a burst), byte 16 = 1 keeps the source (else the peer's), byte 17 = 1
// reports a longer wire length (truncated capture).
const FAKE_PCAP = `
exports.createSession = (dev, opts) => {
  if (dev === "noperm0") throw new Error("socket: Operation not permitted");
  const listeners = [];
  const queue = [];
  const buf = Buffer.alloc(opts.snap_length);
  const header = Buffer.alloc(16);
  const session = {
    read_callback() {
      for (const f of queue.splice(0)) {
        f.copy(buf);
        header.writeUInt32LE(f.length, 8);
        header.writeUInt32LE(f.length + (f[17] === 1 ? 10 : 0), 12);
        for (const cb of listeners) cb({ buf, header });
      }
    },
  };
  return {
    session,
    on(_e, cb) { listeners.push(cb); },
    stats: () => ({ ps_recv: 0, ps_drop: 5, ps_ifdrop: 2 }),
    close() {},
    inject(b) {
      const f = Buffer.from(b);
      if (f[16] !== 1) Buffer.from([2, 0, 0, 0, 0, 1]).copy(f, 6);
      for (let i = 0; i < Math.max(1, f[15]); i++) queue.push(f);
      setImmediate(() => session.read_callback());
    },
  };
};
`;

let dir: string;
let sysfs: string;
let pcapPath: string;
const ports: PcapWorkerPort[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "netrino-pcapw-"));
  sysfs = join(dir, "sys");
  pcapPath = join(dir, "fake-pcap.cjs");
  writeFileSync(pcapPath, FAKE_PCAP);
  for (const name of ["veth0", "noperm0"]) {
    mkdirSync(join(sysfs, name), { recursive: true });
    const attrs = { address: "0a:1b:2c:3d:4e:5f", mtu: "1500", operstate: "up", carrier: "1" };
    for (const [k, v] of Object.entries(attrs)) writeFileSync(join(sysfs, name, k), v + "\n");
  }
});
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(ifname = "veth0", rxSlice = 4): Promise<PcapWorkerPort> {
  const p = await PcapWorkerPort.open(ifname, { sysfsRoot: sysfs, pcapPath, rxSlice, linkPollMs: 0 });
  ports.push(p);
  return p;
}

/** Waits for what the port's frame callbacks make true (a turn of the event loop at a time). */
function until(cond: () => boolean, ms = 5000): Promise<void> {
  return settle(cond, "the pcap worker's frames", ms);
}

function probe(copies: number, opts: { keepSource?: boolean; truncated?: boolean } = {}): Uint8Array {
  const f = frame(PEER_MAC, HOST_MAC, 0x42, 64);
  f[15] = copies;
  f[16] = opts.keepSource ? 1 : 0;
  f[17] = opts.truncated ? 1 : 0;
  return f;
}

describe("PcapWorkerPort (fake node-pcap)", () => {
  it("sends through the capture process and receives what comes back", async () => {
    const p = await open();
    expect(p.linkUp).toBe(true);
    expect([...p.mac]).toEqual([...HOST_MAC]);
    const got: Uint8Array[] = [];
    p.onFrame((f, len) => got.push(new Uint8Array(f.subarray(0, len))));
    expect(p.send(probe(1))).toBe(true);
    await until(() => got.length === 1);
    expect(got[0].length).toBe(64);
    expect([...got[0].subarray(6, 12)]).toEqual([...PEER_MAC]);
    expect(got[0][14]).toBe(0x42);
    const s = p.stats();
    expect(s.txPackets).toBe(1);
    expect(s.rxPackets).toBe(1);
  });

  it("hands a burst over in slices of rxSlice frames per event-loop turn", async () => {
    const p = await open("veth0", 4);
    let got = 0;
    let inTurn = 0;
    let maxInTurn = 0;
    let reset = false;
    p.onFrame(() => {
      got++;
      inTurn++;
      maxInTurn = Math.max(maxInTurn, inTurn);
      if (!reset) {
        reset = true;
        setImmediate(() => {
          inTurn = 0;
          reset = false;
        });
      }
    });
    p.send(probe(200));
    await until(() => got === 200);
    expect(maxInTurn).toBe(4);
    expect(p.slicedTurns).toBeGreaterThan(0);
  });

  it("holds frames back while paused and delivers them on resume", async () => {
    const p = await open();
    let got = 0;
    p.onFrame(() => got++);
    p.pauseReceive();
    p.send(probe(10));
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toBe(0);
    p.resumeReceive();
    await until(() => got === 10);
  });

  it("drops frames from the host's own MAC and truncated ones", async () => {
    const p = await open();
    let got = 0;
    p.onFrame(() => got++);
    p.send(probe(1, { keepSource: true }));
    p.send(probe(1, { truncated: true }));
    p.send(probe(1));
    await until(() => got === 1 && p.stats().rxDropped >= 1);
    // Frames come back in order: once a later frame is in, the dropped ones never will be.
    p.send(probe(1));
    await until(() => got === 2);
    expect(p.stats()).toMatchObject({ rxPackets: 2 });
  });

  it("adds the capture's kernel drops from its periodic stats", async () => {
    const p = await open();
    await until(() => p.stats().rxDropped === 7, 3000);
    expect(p.stats()).toMatchObject({ rxRingDrops: 5, rxIfDrops: 2 });
  });

  it("refuses a frame shorter than a header, counting a transmit error", async () => {
    const p = await open();
    expect(p.send(new Uint8Array(10))).toBe(false);
    expect(p.stats().txErrors).toBe(1);
  });

  it("maps open failures: no privilege → EPERM, no interface → ENODEV, no pcap → ENOSYS", async () => {
    await expect(open("noperm0")).rejects.toMatchObject({ errno: "EPERM" });
    await expect(open("nonexistent0")).rejects.toMatchObject({ errno: "ENODEV" });
    await expect(
      PcapWorkerPort.open("veth0", { sysfsRoot: sysfs, pcapPath: join(dir, "missing.cjs") }),
    ).rejects.toMatchObject({ errno: "ENOSYS" });
  });

  it("is down and refuses to send once closed", async () => {
    const p = await open();
    p.close();
    expect(p.linkUp).toBe(false);
    expect(p.send(probe(1))).toBe(false);
  });
});
