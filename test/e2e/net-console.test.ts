// The network utilities at the console of two `netrino boot buildfiles/host.build` nodes, each
// in its own real terminal (tmux), on a UDP wire only they share (a free hub port, so a running
// `npm start` on the default wire is not disturbed): ifconfig, ping, netstat -rn, arp -a,
// sysctl, nicinfo, tcpdump while the other node pings, route get. Every wait is for text on a
// screen, never a fixed sleep.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasCommand, requirement } from "../helpers/requirements.ts";
import { freeUdpPort, NetrinoConsole, PROMPT } from "./fixtures/netrino-console.ts";

const skip = requirement("net-console", { tmux: hasCommand("tmux") });

describe.skipIf(skip)("network utilities at the console", () => {
  let node1: NetrinoConsole;
  let node2: NetrinoConsole;

  beforeAll(async () => {
    const port = await freeUdpPort();
    node1 = await NetrinoConsole.boot(port);
    // Started once node1 is up, as a second terminal would be: it settles on the next address.
    node2 = await NetrinoConsole.boot(port);
  }, 150_000);
  afterAll(() => {
    node1?.kill();
    node2?.kill();
  });

  it("each node names itself and its address at boot", () => {
    expect(node1.screen()).toContain("This is node1, en0 10.47.0.1.");
    expect(node2.screen()).toContain("This is node2, en0 10.47.0.2.");
  });

  it("ifconfig lists lo0 and en0 with the node's address", async () => {
    const out = await node1.run("ifconfig");
    expect(out).toMatch(/^lo0: flags=[0-9a-f]+<UP,LOOPBACK,RUNNING\S*> mtu \d+$/m);
    expect(out).toMatch(/^\s+inet 127\.0\.0\.1 netmask 0xff000000$/m);
    expect(out).toMatch(/^en0: flags=[0-9a-f]+<UP,BROADCAST,RUNNING\S*> mtu 1500$/m);
    expect(out).toMatch(/^\s+address: [0-9a-f]{2}(:[0-9a-f]{2}){5}$/m);
    expect(out).toMatch(/^\s+inet 10\.47\.0\.1 netmask 0xffffff00 broadcast 10\.47\.0\.255$/m);
  });

  it("ping -c 2 127.0.0.1 answers with 0% loss", async () => {
    const out = await node1.run("ping -c 2 127.0.0.1");
    expect(out).toMatch(/^PING 127\.0\.0\.1 \(127\.0\.0\.1\): 56 data bytes$/m);
    expect(out).toMatch(/^64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=[\d.]+ ms$/m);
    expect(out).toMatch(/^2 packets transmitted, 2 packets received, 0\.0% packet loss$/m);
    expect(out).toMatch(/^round-trip min\/avg\/max\/stddev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/m);
  });

  it("netstat -rn shows the connected route and the loopback host route", async () => {
    const out = await node1.run("netstat -rn");
    expect(out).toMatch(/^Routing tables$/m);
    expect(out).toMatch(/^Destination\s+Gateway\s+Flags\s+Refs\s+Use\s+Mtu\s+Interface$/m);
    expect(out).toMatch(/^10\.47\.0\/24\s+link#\d+\s+UC\s+.*\sen0$/m);
    expect(out).toMatch(/^127\.0\.0\.1\s+127\.0\.0\.1\s+UH\s+.*\slo0$/m);
  });

  it("arp -a shows the other node after a ping, with its MAC address", async () => {
    const ping = await node1.run("ping -c 2 10.47.0.2");
    expect(ping).toMatch(/^2 packets transmitted, 2 packets received, 0\.0% packet loss$/m);
    const mac = /address: ([0-9a-f:]{17})/.exec(await node2.run("ifconfig en0"))?.[1];
    expect(mac).toBeDefined();
    expect(await node1.run("arp -a")).toMatch(
      new RegExp(`^\\? \\(10\\.47\\.0\\.2\\) at ${mac} on en0 expires in \\d+ seconds`, "m"),
    );
  });

  it("sysctl reads and sets net.inet.ip.forwarding", async () => {
    expect(await node1.run("sysctl net.inet.ip.forwarding")).toBe("net.inet.ip.forwarding = 0");
    expect(await node1.run("sysctl -w net.inet.ip.forwarding=1")).toMatch(/0 -> 1$/);
    expect(await node1.run("sysctl -n net.inet.ip.forwarding")).toBe("1");
    await node1.run("sysctl -w net.inet.ip.forwarding=0");
    expect(await node1.run("sysctl -n net.inet.ip.forwarding")).toBe("0");
  });

  it("nicinfo en0 shows the link, the MAC address and counters", async () => {
    const out = await node1.run("nicinfo en0");
    expect(out).toMatch(/^en0:$/m);
    expect(out).toMatch(/^\s+Link is UP$/m);
    expect(out).toMatch(/^\s+Physical Node ID \.+ [0-9a-f]{6} [0-9a-f]{6}$/m);
    expect(out).toMatch(/^\s+Maximum Transmittable data Unit \.+ 1500$/m);
    const rx = Number(/Packets Received OK \.+ (\d+)/.exec(out)?.[1]);
    expect(rx).toBeGreaterThan(0);
  });

  it("tcpdump -c 2 -i en0 shows the frames of the other node's ping", async () => {
    node1.start("tcpdump -c 2 -i en0");
    await node1.term.waitFor(/listening on en0, link-type EN10MB \(Ethernet\)/, 30_000);
    const before = node1.term.count(PROMPT);
    node2.start("ping -c 3 10.47.0.1");
    const s = await node1.term.waitForCount(PROMPT, before, 30_000);
    const out = s.slice(s.lastIndexOf("listening on en0"));
    // Two frames from the conversation (an ARP exchange if node2 had to ask, else ICMP echo).
    const frames = out.split("\n").filter((l) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l));
    expect(frames, out).toHaveLength(2);
    for (const f of frames) expect(f).toMatch(/10\.47\.0\.[12]\b.*10\.47\.0\.[12]\b|is-at|who-has/);
    expect(out).toMatch(/^2 packets captured$/m);
    await node2.term.waitFor(/^3 packets transmitted, 3 packets received, 0\.0% packet loss$/m, 30_000);
  }, 60_000);

  it("tcpdump with an icmp filter shows echo request and reply", async () => {
    node1.start("tcpdump -n -c 2 -i en0 icmp");
    await node1.term.waitFor(/listening on en0/, 30_000);
    const before = node1.term.count(PROMPT);
    node2.start("ping -c 2 10.47.0.1");
    const s = await node1.term.waitForCount(PROMPT, before, 30_000);
    const out = s.slice(s.lastIndexOf("listening on en0"));
    expect(out).toMatch(/IP 10\.47\.0\.2 > 10\.47\.0\.1: ICMP echo request/);
    expect(out).toMatch(/IP 10\.47\.0\.1 > 10\.47\.0\.2: ICMP echo reply/);
    expect(out).toMatch(/^2 packets captured$/m);
  }, 60_000);

  it("route get names the route and interface to the other node", async () => {
    const out = await node1.run("route get 10.47.0.2");
    expect(out).toMatch(/^\s*route to: 10\.47\.0\.2$/m);
    expect(out).toMatch(/^\s*destination: 10\.47\.0\.0$/m);
    expect(out).toMatch(/^\s+mask: 255\.255\.255\.0$/m);
    expect(out).toMatch(/^\s+interface: en0$/m);
    expect(out).toMatch(/^\s+flags: <UP[^>]*>$/m);
  });
});
