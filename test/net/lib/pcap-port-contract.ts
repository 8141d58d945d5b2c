// What every pcap-backed EthPort must do on a real veth pair (our end in the test's network
// namespace with no address, Linux's end in a fresh namespace): take MAC and link state from
// the interface, receive Linux's ARP, and inject a frame Linux's tcpdump sees without getting
// it back. hal-pcap.test.ts (PcapPort) and hal-pcap-worker.test.ts (PcapWorkerPort) run it.
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { EthPort } from "../../../hal/eth/eth-port.ts";
import { formatMac, parseMac } from "../../../hal/eth/mac.ts";
import { NetnsLab, sh } from "./netns.ts";
import { settle } from "../../helpers/wait.ts";

/** The value `get` returns once it returns one, re-asked after each turn of the event loop. */
export async function waitFor<T>(get: () => T | undefined, ms: number): Promise<T> {
  let v: T | undefined;
  await settle(() => (v = get()) !== undefined, "a frame", ms);
  return v as T;
}

export function testFrame(dst: Uint8Array, src: Uint8Array, type: number, len = 60): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = type >> 8;
  f[13] = type & 0xff;
  return f;
}

export interface PcapRig<P extends EthPort> {
  port: P;
  ns: string;
  ours: string;
  linux: string;
  linuxMac: Uint8Array;
  /** Processes to kill when the suite ends. */
  children: ChildProcess[];
}

/** Sets up the veth pair and the port (call inside a describe), and registers the shared cases. */
export function pcapPortContract<P extends EthPort>(
  tag: string,
  subnet: string,
  open: (ifname: string) => P | Promise<P>,
): PcapRig<P> {
  const lab = new NetnsLab(tag);
  const rig = { children: [] as ChildProcess[] } as unknown as PcapRig<P>;

  beforeAll(async () => {
    rig.ns = lab.namespace();
    const veth = lab.veth(rig.ns, `${subnet}.1/24`);
    rig.ours = veth.ours;
    rig.linux = veth.linux;
    rig.linuxMac = parseMac(veth.linuxMac);
    rig.port = await open(rig.ours);
  });

  afterAll(() => {
    for (const c of rig.children) c.kill("SIGKILL");
    rig.port?.close();
    lab.cleanup();
  });

  it("takes the MAC and link state from the interface", async () => {
    expect(formatMac(rig.port.mac)).toBe(sh("cat", [`/sys/class/net/${rig.ours}/address`]).stdout.trim());
    await waitFor(() => (rig.port.linkUp ? true : undefined), 3000);
  });

  it("receives Linux's ARP request", async () => {
    const arps: Uint8Array[] = [];
    rig.port.onFrame((f, len) => {
      if (len >= 42 && f[12] === 0x08 && f[13] === 0x06) arps.push(new Uint8Array(f.subarray(0, len)));
    });
    const target = `${subnet}.2`;
    rig.children.push(spawn("ip", ["netns", "exec", rig.ns, "arping", "-c", "2", "-I", rig.linux, target]));
    const arp = await waitFor(() => arps[0], 5000);
    expect(arp.subarray(0, 6)).toEqual(Uint8Array.of(255, 255, 255, 255, 255, 255));
    expect(arp.subarray(6, 12)).toEqual(rig.linuxMac);
    expect(arp[21]).toBe(1); // opcode: request
    expect([...arp.subarray(38, 42)]).toEqual(target.split(".").map(Number)); // target protocol address
    expect(rig.port.stats().rxPackets).toBeGreaterThan(0);
  });

  it("injects a frame that Linux's tcpdump sees, and does not receive it back", async () => {
    const args = ["netns", "exec", rig.ns, "tcpdump", "-i", rig.linux, "-n", "-e", "-l", "-c", "1"];
    const dump = spawn("ip", [...args, "ether proto 0x88b5"]);
    rig.children.push(dump);
    let out = "";
    let err = "";
    dump.stdout.on("data", (d: Buffer) => (out += d.toString()));
    dump.stderr.on("data", (d: Buffer) => (err += d.toString()));
    await waitFor(() => (err.includes("listening on") ? true : undefined), 5000);
    let echoed = 0;
    rig.port.onFrame((f) => {
      if (f[12] === 0x88 && f[13] === 0xb5) echoed++;
    });
    const f = testFrame(rig.linuxMac, rig.port.mac, 0x88b5);
    const exited = new Promise<number | null>((r) => dump.once("exit", r));
    // tcpdump may need a moment after "listening" before the socket sees frames: resend.
    const resend = setInterval(() => rig.port.send(f), 100);
    const code = await exited;
    clearInterval(resend);
    // A frame of ours coming back would be on the capture before anything Linux sends after
    // tcpdump saw it: wait for one ARP request from Linux instead of waiting for nothing.
    let marker = false;
    rig.port.onFrame((fr) => {
      if (fr[12] === 0x88 && fr[13] === 0xb5) echoed++;
      else if (fr[12] === 0x08 && fr[13] === 0x06) marker = true;
    });
    rig.children.push(
      spawn("ip", ["netns", "exec", rig.ns, "arping", "-c", "3", "-I", rig.linux, `${subnet}.3`]),
    );
    await waitFor(() => (marker ? true : undefined), 5000);
    expect(code).toBe(0);
    expect(out).toContain(`${formatMac(rig.port.mac)} > ${formatMac(rig.linuxMac)}`);
    expect(out).toContain("0x88b5");
    expect(echoed).toBe(0);
    expect(rig.port.stats().txPackets).toBeGreaterThan(0);
  });

  it("keeps receiving after `ip link set … down` and up, reporting the link both ways", async () => {
    const links: boolean[] = [];
    rig.port.onLink((up) => links.push(up));
    sh("ip", ["link", "set", rig.ours, "down"]);
    await waitFor(() => (rig.port.linkUp ? undefined : true), 5000);
    sh("ip", ["link", "set", rig.ours, "up"]);
    await waitFor(() => (rig.port.linkUp ? true : undefined), 5000);
    expect(links).toEqual([false, true]);
    // Linux ARPs for an address only we could answer: its requests must reach us again.
    let arps = 0;
    rig.port.onFrame((f, len) => {
      if (len >= 42 && f[12] === 0x08 && f[13] === 0x06 && f[21] === 1) arps++;
    });
    rig.children.push(
      spawn("ip", [
        "netns",
        "exec",
        rig.ns,
        "arping",
        "-c",
        "20",
        "-i",
        "0.2",
        "-I",
        rig.linux,
        `${subnet}.3`,
      ]),
    );
    await waitFor(() => (arps > 0 ? true : undefined), 5000);
  });

  return rig;
}
