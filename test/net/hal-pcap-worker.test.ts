// PcapWorkerPort (libpcap in a capture process) on a real veth pair: our end in the test's
// network namespace with no address, Linux's end in a fresh namespace with 10.78.0.1/24.
// Linux's arping must arrive, a frame we inject must show up in Linux's tcpdump and must not
// come back to us, and a burst must reach the driver in bounded slices.
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PcapWorkerPort } from "../../hal/eth/pcap-worker-port.ts";
import { formatMac, parseMac } from "../../hal/eth/mac.ts";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { NetnsLab, sh } from "./lib/netns.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";

const skip = requirement("hal-pcap-worker", {
  "root and network namespaces": canUseNetns(),
  "arping (iputils)": hasCommand("arping"),
  tcpdump: hasCommand("tcpdump"),
  python3: hasCommand("python3"),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

function waitFor<T>(get: () => T | undefined, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const end = Date.now() + ms;
    const tick = (): void => {
      const v = get();
      if (v !== undefined) return resolve(v);
      if (Date.now() > end) return reject(new Error("timed out"));
      setTimeout(tick, 10);
    };
    tick();
  });
}

function testFrame(dst: Uint8Array, src: Uint8Array, type: number, len = 60): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = type >> 8;
  f[13] = type & 0xff;
  return f;
}

describe.skipIf(skip)("PcapWorkerPort on a veth pair with Linux as the peer", () => {
  const lab = new NetnsLab("hw");
  let port: PcapWorkerPort;
  let ns = "";
  let ours = "";
  let linux = "";
  let linuxMac: Uint8Array;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ns = lab.namespace();
    const veth = lab.veth(ns, "10.78.0.1/24");
    ours = veth.ours;
    linux = veth.linux;
    linuxMac = parseMac(veth.linuxMac);
    port = await PcapWorkerPort.open(ours, { linkPollMs: 100, rxSlice: 8 });
  });

  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    port?.close();
    lab.cleanup();
  });

  it("refuses an interface that does not exist with ENODEV", async () => {
    await expect(PcapWorkerPort.open("nx-no-such0")).rejects.toMatchObject({ errno: "ENODEV" });
  });

  it("takes the MAC and link state from the interface", async () => {
    expect(formatMac(port.mac)).toBe(sh("cat", [`/sys/class/net/${ours}/address`]).stdout.trim());
    await waitFor(() => (port.linkUp ? true : undefined), 3000);
  });

  it("receives Linux's ARP request", async () => {
    const arps: Uint8Array[] = [];
    port.onFrame((f, len) => {
      if (len >= 42 && f[12] === 0x08 && f[13] === 0x06) arps.push(new Uint8Array(f.subarray(0, len)));
    });
    const arping = spawn("ip", ["netns", "exec", ns, "arping", "-c", "2", "-I", linux, "10.78.0.2"]);
    children.push(arping);
    const arp = await waitFor(() => arps[0], 5000);
    expect(arp.subarray(0, 6)).toEqual(Uint8Array.of(255, 255, 255, 255, 255, 255));
    expect(arp.subarray(6, 12)).toEqual(linuxMac);
    expect([...arp.subarray(38, 42)]).toEqual([10, 78, 0, 2]);
    expect(port.stats().rxPackets).toBeGreaterThan(0);
  });

  it("injects a frame that Linux's tcpdump sees, and does not receive it back", async () => {
    const dump = spawn("ip", [
      "netns",
      "exec",
      ns,
      "tcpdump",
      "-i",
      linux,
      "-n",
      "-e",
      "-l",
      "-c",
      "1",
      "ether proto 0x88b5",
    ]);
    children.push(dump);
    let out = "";
    let err = "";
    dump.stdout.on("data", (d: Buffer) => (out += d.toString()));
    dump.stderr.on("data", (d: Buffer) => (err += d.toString()));
    await waitFor(() => (err.includes("listening on") ? true : undefined), 5000);
    let echoed = 0;
    port.onFrame((f) => {
      if (f[12] === 0x88 && f[13] === 0xb5) echoed++;
    });
    const f = testFrame(linuxMac, port.mac, 0x88b5);
    const exited = new Promise<number | null>((r) => dump.once("exit", r));
    const resend = setInterval(() => port.send(f), 100);
    const code = await exited;
    clearInterval(resend);
    await new Promise((r) => setTimeout(r, 200));
    expect(code).toBe(0);
    expect(out).toContain(`${formatMac(port.mac)} > ${formatMac(linuxMac)}`);
    expect(echoed).toBe(0);
    expect(port.stats().txPackets).toBeGreaterThan(0);
  });

  it("hands a burst over in slices of at most rxSlice frames per event-loop turn", async () => {
    const BURST = 400;
    let got = 0;
    let inTurn = 0;
    let maxInTurn = 0;
    let turnQueued = false;
    port.onFrame((f) => {
      if (f[12] !== 0x88 || f[13] !== 0xb6) return;
      got++;
      inTurn++;
      maxInTurn = Math.max(maxInTurn, inTurn);
      if (!turnQueued) {
        turnQueued = true;
        setImmediate(() => {
          inTurn = 0;
          turnQueued = false;
        });
      }
    });
    // Linux sends the burst from its end in one go (a raw socket in python3).
    const hex = Buffer.from(testFrame(port.mac, linuxMac, 0x88b6)).toString("hex");
    const py =
      "import socket,sys\n" +
      `s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW);s.bind(("${linux}",0))\n` +
      `f=bytes.fromhex("${hex}")\n` +
      `for _ in range(${BURST}): s.send(f)\n`;
    const slicedBefore = port.slicedTurns;
    sh("ip", ["netns", "exec", ns, "python3", "-c", py]);
    await waitFor(() => (got >= BURST * 0.9 ? true : undefined), 5000);
    expect(maxInTurn).toBeLessThanOrEqual(8);
    expect(port.slicedTurns).toBeGreaterThan(slicedBefore);
  });

  it("ends its capture process on close", async () => {
    const p = await PcapWorkerPort.open(ours, { linkPollMs: 0 });
    const pid = (p as unknown as { child: ChildProcess }).child.pid as number;
    p.close();
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    }, 3000);
    expect(p.linkUp).toBe(false);
  });
});
