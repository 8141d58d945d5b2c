// dhcp.client against dnsmasq in a network namespace: our node gets a lease (address, netmask,
// default route, name servers, domain), a name dnsmasq serves resolves through our resolver
// (ping by name), the lease is renewed at T1, and SIGTERM releases it.
// Needs root (namespaces), dnsmasq (Debian: dnsmasq-base), ethtool and node-pcap with libpcap.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Process } from "../../firmware/kernel/process.ts";
import { canUseNetns, hasCommand, requirement, uniqueName } from "../helpers/requirements.ts";
import { settle, Signal } from "../helpers/wait.ts";
import { NetnsLab, sh } from "./lib/netns.ts";
import type { VethPair } from "./lib/netns.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";
import { Runtime, type RunResult } from "../unit/netutil/runtime.ts";

const skip = requirement("dhcp.client against dnsmasq", {
  "root and network namespaces": canUseNetns(),
  "dnsmasq (dnsmasq-base)": hasCommand("dnsmasq"),
  ethtool: hasCommand("ethtool"),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

const LINUX = "10.93.0.1";
const T = 60_000;
const ENV = { RESOLV_CONF: "/tmp/resolv.conf" };

describe.skipIf(skip)("dhcp.client with dnsmasq as the server", () => {
  const lab = new NetnsLab("j10dhcp");
  let rt: Runtime;
  let ns: string;
  let veth: VethPair;
  let dnsmasqLog = "";
  // Waits are on events: dnsmasq's log lines and our system log, then the runtime's own answers.
  const logged = new Signal();
  /** Resolves once dnsmasq's log satisfies `cond`. */
  const inLog = (cond: (log: string) => boolean, what: string, ms = 30_000) =>
    logged.until(() => cond(dnsmasqLog), what, ms);
  let client: Promise<RunResult>;
  let proc: Process | null = null;
  let leased = "";
  const leaseFile = `/tmp/${uniqueName("j10dhcp")}.leases`;

  beforeAll(async () => {
    ns = lab.namespace();
    veth = lab.veth(ns, `${LINUX}/24`);
    // veth leaves checksums to "hardware": what devnp-pcap reads must carry real ones.
    sh("ip", ["netns", "exec", ns, "ethtool", "-K", veth.linux, "tx", "off"]);
    const dnsmasq = lab.background(ns, "dnsmasq", [
      "--keep-in-foreground",
      "--log-facility=-",
      "--log-dhcp",
      "--conf-file=/dev/null",
      "--no-resolv",
      "--no-hosts",
      "--pid-file=",
      `--dhcp-leasefile=${leaseFile}`,
      `--interface=${veth.linux}`,
      "--bind-interfaces",
      "--dhcp-authoritative",
      // Two addresses, and no ping before offering one: the DECLINE test below needs dnsmasq to
      // offer an address that Linux holds.
      "--dhcp-range=10.93.0.50,10.93.0.51,255.255.255.0,2m",
      "--no-ping",
      `--dhcp-option=option:router,${LINUX}`,
      `--dhcp-option=option:dns-server,${LINUX}`,
      "--dhcp-option=option:domain-name,j10lan",
      // Short renewal times so the test sees a renewal (the lease itself is dnsmasq's minimum).
      "--dhcp-option=option:T1,3",
      "--dhcp-option=option:T2,6",
      "--domain=j10lan",
      `--host-record=web.j10lan,${LINUX}`,
    ]);
    dnsmasq.stderr?.on("data", (d: Buffer) => {
      dnsmasqLog += d.toString();
      logged.notify();
    });
    await inLog((l) => l.includes("DHCP, IP range"), "dnsmasq to start");
    rt = await Runtime.boot();
    rt.kernel.slog.subscribe(logged.notify);
    await rt.startIoPkt(["-d", "pcap", `if=${veth.ours}`]);
  }, T);

  afterAll(async () => {
    if (proc !== null && !proc.exited) proc.signal("SIGKILL");
    await rt?.shutdown();
    lab.cleanup();
    sh("rm", ["-f", leaseFile], { check: false });
  }, T);

  it(
    "gets a lease: the address and default route show in ifconfig and netstat -rn, resolv.conf names dnsmasq",
    async () => {
      client = rt.sh(["dhcp.client", "-i", "en0", "-h", "j10board"], {
        env: ENV,
        onStart: (p) => (proc = p),
      });
      await inLog((l) => /DHCPACK\(\S+\) 10\.93\.0\.5[01] /.test(l), "dnsmasq's DHCPACK");
      let ifc = "";
      await settle(
        async () => /inet 10\.93\.0\.5[01] /.test((ifc = await rt.ok(["ifconfig", "en0"]))),
        "the leased address on en0",
      );
      expect(ifc).toMatch(/inet 10\.93\.0\.5[01] netmask 0xffffff00 broadcast 10\.93\.0\.255/);
      leased = (/inet (\S+) /.exec(ifc) as RegExpExecArray)[1];
      const routes = await rt.ok(["netstat", "-rn"]);
      expect(routes).toMatch(new RegExp(`default\\s+${LINUX.replace(/\./g, "\\.")}\\s+UG`));
      const rc = await rt.ok(["cat", "/tmp/resolv.conf"]);
      expect(rc).toContain("search j10lan\n");
      expect(rc).toContain(`nameserver ${LINUX}\n`);
      expect(rt.kernel.hostname).toBe("j10board");
      expect(dnsmasqLog).toMatch(/DHCPACK\(\S+\) 10\.93\.0\.\d+ \S+ j10board/);
    },
    T,
  );

  it(
    "a name dnsmasq serves resolves through our resolver: ping web.j10lan",
    async () => {
      const out = await rt.ok(["ping", "-c", "1", "web.j10lan"], { env: ENV });
      expect(out).toContain(`PING web.j10lan (${LINUX})`);
      expect(out).toMatch(/1 packets transmitted, 1 packets received/);
    },
    T,
  );

  it(
    "renews the lease at T1 (a unicast REQUEST dnsmasq acknowledges)",
    async () => {
      const acks = () => dnsmasqLog.match(/DHCPACK\(/g)?.length ?? 0;
      const before = acks();
      await inLog(() => acks() > before, "a renewal's DHCPACK", 20_000);
      expect(dnsmasqLog).toMatch(/DHCPREQUEST\(\S+\) 10\.93\.0\.\d+ /);
      const renewed = () => rt.kernel.slog.entries().some((e) => /dhcp\.client en0: renewed/.test(e.text));
      await logged.until(renewed, "dhcp.client to log the renewal");
    },
    T,
  );

  it(
    "SIGTERM releases the lease and removes the address",
    async () => {
      (proc as unknown as Process).signal("SIGTERM");
      const r = await client;
      expect(r.status, r.stderr).toBe(0);
      await inLog((l) => l.includes("DHCPRELEASE("), "dnsmasq to see the DHCPRELEASE");
      expect(await rt.ok(["ifconfig", "en0"])).not.toMatch(/inet 10\.93\.0\./);
    },
    T,
  );

  it(
    "declines an address another host answers ARP for (DHCPDECLINE) and takes the next; -u detaches once configured",
    async () => {
      // The address we had is Linux's now; dnsmasq offers it to us again (it does not ping), our
      // ARP probe finds Linux answering for it, and we decline it.
      sh("ip", ["-n", ns, "addr", "add", `${leased}/24`, "dev", veth.linux]);
      let p2: Process | null = null;
      const c = rt.sh(["dhcp.client", "-i", "en0", "-u"], { env: ENV, onStart: (p) => (p2 = p) });
      await inLog((l) => l.includes(`DHCPDECLINE(${veth.linux}) ${leased} `), "the DHCPDECLINE", 20_000);
      // Every earlier DHCPACK was for `leased`: one for another address is the next lease.
      const acked = (l: string) =>
        [...l.matchAll(/DHCPACK\(\S+\) (10\.93\.0\.5[01]) /g)].some((m) => m[1] !== leased);
      await inLog(acked, "a DHCPACK for another address", 30_000);
      let now = "";
      await settle(async () => {
        now = /inet (\S+) /.exec(await rt.ok(["ifconfig", "en0"]))?.[1] ?? "";
        return now !== "" && now !== leased;
      }, "the next address on en0");
      expect(now).toMatch(/^10\.93\.0\.5[01]$/);
      await settle(() => (p2 as Process | null)?.detached === true, "dhcp.client -u to detach");
      const inUse = `dhcp.client en0: ${leased} is in use by ${veth.linuxMac}`;
      expect(rt.kernel.slog.entries().some((e) => e.text === inUse)).toBe(true);
      (p2 as unknown as Process).signal("SIGTERM");
      expect((await c).status).toBe(0);
    },
    T,
  );

  it(
    "names what is wrong: an unknown interface is exit status 2",
    async () => {
      const r = await rt.sh(["dhcp.client", "-i", "en9", "-I", "0"], { env: ENV });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe("dhcp.client: en9: interface not found\n");
      const bad = await rt.sh(["dhcp.client", "-s", "nowhere"], { env: ENV });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain("-s takes an IPv4 address, not 'nowhere'");
    },
    T,
  );
});
