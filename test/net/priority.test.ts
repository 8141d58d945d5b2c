// The priority test, functional half (timings are in `npm run bench -- priority`): with en0 at
// receive priority 50 and en1 at 10, a raw flood on en1 must not cost en0 a single ping, and
// the stack must still make progress on en1 (no starvation either way).
import { getPriority } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { NetnsLab, nsExec, parseLinuxPing } from "./lib/netns.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";
import { bootPriorityRig } from "./lib/priority-rig.ts";
import { rawFlood } from "./lib/raw-flood.ts";
import type { Runtime } from "../unit/netutil/runtime.ts";

const skip = requirement("io-pkt receive priorities", {
  "root and network namespaces": canUseNetns(),
  "ping (iputils)": hasCommand("ping"),
  "python3 (raw flood sender)": hasCommand("python3"),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

const T = 60_000;

describe.skipIf(skip)("receive priorities under a flood", () => {
  const lab = new NetnsLab("np");
  let rt: Runtime;
  let nsHi: string;
  let nsLo: string;
  let loLinux = "";
  let loLinuxMac = "";

  beforeAll(async () => {
    const rig = await bootPriorityRig(lab, "10.75.0", "10.76.0", { hi: 50, lo: 10 });
    ({ rt, nsHi, nsLo } = rig);
    loLinux = rig.lo.linux;
    loLinuxMac = rig.lo.linuxMac;
  }, T);

  afterAll(async () => {
    await rt?.shutdown();
    lab.cleanup();
  }, T);

  it("captures the low-priority interface in its own process at the host's lowest CPU priority", async () => {
    const lo = await rt.ok(["nicinfo", "en1"]);
    const m = /Capture \.+ own process \(pid (\d+), nice (\d+)\)/.exec(lo);
    expect(m, lo).not.toBeNull();
    expect(Number(m?.[2])).toBe(19);
    expect(getPriority(Number(m?.[1]))).toBe(19);
    expect(await rt.ok(["nicinfo", "en0"])).toMatch(/Capture \.+ event loop/);
  });

  it("puts the capture process back to nice 0 while too few workers make every interface rx_prio", async () => {
    const captureNice = async () => {
      const m = /Capture \.+ own process \(pid (\d+), nice (\d+)\)/.exec(await rt.ok(["nicinfo", "en1"]));
      expect(getPriority(Number(m?.[1]))).toBe(Number(m?.[2]));
      return Number(m?.[2]);
    };
    const third = lab.veth(lab.namespace(), "10.77.0.1/24");
    // A third interface with two workers: the rule of docs/threading.md puts all at rx_prio.
    await rt.ok(["mount", "-T", "io-pkt", "-o", `if=${third.ours},priority=30`, "devnp-pcap.so"]);
    expect(await rt.ok(["nicinfo", "en1"])).toMatch(/Receive Pulse Priority \.+ 21\n/);
    expect(await captureNice()).toBe(0);
    await rt.ok(["ifconfig", "en2", "destroy"]);
    expect(await rt.ok(["nicinfo", "en1"])).toMatch(/Receive Pulse Priority \.+ 10\n/);
    expect(await captureNice()).toBe(19);
  });

  it(
    "answers every ping on the high-priority interface while the low one is flooded",
    async () => {
      const loMac = /address: (\S+)/.exec(await rt.ok(["ifconfig", "en1"]))?.[1] ?? "";
      await nsExec(nsLo, "ping", ["-c", "2", "-i", "0.1", "-q", "10.76.0.2"]);
      const rxBefore = Number(/Packets Received OK \.+ (\d+)/.exec(await rt.ok(["nicinfo", "en1"]))?.[1]);
      const flood = rawFlood(
        lab,
        nsLo,
        loLinux,
        { dstMac: loMac, srcMac: loLinuxMac, srcIp: "10.76.0.1", dstIp: "10.76.0.2" },
        4,
      );
      await flood.started;
      const r = await nsExec(nsHi, "ping", ["-c", "100", "-i", "0.02", "-W", "10", "-q", "10.75.0.2"], T);
      const sent = await flood.done;
      const p = parseLinuxPing(r.stdout);
      expect(p.tx, r.stdout + r.stderr).toBe(100);
      expect(p.rx).toBe(100);
      const rxAfter = Number(/Packets Received OK \.+ (\d+)/.exec(await rt.ok(["nicinfo", "en1"]))?.[1]);
      expect(sent.sent).toBeGreaterThan(1000);
      expect(rxAfter - rxBefore).toBeGreaterThan(1000);
    },
    T,
  );
});
