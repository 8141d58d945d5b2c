// PcapWorkerPort (libpcap in a capture process) on a real veth pair: our end in the test's
// network namespace with no address, Linux's end in a fresh namespace with 10.78.0.1/24.
// Linux's arping must arrive, a frame we inject must show up in Linux's tcpdump and must not
// come back to us, and a burst must reach the driver in bounded slices.
import { getPriority } from "node:os";
import { describe, expect, it } from "vitest";
import { PcapWorkerPort } from "../../hal/eth/pcap-worker-port.ts";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { sh } from "./lib/netns.ts";
import { pcapPortContract, testFrame, waitFor } from "./lib/pcap-port-contract.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";

const skip = requirement("hal-pcap-worker", {
  "root and network namespaces": canUseNetns(),
  "arping (iputils)": hasCommand("arping"),
  tcpdump: hasCommand("tcpdump"),
  python3: hasCommand("python3"),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

describe.skipIf(skip)("PcapWorkerPort on a veth pair with Linux as the peer", () => {
  const rig = pcapPortContract("hw", "10.78.0", (ifname) =>
    PcapWorkerPort.open(ifname, { linkPollMs: 100, rxSlice: 8 }),
  );

  it("refuses an interface that does not exist with ENODEV", async () => {
    await expect(PcapWorkerPort.open("nx-no-such0")).rejects.toMatchObject({ errno: "ENODEV" });
  });

  it("hands a burst over in slices of at most rxSlice frames per event-loop turn", async () => {
    const BURST = 400;
    let got = 0;
    let inTurn = 0;
    let maxInTurn = 0;
    let turnQueued = false;
    rig.port.onFrame((f) => {
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
    const hex = Buffer.from(testFrame(rig.port.mac, rig.linuxMac, 0x88b6)).toString("hex");
    const py =
      "import socket,sys\n" +
      `s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW);s.bind(("${rig.linux}",0))\n` +
      `f=bytes.fromhex("${hex}")\n` +
      `for _ in range(${BURST}): s.send(f)\n`;
    const slicedBefore = rig.port.slicedTurns;
    sh("ip", ["netns", "exec", rig.ns, "python3", "-c", py]);
    await waitFor(() => (got >= BURST * 0.9 ? true : undefined), 5000);
    expect(maxInTurn).toBeLessThanOrEqual(8);
    expect(rig.port.slicedTurns).toBeGreaterThan(slicedBefore);
  });

  it("runs the capture process at the niceness asked for, and refuses one out of range", async () => {
    const p = await PcapWorkerPort.open(rig.ours, { linkPollMs: 0, nice: 19 });
    try {
      expect(p.nice).toBe(19);
      expect(getPriority(p.capturePid)).toBe(19);
      // Back down (root has CAP_SYS_NICE), and never below the runtime's own niceness.
      expect(p.setNice(5)).toBe(Math.max(5, getPriority()));
      expect(getPriority(p.capturePid)).toBe(p.nice);
      expect(() => p.setNice(-1)).toThrow(/out of range/);
    } finally {
      p.close();
    }
    await expect(PcapWorkerPort.open(rig.ours, { nice: 20 })).rejects.toMatchObject({ errno: "EINVAL" });
  });

  it("ends its capture process on close", async () => {
    const p = await PcapWorkerPort.open(rig.ours, { linkPollMs: 0 });
    const pid = p.capturePid;
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
