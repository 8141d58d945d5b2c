// The network utilities end to end without privileges: two io-pkt instances (prefixes "" and
// /n2) on one in-process vwire hub, configured and inspected only through the utilities.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Runtime } from "./runtime.ts";
import { Signal } from "../../helpers/wait.ts";
import { program } from "../iopkt/harness.ts";
import { AF_ROUTE } from "../../../firmware/net/socket/constants.ts";

const T = 30_000;

describe("network utilities against io-pkt on a virtual wire", () => {
  let rt: Runtime;

  beforeAll(async () => {
    rt = await Runtime.boot();
    await rt.startIoPkt(["-d", "vwire", "hub=nu-unit,mac=020000000001"]);
    await rt.startIoPkt(["-d", "vwire", "hub=nu-unit,mac=020000000002", "-p", "tcpip", "prefix=/n2"], {
      sock: "/n2",
    });
    await rt.ok(["ifconfig", "en0", "10.5.0.1", "netmask", "255.255.255.0", "up"]);
    await rt.ok(["ifconfig", "en0", "10.5.0.2/24", "up"], { sock: "/n2" });
  }, T);

  afterAll(async () => {
    await rt?.shutdown();
  });

  it("ifconfig shows every interface and one interface", async () => {
    const all = await rt.ok(["ifconfig"]);
    expect(all).toMatch(
      /^lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 33192\n\tinet 127\.0\.0\.1 netmask 0xff000000\n/,
    );
    expect(all).toContain(
      "en0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\taddress: 02:00:00:00:00:01\n",
    );
    expect(all).toContain("\tinet 10.5.0.1 netmask 0xffffff00 broadcast 10.5.0.255\n");
    expect(await rt.ok(["ifconfig", "-l"])).toBe("lo0 en0\n");
  });

  it("ifconfig adds and deletes aliases, changes the MTU, and takes an interface down", async () => {
    await rt.ok(["ifconfig", "en0", "10.5.0.11", "netmask", "0xffffff00", "alias"]);
    expect(await rt.ok(["ifconfig", "en0"])).toContain(
      "\tinet alias 10.5.0.11 netmask 0xffffff00 broadcast 10.5.0.255\n",
    );
    await rt.ok(["ifconfig", "en0", "10.5.0.11", "-alias"]);
    expect(await rt.ok(["ifconfig", "en0"])).not.toContain("10.5.0.11");
    await rt.ok(["ifconfig", "en0", "mtu", "1400"]);
    expect(await rt.ok(["ifconfig", "en0"])).toMatch(/ mtu 1400\n/);
    await rt.ok(["ifconfig", "en0", "mtu", "1500"]);
    // The wire carries 1500: a larger MTU would only make frames the port refuses.
    const big = await rt.sh(["ifconfig", "en0", "mtu", "9000"]);
    expect(big).toMatchObject({
      status: 1,
      stderr: "ifconfig: SIOCSIFMTU: Invalid argument (en0 takes 68..1500)\n",
    });
    expect(await rt.ok(["ifconfig", "en0"])).toMatch(/ mtu 1500\n/);
    await rt.ok(["ifconfig", "en0", "down"]);
    expect(await rt.ok(["ifconfig", "-l", "-d"])).toBe("en0\n");
    expect(await rt.ok(["netstat", "-i"])).toMatch(/\nen0\* +1500 /);
    await rt.ok(["ifconfig", "en0", "up"]);
  });

  it("mount -T io-pkt says why io-pkt refused a module", async () => {
    expect(await rt.sh(["mount", "-T", "io-pkt", "-o", "hub=nu-m,mtu", "devnp-vwire.so"])).toMatchObject({
      status: 1,
      stderr: "mount: devnp-vwire.so: Invalid argument (Option mtu requires an argument)\n",
    });
    expect(await rt.sh(["mount", "-T", "io-pkt", "devnp-e9.so"])).toMatchObject({
      status: 1,
      stderr:
        "mount: devnp-e9.so: No such file or directory (devnp-e9 is not built in, and there is no devnp-e9.js in /lib/dll, /proc/boot, /usr/lib/dll)\n",
    });
    expect(await rt.ok(["ifconfig", "-l"])).toBe("lo0 en0\n");
  });

  it("ifconfig reports a missing interface and a bad address", async () => {
    const r = await rt.sh(["ifconfig", "en7"]);
    expect(r).toMatchObject({ status: 1, stderr: "ifconfig: interface en7 does not exist\n" });
    const bad = await rt.sh(["ifconfig", "en0", "10.5.0.300"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^ifconfig: 10\.5\.0\.300: bad value\nusage: ifconfig/);
  });

  it("a utility without an io-pkt at its prefix says so", async () => {
    const r = await rt.sh(["ifconfig", "-a"], { sock: "/nothing" });
    expect(r).toMatchObject({ status: 1, stderr: "ifconfig: socket: No such file or directory\n" });
  });

  it(
    "ping reaches the other instance and prints the BSD summary",
    async () => {
      const r = await rt.sh(["ping", "-c", "3", "-i", "0.05", "10.5.0.2"]);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.split("\n");
      expect(lines[0]).toBe("PING 10.5.0.2 (10.5.0.2): 56 data bytes");
      expect(lines[1]).toMatch(/^64 bytes from 10\.5\.0\.2: icmp_seq=0 ttl=64 time=\d+\.\d{3} ms$/);
      expect(lines[3]).toMatch(/^64 bytes from 10\.5\.0\.2: icmp_seq=2 ttl=64 time=/);
      expect(r.stdout).toContain(
        "\n----10.5.0.2 PING Statistics----\n3 packets transmitted, 3 packets received, 0.0% packet loss\n",
      );
      expect(r.stdout).toMatch(/round-trip min\/avg\/max\/stddev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms\n$/);
    },
    T,
  );

  it(
    "ping with big payloads, a TTL, and to nobody",
    async () => {
      const big = await rt.sh(["ping", "-c", "2", "-i", "0.05", "-s", "8000", "10.5.0.2"]);
      expect(big.stdout).toContain("8008 bytes from 10.5.0.2: icmp_seq=1");
      const none = await rt.sh(["ping", "-c", "2", "-i", "0.05", "-W", "300", "10.5.0.99"]);
      expect(none.status).toBe(2);
      expect(none.stdout).toContain("2 packets transmitted, 0 packets received, 100.0% packet loss\n");
      const unknown = await rt.sh(["ping", "nosuchhost"]);
      expect(unknown).toMatchObject({ status: 1, stderr: "ping: unknown host nosuchhost\n" });
      // -I names a source address; one that is not ours fails at once, as BSD's bind() does.
      const notOurs = await rt.sh(["ping", "-c", "1", "-I", "10.5.0.77", "10.5.0.2"]);
      expect(notOurs).toMatchObject({
        status: 1,
        stdout: "",
        stderr: "ping: bind: Can't assign requested address\n",
      });
      const ours = await rt.sh(["ping", "-c", "1", "-I", "10.5.0.1", "10.5.0.2"]);
      expect(ours.stdout).toContain("1 packets received");
    },
    T,
  );

  it(
    "ping prints ICMP errors from a router",
    async () => {
      await rt.ok(["sysctl", "-w", "net.inet.ip.forwarding=1"], { sock: "/n2" });
      await rt.ok(["route", "add", "10.8.0.0/16", "10.5.0.2"]);
      try {
        const ttl = await rt.sh(["ping", "-c", "1", "-t", "1", "10.8.0.1"]);
        expect(ttl.stdout).toContain("\n36 bytes from 10.5.0.2: Time to live exceeded\n");
        expect(ttl.status).toBe(2);
        const unreach = await rt.sh(["ping", "-c", "1", "10.8.0.1"]);
        expect(unreach.stdout).toContain("\n36 bytes from 10.5.0.2: Destination Net Unreachable\n");
      } finally {
        await rt.ok(["route", "delete", "10.8.0.0/16"]);
        await rt.ok(["sysctl", "-w", "net.inet.ip.forwarding=0"], { sock: "/n2" });
      }
    },
    T,
  );

  it("arp lists, sets and deletes entries", async () => {
    expect(await rt.ok(["arp", "-an"])).toMatch(
      /^\? \(10\.5\.0\.2\) at 02:00:00:00:00:02 on en0 expires in \d+ seconds \[ethernet\]$/m,
    );
    await rt.ok(["arp", "-s", "10.5.0.77", "02:00:00:00:00:77"]);
    expect(await rt.ok(["arp", "-an"])).toContain(
      "? (10.5.0.77) at 02:00:00:00:00:77 on en0 permanent [ethernet]\n",
    );
    expect(await rt.ok(["arp", "-d", "10.5.0.77"])).toBe("10.5.0.77 (10.5.0.77) deleted\n");
    const again = await rt.sh(["arp", "-d", "10.5.0.77"]);
    expect(again).toMatchObject({ status: 1, stderr: "arp: 10.5.0.77: not in table\n" });
  });

  it("route adds, gets, shows and deletes routes", async () => {
    expect(await rt.ok(["route", "add", "default", "10.5.0.2"])).toBe("add net default: gateway 10.5.0.2\n");
    expect(await rt.ok(["route", "add", "-net", "10.9.0.0/16", "10.5.0.2"])).toBe(
      "add net 10.9.0.0: gateway 10.5.0.2\n",
    );
    const dup = await rt.sh(["route", "add", "-net", "10.9.0.0/16", "10.5.0.2"]);
    expect(dup).toMatchObject({
      status: 1,
      stderr: "route: add net 10.9.0.0: gateway 10.5.0.2: File exists\n",
    });
    const table = await rt.ok(["netstat", "-rn"]);
    expect(table).toContain(
      "Destination        Gateway            Flags    Refs      Use    Mtu  Interface\n",
    );
    expect(table).toMatch(/^default +10\.5\.0\.2 +UGS +0 +\d+ +- +en0$/m);
    expect(table).toMatch(/^10\.9\/16 +10\.5\.0\.2 +UGS /m);
    expect(table).toMatch(/^10\.5\.0\/24 +link#2 +UC? /m);
    expect(await rt.ok(["route", "show"])).toBe(table);
    const get = await rt.ok(["route", "-n", "get", "10.9.1.1"]);
    expect(get).toContain(
      "   route to: 10.9.1.1\ndestination: 10.9.0.0\n       mask: 255.255.0.0\n    gateway: 10.5.0.2\n  interface: en0\n",
    );
    expect(await rt.ok(["route", "delete", "-net", "10.9.0.0/16"])).toBe("delete net 10.9.0.0\n");
    const gone = await rt.sh(["route", "delete", "-net", "10.9.0.0/16"]);
    expect(gone).toMatchObject({ status: 1, stderr: "route: delete net 10.9.0.0: not in table\n" });
    await rt.ok(["route", "delete", "default"]);
  });

  it("route monitor prints route and interface changes as BSD's route monitor does", async () => {
    const mon = rt.sh(["route", "monitor", "-c", "4"], { env: { TZ: "UTC" } });
    // Changes start once the monitor's routing socket exists (io-pkt lists it).
    const listening = () =>
      program(rt.kernel, "", async (ctx) => (await ctx.sockets.list()).some((s) => s.domain === AF_ROUTE));
    while (!(await listening()));
    await rt.ok(["route", "add", "10.7.0.0/16", "10.5.0.2"]);
    await rt.ok(["route", "delete", "10.7.0.0/16"]);
    await rt.ok(["ifconfig", "en0", "down"]);
    await rt.ok(["ifconfig", "en0", "up"]);
    const r = await mon;
    expect(r.stderr).toBe("");
    const when = String.raw`on \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n`;
    const route = (type: string, flags: string) =>
      String.raw`got message of size 124 ${when}${type}: len 124, pid: \d+, seq 0, errno 0, flags:<${flags}>\n` +
      String.raw`locks:  inits: \nsockaddrs: <DST,GATEWAY,NETMASK>\n 10\.7\.0\.0 10\.5\.0\.2 255\.255\.0\.0\n`;
    const ifinfo = (flags: string) =>
      String.raw`got message of size 76 ${when}RTM_IFINFO: iface status change: len 76, if# 2, carrier: active, flags:<${flags}>\n`;
    expect(r.stdout).toMatch(
      new RegExp(
        "^\\n" +
          route("RTM_ADD: Add Route", "UP,GATEWAY,DONE,STATIC") +
          "\\n" +
          route("RTM_DELETE: Delete Route", "UP,GATEWAY,DONE,STATIC") +
          "\\n" +
          ifinfo("BROADCAST,RUNNING,SIMPLEX,MULTICAST") +
          "\\n" +
          ifinfo("UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST") +
          "$",
      ),
    );
  });

  it("sysctl reads, writes and lists", async () => {
    expect(await rt.ok(["sysctl", "net.inet.ip.ttl"])).toBe("net.inet.ip.ttl = 64\n");
    expect(await rt.ok(["sysctl", "-n", "net.inet.ip.forwarding"])).toBe("0\n");
    expect(await rt.ok(["sysctl", "-w", "net.inet.ip.forwarding=1"])).toBe(
      "net.inet.ip.forwarding: 0 -> 1\n",
    );
    expect(await rt.ok(["sysctl", "-w", "net.inet.ip.forwarding=0"])).toBe(
      "net.inet.ip.forwarding: 1 -> 0\n",
    );
    const all = await rt.ok(["sysctl", "-a"]);
    expect(all).toContain("net.inet.ip.ttl = 64\n");
    expect(all).toMatch(/^net\.inet\.ip\.stats\.total = \d+$/m);
    const sub = await rt.ok(["sysctl", "net.inet.icmp"]);
    expect(
      sub
        .split("\n")
        .filter(Boolean)
        .every((l) => l.startsWith("net.inet.icmp.")),
    ).toBe(true);
    const bad = await rt.sh(["sysctl", "net.inet.nope"]);
    expect(bad).toMatchObject({ status: 1, stderr: "sysctl: unknown oid 'net.inet.nope'\n" });
    const range = await rt.sh(["sysctl", "-w", "net.inet.ip.ttl=999"]);
    expect(range).toMatchObject({ status: 1, stderr: "sysctl: net.inet.ip.ttl: Invalid argument\n" });
  });

  it("netstat -s and nicinfo count what went by", async () => {
    const s = await rt.ok(["netstat", "-s"]);
    expect(s).toMatch(/^ip:\n\t\d+ total packets received\n/);
    expect(s).toMatch(/\tOutput histogram:\n\t\techo: \d+\n/);
    expect(s).toMatch(/\tInput histogram:\n(\t\t.*\n)*\t\techo reply: \d+\n/);
    expect(s).toMatch(/^ether:\n\t\d+ frames received\n/m);
    const nic = await rt.ok(["nicinfo", "en0"]);
    expect(nic).toMatch(/^en0:\n/);
    expect(nic).toContain("  Physical Node ID ........................... 020000 000001\n");
    expect(Number(/Packets Received OK \.+ (\d+)/.exec(nic)?.[1])).toBeGreaterThan(0);
    // The receive losses by place travel through the control protocol to nicinfo.
    expect(nic).toMatch(
      /Packets Dropped on Receive \.+ \d+\n {4}Dropped by Host Interface \.+ 0\n {4}Receive Ring Overruns \.+ 0\n {4}Dropped by Port \.+ 0\n {4}Receive Queue Overflows \.+ 0\n {4}Memory Allocation Failures on Receive \.+ 0\n/,
    );
    expect((await rt.ok(["netstat", "-i"])).split("\n")[0]).toMatch(/ Ierrs Idrop +Opkts /);
    const missing = await rt.sh(["nicinfo", "en5"]);
    expect(missing).toMatchObject({ status: 1, stderr: "nicinfo: en5: no such interface\n" });
  });

  it(
    "tcpdump prints live traffic and if_up waits for an address",
    async () => {
      // tcpdump says "listening on" once its filter is attached: from then on it sees every
      // frame, so two pings give its four frames (two requests, two replies).
      let errText = "";
      const listening = new Signal();
      const cap = rt.sh(["tcpdump", "-n", "-c", "4", "-i", "en0", "icmp"], {
        onOutput: (fd, text) => void (fd === 2 && ((errText += text), listening.notify())),
      });
      await listening.until(() => errText.includes("listening on"), "tcpdump to listen");
      await rt.ok(["ping", "-c", "1", "10.5.0.2"]);
      await rt.ok(["ping", "-c", "1", "10.5.0.2"]);
      const out = await cap;
      expect(out.status, out.stderr).toBe(0);
      const lines = out.stdout.trim().split("\n");
      const req = lines.findIndex((l) => l.includes("echo request"));
      expect(req, out.stdout).toBeGreaterThanOrEqual(0);
      expect(lines[req]).toMatch(
        /^\d\d:\d\d:\d\d\.\d{6} IP 10\.5\.0\.1 > 10\.5\.0\.2: ICMP echo request, id \d+, seq 0, length 64$/,
      );
      expect(lines[req + 1]).toMatch(
        /IP 10\.5\.0\.2 > 10\.5\.0\.1: ICMP echo reply, id \d+, seq 0, length 64$/,
      );
      expect(out.stderr).toContain("listening on en0, link-type EN10MB (Ethernet)");
      const bad = await rt.sh(["tcpdump", "-i", "en0", "port", "x"]);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/^tcpdump: syntax error in filter expression/);
      expect((await rt.sh(["if_up", "en0"])).status).toBe(0);
      const noAddr = await rt.sh(["if_up", "-r", "1", "-s", "0.05", "en4"]);
      expect(noAddr).toMatchObject({ status: 1, stderr: "if_up: en4: no such interface\n" });
    },
    T,
  );
});
