import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { parseIoPktArgs } from "../../../firmware/net/manager/command-line.ts";
import { applyTcpipOptions, defaultTcpipOptions } from "../../../firmware/net/manager/tcpip-options.ts";
import { interfaceName, standardDriverOptions } from "../../../firmware/net/drivers/driver-options.ts";
import { errnoOf, startIoPkt, withClient } from "./harness.ts";

describe("io-pkt command line", () => {
  it("parses repeated -d/-p with option strings, and -t -P -i -v", () => {
    const a = parseIoPktArgs([
      "-d",
      "vwire",
      "hub=a,priority=50",
      "-d",
      "pcap",
      "-p",
      "tcpip",
      "prefix=/alt",
      "-t2",
      "-P",
      "30",
      "-i",
      "1",
      "-v",
    ]);
    expect(a.drivers).toMatchObject([
      { name: "vwire", options: "hub=a,priority=50" },
      { name: "pcap", options: "" },
    ]);
    expect(a.protocols).toMatchObject([{ name: "tcpip", options: "prefix=/alt" }]);
    expect([a.threads, a.priority, a.instance, a.verbose]).toEqual([2, 30, 1, true]);
  });

  it("takes joined options as QNX scripts write them (-dmx6x, -ptcpip, -vv), with positions", () => {
    const a = parseIoPktArgs(["-dvwire", "hub=a", "-ptcpip", "-vv", "-p", "tcpip", "prefix=/x"]);
    expect(a.drivers).toEqual([
      { name: "vwire", options: "hub=a", nameAt: { arg: 0, offset: 2 }, optionsArg: 1 },
    ]);
    expect(a.protocols).toEqual([
      { name: "tcpip", options: "", nameAt: { arg: 2, offset: 2 } },
      { name: "tcpip", options: "prefix=/x", nameAt: { arg: 5, offset: 0 }, optionsArg: 6 },
    ]);
    expect(a.verbose).toBe(true);
    expect(() => parseIoPktArgs(["-vx"])).toThrow("unknown option -vx");
  });

  it.each([
    [["-t"], "option -t requires an argument"],
    [["-t", "x"], "option -t requires a number"],
    [["-d"], "option -d requires an argument"],
    [["-d", "-t", "1"], "option -d requires a module name"],
    [["-q"], "unknown option -q"],
    [["vwire"], 'unexpected argument "vwire"'],
  ])("rejects %j", (args, msg) => {
    expect(() => parseIoPktArgs(args)).toThrow(msg);
  });

  it("tcpip: an unknown option is reported as the reference logs it; known ones apply", () => {
    const o = defaultTcpipOptions();
    const notes = applyTcpipOptions(o, "prefix=/alt/,rx_pulse_prio=30,bogus=1,forward");
    expect(notes).toEqual(['tcpip: unrecognized option "bogus"']);
    expect([o.prefix, o.rxPrio, o.forward]).toEqual(["/alt", 30, true]);
  });

  it("tcpip: known options with nothing to apply to here are said to be ignored, and why", () => {
    const o = defaultTcpipOptions();
    expect(
      applyTcpipOptions(o, "forward6,somaxconn=128,reuseport_unicast,fastforward=0,threads_max=8"),
    ).toEqual([
      "tcpip: fastforward=0 ignored: forwarding has one path here, the fast one",
      "tcpip: forward6 ignored: this stack has no IPv6",
      "tcpip: somaxconn ignored: this stack has no TCP sockets",
      "tcpip: reuseport_unicast ignored: this stack has no UDP sockets",
    ]);
    expect(o.threadsMax).toBe(8);
    expect(applyTcpipOptions(o, "fastforward")).toEqual([]);
  });

  it("standard driver options: one record for every driver; name= and lan= choose the name", () => {
    const std = standardDriverOptions({ mac: "02aabbccddee", priority: 50, name: "wl", promiscuous: true });
    expect(std.mac).toBe(0x02aabbccddee);
    expect(std.priority).toBe(50);
    expect(std.promiscuous).toBe(true);
    expect(interfaceName(std, (n) => n === "wl0")).toBe("wl1");
    expect(interfaceName({ ...std, name: "uplink0" }, () => false)).toBe("uplink0");
    expect(interfaceName({ ...std, name: undefined, lan: 3 }, () => false)).toBe("en3");
  });
});

describe("io-pkt option errors at run time", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  it("a driver option without its value fails the driver, not io-pkt", async () => {
    k = new Kernel({ nodeName: "t" });
    const r = await startIoPkt(k, [
      "-d",
      "vwire",
      "hub=e0,mtu",
      "-d",
      "vwire",
      "hub=e1,priorty=3",
      "-p",
      "tcpip",
      "bogus",
      "-t",
      "1",
    ]);
    expect(r.state).toBe("detached");
    const err = r.stderr.join("");
    expect(err).toContain("io-pkt: Unable to load devnp-vwire.so: Option mtu requires an argument");
    expect(err).toContain('Unknown option "priorty" for devnp-vwire');
    expect(k.slog.entries().some((e) => e.text === 'tcpip: unrecognized option "bogus"')).toBe(true);
    const names = await withClient(k, "", async (nc) => (await nc.interfaces()).map((i) => i.name));
    expect(names).toEqual(["lo0"]);
    const e = await withClient(k, "", (nc) =>
      nc.loadModule("vwire", "hub=e2,speed").catch((x) => [errnoOf(x), String(x)]),
    );
    expect(e[0]).toBe("EINVAL");
    expect(e[1]).toContain("Option speed requires an argument");
  });

  it("a bad command line prints the usage and exits 1", async () => {
    k = new Kernel({ nodeName: "t" });
    const r = await startIoPkt(k, ["-t"]);
    expect(r.state).toBe("exited");
    expect(await r.process.wait()).toBe(1);
    expect(r.stderr.join("")).toContain("usage: io-pkt");
  });

  it("a missing driver names the module", async () => {
    k = new Kernel({ nodeName: "t" });
    const r = await startIoPkt(k, ["-d", "e1000", "-t", "1"]);
    expect(r.stderr.join("")).toContain(
      "Unable to load devnp-e1000.so: devnp-e1000 is not built in, and there is no devnp-e1000.js in /lib/dll, /proc/boot, /usr/lib/dll",
    );
    // Logged once, by io-pkt, as QNX's io-pkt logs it.
    expect(k.slog.entries().filter((e) => e.text.includes("Unable to load devnp-e1000.so"))).toHaveLength(1);
  });
});
