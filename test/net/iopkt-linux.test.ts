// io-pkt against the real Linux stack. Our runtime (a Kernel + io-pkt with devnp-pcap) holds
// one end of two veth pairs, with no kernel address on them; Linux holds the other ends in
// namespaces A (10.61.0.1) and B (10.62.0.1). Everything Linux sees of us goes through our
// ARP, IPv4, ICMP, fragmentation and forwarding code, and every check uses Linux's own tools
// (ping, arping, ip neigh, tshark) as the independent judge.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Program } from "../../firmware/program.ts";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { settle } from "../helpers/wait.ts";
import { run } from "../unit/bin/harness.ts";
import { linuxNeighbours, NetnsLab, nsExec, parseLinuxPing, sh, shAsync } from "./lib/netns.ts";
import type { VethPair } from "./lib/netns.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";
import { Runtime } from "../unit/netutil/runtime.ts";

const skip = requirement("io-pkt against Linux", {
  "root and network namespaces": canUseNetns(),
  "ping (iputils)": hasCommand("ping"),
  "arping (iputils)": hasCommand("arping"),
  tshark: hasCommand("tshark"),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

const OUR_A = "10.61.0.2";
const LINUX_A = "10.61.0.1";
const OUR_B = "10.62.0.2";
const LINUX_B = "10.62.0.1";
const T = 60_000;

/** A program that copies a file out of the runtime's pathname space into the host's. */
function exportFile(dest: string): Program {
  return {
    name: "export",
    usage: "",
    async main(ctx) {
      writeFileSync(dest, await ctx.fs.readFile(ctx.argv[1]));
      return 0;
    },
  };
}

describe.skipIf(skip)("io-pkt with Linux as the peer", () => {
  const lab = new NetnsLab("nu");
  let rt: Runtime;
  let nsA: string;
  let nsB: string;
  let a: VethPair;
  let b: VethPair;
  let ourMacA = "";
  const hostTmp = mkdtempSync(join(tmpdir(), "netrino-nu-"));

  beforeAll(async () => {
    nsA = lab.namespace();
    nsB = lab.namespace();
    a = lab.veth(nsA, `${LINUX_A}/24`);
    b = lab.veth(nsB, `${LINUX_B}/24`);
    rt = await Runtime.boot();
    await rt.startIoPkt(["-d", "pcap", `if=${a.ours}`, "-d", "pcap", `if=${b.ours}`]);
    await rt.ok(["ifconfig", "en0", `${OUR_A}/24`, "up"]);
    await rt.ok(["ifconfig", "en1", OUR_B, "netmask", "255.255.255.0", "up"]);
    ourMacA = /address: (\S+)/.exec(await rt.ok(["ifconfig", "en0"]))?.[1] ?? "";
  }, T);

  /** Forwarding on here, and each Linux namespace routes the other's subnet through us. */
  async function routeThroughUs(): Promise<void> {
    await rt.ok(["sysctl", "-w", "net.inet.ip.forwarding=1"]);
    sh("ip", ["-n", nsA, "route", "replace", "10.62.0.0/24", "via", OUR_A]);
    sh("ip", ["-n", nsB, "route", "replace", "10.61.0.0/24", "via", OUR_B]);
  }

  afterAll(async () => {
    await rt?.shutdown();
    lab.cleanup();
    rmSync(hostTmp, { recursive: true, force: true });
  }, T);

  it("shows the configured interfaces as ifconfig does", async () => {
    const out = await rt.ok(["ifconfig", "en0"]);
    expect(out).toMatch(/^en0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n/);
    expect(out).toContain(`\tinet ${OUR_A} netmask 0xffffff00 broadcast 10.61.0.255\n`);
    expect(ourMacA).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it(
    "answers 1000 pings from Linux with no loss",
    async () => {
      const r = await nsExec(nsA, "ping", ["-c", "1000", "-i", "0.002", "-q", "-W", "2", OUR_A], T);
      const p = parseLinuxPing(r.stdout);
      expect(p.tx, r.stdout + r.stderr).toBe(1000);
      expect(p.rx, r.stdout).toBe(1000);
      expect(p.loss).toBe(0);
    },
    T,
  );

  it(
    "answers 8000-byte pings from Linux (fragmented both ways)",
    async () => {
      const r = await nsExec(nsA, "ping", ["-c", "20", "-i", "0.05", "-s", "8000", "-q", OUR_A], T);
      const p = parseLinuxPing(r.stdout);
      expect(p.rx, r.stdout + r.stderr).toBe(20);
      const stats = await rt.ok(["netstat", "-s", "-p", "ip"]);
      expect(Number(/(\d+) packets reassembled ok/.exec(stats)?.[1])).toBeGreaterThanOrEqual(20);
      expect(Number(/(\d+) output datagrams? fragmented/.exec(stats)?.[1])).toBeGreaterThanOrEqual(20);
    },
    T,
  );

  it(
    "reaches Linux with our ping, small and large",
    async () => {
      const r = await rt.sh(["ping", "-c", "3", "-i", "0.2", LINUX_A]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^PING ${LINUX_A} \\(${LINUX_A}\\): 56 data bytes\n`));
      expect(r.stdout).toMatch(new RegExp(`64 bytes from ${LINUX_A}: icmp_seq=0 ttl=64 time=[\\d.]+ ms`));
      expect(r.stdout).toContain("3 packets transmitted, 3 packets received, 0.0% packet loss");
      expect(r.stdout).toMatch(/round-trip min\/avg\/max\/stddev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms/);
      const big = await rt.sh(["ping", "-c", "2", "-i", "0.2", "-s", "8000", LINUX_A]);
      expect(big.stdout).toContain("2 packets transmitted, 2 packets received, 0.0% packet loss");
      expect(big.stdout).toContain(`8008 bytes from ${LINUX_A}`);
    },
    T,
  );

  it(
    "has ARP entries on both sides, and answers arping",
    async () => {
      expect(linuxNeighbours(nsA).get(OUR_A)).toBe(ourMacA);
      const arp = await rt.ok(["arp", "-an"]);
      expect(arp).toContain(`? (${LINUX_A}) at ${a.linuxMac} on en0`);
      const r = await nsExec(nsA, "arping", ["-c", "3", "-w", "5", "-I", a.linux, OUR_A], T);
      expect(r.stdout, r.stderr).toMatch(/Received 3 response/);
    },
    T,
  );

  it(
    "routes between two Linux namespaces with forwarding on",
    async () => {
      await routeThroughUs();
      const r = await nsExec(nsA, "ping", ["-c", "50", "-i", "0.01", "-q", LINUX_B], T);
      expect(parseLinuxPing(r.stdout).rx, r.stdout + r.stderr).toBe(50);
      const rn = await rt.ok(["netstat", "-rn"]);
      expect(rn).toMatch(/10\.61\.0\/24 +link#\d+ +UC/);
      expect(rn).toMatch(/10\.62\.0\/24 +link#\d+ +UC/);
    },
    T,
  );

  it(
    "record route: Linux's ping -R through us lists our addresses; our ping -R prints the route as BSD's",
    async () => {
      await routeThroughUs();
      const linux = await nsExec(nsA, "ping", ["-R", "-c", "1", "-W", "2", LINUX_B], T);
      expect(linux.stdout, linux.stderr).toMatch(/RR:/);
      const rr = linux.stdout.slice(linux.stdout.indexOf("RR:"));
      expect(rr).toContain(OUR_B); // recorded by us forwarding the request towards B
      expect(rr).toContain(OUR_A); // and the reply back towards A
      const ours = await rt.sh(["ping", "-R", "-c", "2", "-i", "0.2", LINUX_A]);
      expect(ours.status, ours.stderr).toBe(0);
      expect(ours.stdout).toMatch(
        new RegExp(`icmp_seq=0 ttl=64 time=[\\d.]+ ms\nRR: \t${LINUX_A}\n(\t[\\d.]+\n)*\t${OUR_A}\n`),
      );
      expect(ours.stdout).toMatch(/icmp_seq=1 ttl=64 time=[\d.]+ ms\t\(same route\)\n/);
    },
    T,
  );

  it(
    "sends time exceeded when the TTL runs out here",
    async () => {
      const r = await nsExec(nsA, "ping", ["-c", "1", "-t", "1", "-W", "2", LINUX_B], T);
      expect(r.stdout).toMatch(
        new RegExp(`From ${OUR_A.replaceAll(".", "\\.")} icmp_seq=1 Time to live exceeded`),
      );
    },
    T,
  );

  it(
    "sends fragmentation needed for DF packets larger than the next hop's MTU",
    async () => {
      await rt.ok(["ifconfig", "en1", "mtu", "1200"]);
      try {
        const r = await nsExec(nsA, "ping", ["-c", "1", "-M", "do", "-s", "1400", "-W", "2", LINUX_B], T);
        expect(r.stdout + r.stderr).toMatch(
          /Frag needed and DF set \(mtu = 1200\)|message too long, mtu=1200/,
        );
        // Linux learned the path MTU from our ICMP: its route cache says so.
        const cache = sh("ip", ["-n", nsA, "route", "get", LINUX_B]).stdout;
        expect(cache).toMatch(/mtu 1200/);
      } finally {
        await rt.ok(["ifconfig", "en1", "mtu", "1500"]);
      }
    },
    T,
  );

  it(
    "redirects Linux to a better first hop on its own link, and Linux takes the redirect",
    async () => {
      // 10.63.0.0/24 is reached through 10.61.0.3, a host on A's link (Linux learns it at our
      // MAC, so the new next hop is resolved, which Linux requires before it accepts).
      await rt.ok(["sysctl", "-w", "net.inet.ip.forwarding=1"]);
      await rt.ok(["route", "add", "-net", "10.63.0.0/24", "10.61.0.3"]);
      sh("ip", ["-n", nsA, "route", "add", "10.63.0.0/24", "via", OUR_A]);
      sh("ip", [
        "-n",
        nsA,
        "neigh",
        "replace",
        "10.61.0.3",
        "lladdr",
        ourMacA,
        "dev",
        a.linux,
        "nud",
        "permanent",
      ]);
      try {
        const r = await nsExec(nsA, "ping", ["-c", "1", "-W", "1", "10.63.0.5"], T);
        expect(r.stdout).toMatch(/From 10\.61\.0\.2:? icmp_seq=1 Redirect Host\(New nexthop: 10\.61\.0\.3\)/);
        expect(sh("ip", ["-n", nsA, "route", "get", "10.63.0.5"]).stdout).toMatch(/via 10\.61\.0\.3/);
        expect(await rt.ok(["netstat", "-s"])).toMatch(/\n\t1 redirect sent\n/);
      } finally {
        await rt.ok(["route", "delete", "-net", "10.63.0.0/24"]);
      }
    },
    T,
  );

  it(
    "follows a redirect from Linux acting as its router",
    async () => {
      // We are a host here: 10.64.0.0/24 through Linux, which knows a better first hop on
      // our own link (10.61.0.4) and says so as it forwards our packet back out.
      await rt.ok(["sysctl", "-w", "net.inet.ip.forwarding=0"]);
      await rt.ok(["route", "add", "-net", "10.64.0.0/24", LINUX_A]);
      sh("ip", ["netns", "exec", nsA, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
      sh("ip", ["-n", nsA, "route", "add", "10.64.0.0/24", "via", "10.61.0.4"]);
      try {
        // Our -W is in milliseconds (NetBSD); the redirect may trail the ping, so wait for it.
        await rt.sh(["ping", "-c", "1", "-W", "1000", "10.64.0.5"]);
        let got = "";
        await settle(
          async () => /gateway: 10\.61\.0\.4\n/.test((got = await rt.ok(["route", "get", "10.64.0.5"]))),
          "the redirected route",
        );
        expect(got).toMatch(/gateway: 10\.61\.0\.4\n/);
        expect(got).toMatch(/flags: <UP,GATEWAY,HOST,DYNAMIC>/);
        expect(await rt.ok(["netstat", "-rn"])).toMatch(/\n10\.64\.0\.5 +10\.61\.0\.4 +UGHD /);
      } finally {
        sh("ip", ["netns", "exec", nsA, "sysctl", "-qw", "net.ipv4.ip_forward=0"]);
        await rt.ok(["route", "delete", "-net", "10.64.0.0/24"]);
        await rt.sh(["route", "delete", "10.64.0.5"]);
        await rt.ok(["sysctl", "-w", "net.inet.ip.forwarding=1"]);
      }
    },
    T,
  );

  /**
   * Runs `tcpdump … -w /tmp/<name>` until it exits, calling `traffic` in rounds meanwhile:
   * nothing says when tcpdump is listening (loading it can take a while on a busy machine).
   * Returns tshark's rows (`fields`, tab-separated) for the file, copied out to the host.
   */
  async function captureAndDecode(
    args: string[],
    name: string,
    traffic: () => Promise<void>,
    fields: string[],
  ): Promise<string[][]> {
    const capture = rt.sh(["tcpdump", "-w", `/tmp/${name}`, ...args]);
    let captured = false;
    void capture.then(() => (captured = true));
    const deadline = Date.now() + T / 2;
    while (!captured) {
      if (Date.now() > deadline) throw new Error(`tcpdump ${args.join(" ")} did not finish`);
      await traffic();
    }
    const done = await capture;
    expect(done.status, done.stderr).toBe(0);
    const host = join(hostTmp, name);
    expect((await run(rt.kernel, exportFile(host), ["export", `/tmp/${name}`])).status).toBe(0);
    const t = await shAsync("tshark", ["-r", host, "-T", "fields", ...fields.flatMap((f) => ["-e", f])]);
    expect(t.status, t.stderr).toBe(0);
    return t.stdout
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
  }

  it(
    "writes a tcpdump capture that tshark decodes",
    async () => {
      // Linux pings in rounds of three until six packets are in. Requests and replies
      // alternate, so any six in a row are three of each.
      const rows = await captureAndDecode(
        ["-i", "en0", "-c", "6", "icmp"],
        "cap.pcap",
        async () => {
          const r = await nsExec(nsA, "ping", ["-c", "3", "-i", "0.1", OUR_A], T);
          expect(parseLinuxPing(r.stdout).rx, r.stdout + r.stderr).toBe(3);
        },
        ["ip.src", "ip.dst", "icmp.type"],
      );
      expect(rows).toHaveLength(6);
      expect(rows.filter((x) => x[0] === LINUX_A && x[1] === OUR_A && x[2] === "8")).toHaveLength(3);
      expect(rows.filter((x) => x[0] === OUR_A && x[1] === LINUX_A && x[2] === "0")).toHaveLength(3);
      // And our own reader prints the same file as tcpdump -n -r does.
      const text = await rt.ok(["tcpdump", "-n", "-r", "/tmp/cap.pcap"]);
      expect(
        text.split("\n").filter((l) => l.includes(`IP ${LINUX_A} > ${OUR_A}: ICMP echo request`)),
      ).toHaveLength(3);
    },
    T,
  );

  it(
    "captures lo0 as link-type EN10MB, which tshark decodes",
    async () => {
      const rows = await captureAndDecode(
        ["-i", "lo0", "-c", "2", "icmp"],
        "lo.pcap",
        async () => void (await rt.ok(["ping", "-c", "1", "127.0.0.1"])),
        ["eth.type", "ip.dst", "icmp.type"],
      );
      expect(rows).toEqual([
        ["0x0800", "127.0.0.1", "8"],
        ["0x0800", "127.0.0.1", "0"],
      ]);
    },
    T,
  );

  it(
    "keeps two io-pkt instances with different prefixes apart",
    async () => {
      await rt.startIoPkt(["-d", "vwire", "hub=nu-iso", "-p", "tcpip", "prefix=/alt"], { sock: "/alt" });
      const alt = await rt.ok(["ifconfig", "-l"], { sock: "/alt" });
      const main = await rt.ok(["ifconfig", "-l"]);
      expect(main.trim().split(" ")).toEqual(["lo0", "en0", "en1"]);
      const altNames = alt.trim().split(" ");
      expect(altNames[0]).toBe("lo0");
      expect(altNames).toHaveLength(2);
      await rt.ok(["ifconfig", altNames[1], "10.99.0.1/24"], { sock: "/alt" });
      expect(await rt.ok(["ifconfig", "-a"])).not.toContain("10.99.0.1");
      expect(await rt.ok(["ifconfig", "-a"], { sock: "/alt" })).not.toContain(OUR_A);
      expect(await rt.ok(["arp", "-an"], { sock: "/alt" })).not.toContain(LINUX_A);
    },
    T,
  );

  it(
    "loads and unloads a driver at run time",
    async () => {
      const ns = lab.namespace();
      const c = lab.veth(ns, "10.63.0.1/24");
      await rt.ok(["mount", "-T", "io-pkt", "-o", `if=${c.ours}`, "devnp-pcap.so"]);
      const names = (await rt.ok(["ifconfig", "-l"])).trim().split(" ");
      expect(names).toHaveLength(4);
      const added = names[3];
      await rt.ok(["ifconfig", added, "10.63.0.2/24"]);
      const r = await nsExec(ns, "ping", ["-c", "3", "-i", "0.1", "10.63.0.2"], T);
      expect(parseLinuxPing(r.stdout).rx).toBe(3);
      await rt.ok(["ifconfig", added, "destroy"]);
      expect((await rt.ok(["ifconfig", "-l"])).trim().split(" ")).toEqual(["lo0", "en0", "en1"]);
      const gone = await rt.sh(["ifconfig", added]);
      expect(gone.status).toBe(1);
      expect(gone.stderr).toBe(`ifconfig: interface ${added} does not exist\n`);
    },
    T,
  );

  it(
    "survives its host interface vanishing (a USB adapter pulled out): link down, Network is down",
    async () => {
      const ns = lab.namespace();
      const d = lab.veth(ns, "10.65.0.1/24");
      await rt.ok(["mount", "-T", "io-pkt", "-o", `if=${d.ours},name=usb`, "devnp-pcap.so"]);
      await rt.ok(["ifconfig", "usb0", "10.65.0.2/24"]);
      expect((await rt.sh(["ping", "-c", "1", "-W", "1000", "10.65.0.1"])).status).toBe(0);
      sh("ip", ["link", "del", d.ours]);
      let info = "";
      await settle(
        async () => /Link is DOWN/.test((info = await rt.ok(["nicinfo", "usb0"]))),
        "usb0's link down",
      );
      expect(info).toMatch(/Link is DOWN/);
      const p = await rt.sh(["ping", "-c", "1", "-W", "300", "10.65.0.1"]);
      expect(p.stderr).toBe("ping: sendto: Network is down\n");
      // The rest of the stack carries on, and the dead interface can be removed.
      const r = await nsExec(nsA, "ping", ["-c", "2", "-i", "0.1", OUR_A], T);
      expect(parseLinuxPing(r.stdout).rx).toBe(2);
      await rt.ok(["ifconfig", "usb0", "destroy"]);
      expect((await rt.ok(["ifconfig", "-l"])).trim()).toBe("lo0 en0 en1");
    },
    T,
  );
});
