import { describe, expect, it } from "vitest";
import { formatIfconfig, formatIfList, hexMask } from "../../../firmware/bin/lib/net-ifconfig-format.ts";
import { formatRouteGet, formatRouteTable, routeLine } from "../../../firmware/bin/lib/net-route-format.ts";
import { formatNetstatInterfaces, formatNetstatStats } from "../../../firmware/bin/lib/net-netstat-format.ts";
import { dotLine, formatNicinfo, nodeId } from "../../../firmware/bin/lib/net-nicinfo-format.ts";
import { formatArpEntry } from "../../../firmware/bin/lib/net-arp-format.ts";
import {
  formatSysctl,
  formatSysctlSet,
  splitAssignment,
} from "../../../firmware/bin/lib/net-sysctl-format.ts";
import { en0, ip, lo0, routes } from "./fixtures.ts";

describe("ifconfig output", () => {
  it("prints an Ethernet interface as NetBSD does, aliases marked", () => {
    expect(formatIfconfig(en0())).toBe(
      [
        "en0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500",
        "\taddress: 00:11:22:33:44:55",
        "\tmedia: Ethernet autoselect (1000baseT full-duplex)",
        "\tstatus: active",
        "\tinet 192.168.1.100 netmask 0xffffff00 broadcast 192.168.1.255",
        "\tinet alias 192.168.1.101 netmask 0xffffff00 broadcast 192.168.1.255",
        "",
      ].join("\n"),
    );
  });

  it("prints lo0 without address, media or broadcast", () => {
    expect(formatIfconfig(lo0())).toBe(
      "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 33192\n\tinet 127.0.0.1 netmask 0xff000000\n",
    );
  });

  it("says no carrier when the link is down", () => {
    const i = { ...en0(), linkUp: false, flags: 0x8802, addrs: [] };
    expect(formatIfconfig(i)).toContain("\tstatus: no carrier\n");
    expect(formatIfconfig(i)).toMatch(/^en0: flags=8802<BROADCAST,SIMPLEX,MULTICAST> mtu 1500\n/);
  });

  it.each([
    [0, "0x00000000"],
    [8, "0xff000000"],
    [24, "0xffffff00"],
    [30, "0xfffffffc"],
    [32, "0xffffffff"],
  ])("netmask /%i is %s", (len, text) => {
    expect(hexMask(len)).toBe(text);
  });

  it("lists names with -l, -u and -d", () => {
    const down = { ...en0(), name: "en1", flags: 0x8802 };
    expect(formatIfList([lo0(), en0(), down])).toBe("lo0 en0 en1\n");
    expect(formatIfList([lo0(), en0(), down], "up")).toBe("lo0 en0\n");
    expect(formatIfList([lo0(), en0(), down], "down")).toBe("en1\n");
  });
});

describe("routing table output", () => {
  it("prints netstat -rn columns, flags and short network names", () => {
    const out = formatRouteTable(routes());
    const rows = out.split("\n");
    expect(rows.slice(0, 3)).toEqual(["Routing tables", "", "Internet:"]);
    expect(rows[3]).toBe("Destination        Gateway            Flags    Refs      Use    Mtu  Interface");
    expect(rows[4]).toBe("default            192.168.1.1        UGS         0        0      -  en0");
    expect(rows[5]).toBe("127/8              127.0.0.1          U           0        0  33192  lo0");
    expect(rows[6]).toBe("192.168.1/24       link#2             UC          0        7      -  en0");
    expect(rows[7]).toBe("10.9.8.7           192.168.1.254      UGHS        0        0      -  en0");
  });

  it("keeps columns aligned under long names", () => {
    const r = { ...routes()[0], ifname: "en0", use: 123456789 };
    const line = routeLine(r);
    expect(line.indexOf("UGS")).toBe(38);
  });

  it("prints route get", () => {
    const r = routes()[0];
    const out = formatRouteGet({
      dst: ip("8.8.8.8"),
      route: r,
      gateway: ip("192.168.1.1"),
      ifname: "en0",
      src: ip("192.168.1.100"),
      mtu: 1500,
    });
    expect(out).toContain("   route to: 8.8.8.8\n");
    expect(out).toContain("destination: default\n");
    expect(out).toContain("    gateway: 192.168.1.1\n");
    expect(out).toContain("  interface: en0\n");
    expect(out).toContain("      flags: <UP,GATEWAY,STATIC>\n");
    expect(out.trimEnd().split("\n").at(-1)?.trim().split(/\s+/)).toEqual([
      "0",
      "0",
      "0",
      "0",
      "0",
      "0",
      "1500",
      "0",
    ]);
  });

  it("omits the gateway line for a connected route", () => {
    const r = routes()[2];
    const out = formatRouteGet({
      dst: ip("192.168.1.7"),
      route: r,
      gateway: 0,
      ifname: "en0",
      src: 0,
      mtu: 1500,
    });
    expect(out).not.toContain("gateway:");
    expect(out).toContain("       mask: 255.255.255.0\n");
  });
});

describe("netstat -i and -s", () => {
  it("prints a link line and an address line per address; down interfaces get a star", () => {
    const down = { ...en0(), name: "en1", flags: 0x8802, addrs: [] };
    const out = formatNetstatInterfaces([lo0(), en0(), down]).split("\n");
    expect(out[0]).toBe(
      "Name  Mtu   Network       Address              Ipkts Ierrs Idrop    Opkts Oerrs Colls",
    );
    expect(out[1]).toBe(
      "lo0   33192 <Link>                                 0     0     0        0     0     0",
    );
    expect(out[2]).toBe(
      "lo0   33192 127/8         127.0.0.1                0     0     0        0     0     0",
    );
    expect(out[3]).toBe(
      "en0   1500  <Link>        00:11:22:33:44:55       12     0     0       10     0     0",
    );
    expect(out[4]).toBe(
      "en0   1500  192.168.1/24  192.168.1.100           12     0     0       10     0     0",
    );
    // The counters end under the header's column titles.
    expect(out[1].length).toBe(out[0].length);
    expect(out[6]).toMatch(/^en1\* {2}1500 {2}<Link>/);
  });

  it("prints protocol counters with BSD wording and the ICMP histograms", () => {
    const inhist = new Array(41).fill(0);
    inhist[8] = 5;
    const outhist = new Array(41).fill(0);
    outhist[0] = 5;
    outhist[11] = 1;
    const out = formatNetstatStats({
      ip: { total: 10, badsum: 1, delivered: 9 },
      icmp: { error: 1, reflect: 5, inhist, outhist },
      arp: { txrequests: 1 },
      ether: { frames: 12, notforus: 2 },
    });
    expect(out).toContain("ip:\n\t10 total packets received\n\t1 bad header checksum\n");
    expect(out).toContain("\t9 packets for this host\n");
    expect(out).toContain(
      "icmp:\n\t1 call to icmp_error\n\tOutput histogram:\n\t\techo reply: 5\n\t\ttime exceeded: 1\n",
    );
    expect(out).toContain("\tInput histogram:\n\t\techo: 5\n\t5 message responses generated\n");
    expect(out).toContain("arp:\n\t1 request sent\n");
    expect(out).toContain("ether:\n\t12 frames received\n\t2 frames not for us\n");
  });

  it("shows input drops in the Idrop column, under its title", () => {
    const flooded = { ...en0(), counters: { ...en0().counters, iqdrops: 4321, ierrors: 2 } };
    const [head, link] = formatNetstatInterfaces([flooded]).split("\n");
    expect(link).toBe(
      "en0   1500  <Link>        00:11:22:33:44:55       12     2  4321       10     0     0",
    );
    expect(link.indexOf("4321") + 4).toBe(head.indexOf("Idrop") + 5);
  });

  it("limits to one protocol with -p", () => {
    const out = formatNetstatStats({ ip: { total: 1 }, icmp: {}, arp: { txrequests: 1 }, ether: {} }, "arp");
    expect(out).toBe("arp:\n\t1 request sent\n");
  });
});

describe("nicinfo", () => {
  it("puts values at column 47 after dot leaders", () => {
    const line = dotLine("Physical Node ID", "000bdb e5eec6");
    expect(line).toBe("  Physical Node ID ........................... 000bdb e5eec6\n");
    expect(line.indexOf("000bdb")).toBe(47);
    expect(dotLine("Active PHY address", 1, 4).indexOf("1")).toBe(47);
  });

  it("spells the node ID in two groups", () => {
    expect(nodeId(0x000bdbe5eec6)).toBe("000bdb e5eec6");
  });

  it("prints counters and link state", () => {
    const out = formatNicinfo(en0());
    expect(out.startsWith("en0:\n  devnp-pcap Ethernet Controller\n\n  Link is UP\n")).toBe(true);
    expect(out).toContain(dotLine("Packets Received OK", 12));
    expect(out).toContain(dotLine("Bytes Transmitted OK", 980));
    expect(out).toContain(dotLine("Maximum Transmittable data Unit", 1500));
    // Without a driver's breakdown, only the totals.
    expect(out).not.toContain("Receive Ring Overruns");
  });

  it("breaks receive drops down by where they happened, under the total", () => {
    const v = {
      ...en0(),
      counters: { ...en0().counters, iqdrops: 1 + 20 + 3 + 400 + 5 + 7 },
      rxDrops: { hostIf: 1, ring: 20, port: 3, queue: 400, nobufs: 5 },
    };
    const out = formatNicinfo(v);
    const block =
      dotLine("Packets Dropped on Receive", 436) +
      dotLine("Dropped by Host Interface", 1, 4) +
      dotLine("Receive Ring Overruns", 20, 4) +
      dotLine("Dropped by Port", 3, 4) +
      dotLine("Receive Queue Overflows", 400, 4) +
      dotLine("Memory Allocation Failures on Receive", 5, 4);
    expect(out).toContain(block);
    expect(block.split("\n").every((l) => l === "" || l.indexOf(" ", 46) === 46)).toBe(true);
  });
});

describe("arp -a", () => {
  it.each([
    [
      { mac: 0x020000000002, state: "REACHABLE", expiresInSec: 1195, published: false },
      "? (10.0.0.2) at 02:00:00:00:00:02 on en0 expires in 1195 seconds [ethernet]\n",
    ],
    [
      { mac: -1, state: "INCOMPLETE", expiresInSec: 3, published: false },
      "? (10.0.0.2) at (incomplete) on en0 expired [ethernet]\n",
    ],
    [
      { mac: 0x020000000002, state: "PERMANENT", expiresInSec: 0, published: true },
      "? (10.0.0.2) at 02:00:00:00:00:02 on en0 permanent published [ethernet]\n",
    ],
  ])("formats %o", (e, text) => {
    expect(formatArpEntry({ ip: ip("10.0.0.2"), ifname: "en0", ...e })).toBe(text);
  });
});

describe("sysctl", () => {
  it("prints name = value, or the value alone", () => {
    const n = { name: "net.inet.ip.ttl", type: "int", value: 64 };
    expect(formatSysctl(n, false)).toBe("net.inet.ip.ttl = 64\n");
    expect(formatSysctl(n, true)).toBe("64\n");
  });

  it("flattens struct nodes", () => {
    const n = { name: "net.inet.ip.stats", type: "struct", value: { total: 3, badsum: 0 } };
    expect(formatSysctl(n, false)).toBe("net.inet.ip.stats.total = 3\nnet.inet.ip.stats.badsum = 0\n");
  });

  it("prints a change as old -> new", () => {
    expect(formatSysctlSet("net.inet.ip.forwarding", 0, 1, false)).toBe("net.inet.ip.forwarding: 0 -> 1\n");
    expect(formatSysctlSet("net.inet.ip.forwarding", 0, 1, true)).toBe("1\n");
  });

  it.each([
    ["a.b=1", { name: "a.b", value: "1" }],
    ["a.b = 1", { name: "a.b", value: "1" }],
    ["a.b=", { name: "a.b", value: "" }],
    ["=1", null],
    ["a.b", null],
  ])("splits %s", (text, want) => {
    expect(splitAssignment(text)).toEqual(want);
  });
});
