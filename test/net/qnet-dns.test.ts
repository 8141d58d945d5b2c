// lsm-qnet resolve=dns with Linux as the network: alpha (10.62.1.2) and bravo (10.62.2.2) run
// Qnet over IP (bind=ip, protocol 106) on two veths into one namespace, where Linux routes
// between the two subnets and dnsmasq serves the nodes' names. Neither node has a static table
// or the LAN resolver: alpha reaches /net/bravo because dnsmasq answered bravo.m12lab, and a
// name dnsmasq does not know is ENOENT.
// Needs root (namespaces), dnsmasq (Debian: dnsmasq-base), ethtool and node-pcap with libpcap.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ramfs } from "../../firmware/fs/ramfs.ts";
import { startManager } from "../../firmware/resmgr/start-manager.ts";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { NetnsLab, printed, sh } from "./lib/netns.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";
import { Runtime } from "../unit/netutil/runtime.ts";

const skip = requirement("lsm-qnet resolve=dns against dnsmasq", {
  "root and network namespaces": canUseNetns(),
  "dnsmasq (dnsmasq-base)": hasCommand("dnsmasq"),
  ethtool: hasCommand("ethtool"),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

const T = 60_000;
const DOMAIN = "m12lab";
const TEXT = "resolved by dnsmasq, routed by Linux\n".repeat(200);

describe.skipIf(skip)("lsm-qnet resolve=dns with dnsmasq and a Linux router", () => {
  const lab = new NetnsLab("m12d");
  let alpha: Runtime;
  let bravo: Runtime;
  let dnsLog = "";

  /** A runtime with /etc on a ramfs (resolv.conf), io-pkt on `ifname` and Qnet over IP. */
  async function node(name: string, ifname: string, addr: string, gw: string): Promise<Runtime> {
    const rt = await Runtime.boot(name);
    await startManager(rt.kernel, { name: "etc" }, (rm) => new Ramfs(rm).mount("/etc"));
    await rt.writeFile("/etc/resolv.conf", `nameserver ${gw}\n`);
    await rt.startIoPkt(["-d", "pcap", `if=${ifname}`]);
    await rt.ok(["ifconfig", "en0", `${addr}/24`]);
    await rt.ok(["route", "add", "default", gw]);
    await rt.ok([
      "mount",
      "-T",
      "io-pkt",
      "-o",
      `bind=ip,resolve=dns,auto_add=0,domain=${DOMAIN}`,
      "lsm-qnet",
    ]);
    return rt;
  }

  beforeAll(async () => {
    const ns = lab.namespace();
    const a = lab.veth(ns, "10.62.1.1/24");
    const b = lab.veth(ns, "10.62.2.1/24");
    // veth leaves UDP checksums to "hardware": what devnp-pcap reads must carry real ones.
    for (const v of [a, b]) sh("ip", ["netns", "exec", ns, "ethtool", "-K", v.linux, "tx", "off"]);
    sh("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    const dnsmasq = lab.background(ns, "dnsmasq", [
      "--keep-in-foreground",
      "--log-facility=-",
      "--log-queries",
      "--conf-file=/dev/null",
      "--no-resolv",
      "--no-hosts",
      "--pid-file=",
      `--interface=${a.linux}`,
      `--interface=${b.linux}`,
      "--bind-interfaces",
      `--local=/${DOMAIN}/`,
      `--host-record=alpha.${DOMAIN},10.62.1.2`,
      `--host-record=bravo.${DOMAIN},10.62.2.2`,
    ]);
    dnsmasq.stderr?.on("data", (d: Buffer) => (dnsLog += d.toString()));
    await printed(dnsmasq, /started, version/);
    [alpha, bravo] = await Promise.all([
      node("alpha", a.ours, "10.62.1.2", "10.62.1.1"),
      node("bravo", b.ours, "10.62.2.2", "10.62.2.1"),
    ]);
    await bravo.writeFile("/tmp/greeting", TEXT);
  }, T);

  afterAll(async () => {
    await alpha?.shutdown();
    await bravo?.shutdown();
    lab.cleanup();
  }, T);

  it(
    "alpha reads bravo's files by a name only dnsmasq knows, through the Linux router",
    async () => {
      expect(await alpha.ok(["ls", "/net/bravo/tmp"])).toMatch(/greeting/);
      expect(await alpha.ok(["cat", `/net/bravo.${DOMAIN}/tmp/greeting`])).toBe(TEXT);
      expect(dnsLog).toMatch(new RegExp(`query\\[A\\] bravo\\.${DOMAIN} from 10\\.62\\.1\\.2`));
      // bravo learned alpha from alpha's own frames and writes back without asking DNS.
      await bravo.ok(["cp", "/net/bravo/tmp/greeting", "/net/alpha/tmp/copy"]);
      expect(await alpha.ok(["cat", "/tmp/copy"])).toBe(TEXT);
      expect((await alpha.ok(["ls", "/net"])).split(/\s+/)).toEqual(
        expect.arrayContaining(["alpha", "bravo"]),
      );
    },
    T,
  );

  it(
    "a name dnsmasq answers with NXDOMAIN is ENOENT",
    async () => {
      const r = await alpha.sh(["ls", "/net/charlie/dev"]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/No such file or directory/);
      expect(dnsLog).toMatch(new RegExp(`query\\[A\\] charlie\\.${DOMAIN} from 10\\.62\\.1\\.2`));
    },
    T,
  );
});
