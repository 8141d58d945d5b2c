// PcapPort on a real veth pair: our end in the test's network namespace with no address,
// Linux's end in a fresh namespace with 10.77.0.1/24. Linux's arping must arrive through
// libpcap, and a frame we inject must show up in Linux's tcpdump.
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PcapPort } from "../../hal/eth/pcap-port.ts";
import { formatMac, parseMac } from "../../hal/eth/mac.ts";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { NetnsLab, sh } from "./lib/netns.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";

const skip = requirement("hal-pcap", {
  "root and network namespaces": canUseNetns(),
  "arping (iputils)": hasCommand("arping"),
  tcpdump: hasCommand("tcpdump"),
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

describe.skipIf(skip)("PcapPort on a veth pair with Linux as the peer", () => {
  const lab = new NetnsLab("hp");
  let port: PcapPort;
  let ns = "";
  let ours = "";
  let linux = "";
  let linuxMac: Uint8Array;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    ns = lab.namespace();
    const veth = lab.veth(ns, "10.77.0.1/24");
    ours = veth.ours;
    linux = veth.linux;
    linuxMac = parseMac(veth.linuxMac);
    port = PcapPort.open(ours, { linkPollMs: 100 });
  });

  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    port?.close();
    lab.cleanup();
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
    const arping = spawn("ip", ["netns", "exec", ns, "arping", "-c", "2", "-I", linux, "10.77.0.2"]);
    children.push(arping);
    const arp = await waitFor(() => arps[0], 5000);
    expect(arp.subarray(0, 6)).toEqual(Uint8Array.of(255, 255, 255, 255, 255, 255));
    expect(arp.subarray(6, 12)).toEqual(linuxMac);
    expect(arp[21]).toBe(1); // opcode: request
    expect([...arp.subarray(38, 42)]).toEqual([10, 77, 0, 2]); // target protocol address
    expect(port.stats().rxPackets).toBeGreaterThan(0);
  });

  it("injects a frame that Linux's tcpdump sees", async () => {
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
    const f = new Uint8Array(60);
    f.set(linuxMac, 0);
    f.set(port.mac, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    const exited = new Promise<number | null>((r) => dump.once("exit", r));
    // tcpdump may need a moment after "listening" before the socket sees frames: resend.
    const resend = setInterval(() => port.send(f), 100);
    const code = await exited;
    clearInterval(resend);
    expect(code).toBe(0);
    expect(out).toContain(`${formatMac(port.mac)} > ${formatMac(linuxMac)}`);
    expect(out).toContain("0x88b5");
  });
});
