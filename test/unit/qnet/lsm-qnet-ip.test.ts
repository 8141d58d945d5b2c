// bind=ip: Qnet over IPv4 protocol 106 through io-pkt's IP layer. alpha (10.61.1.2) and bravo
// (10.61.2.2) sit on two UDP wires joined by a third runtime routing between 10.61.1.0/24 and
// 10.61.2.0/24; each knows the other from resolve=file. alpha lists and reads bravo's files and
// sends it a message, bravo writes to alpha, all through the router; with auth= too. A capture
// on alpha decodes in tshark as qnet6 over IP (eth:ethertype:ip:lwl4), none malformed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasCommand } from "../../helpers/requirements.ts";
import { Runtime } from "../netutil/runtime.ts";

const PORT = 45000 + 2 * (process.pid % 500);
const wire = (i: number, mac: string) => ["-d", "vwire", `udp=127.0.0.1:${PORT + i},mac=${mac}`];
const KEY = "an ip key, thirty-two bytes long\n";

describe("lsm-qnet bind=ip through a router", () => {
  let router: Runtime;
  let alpha: Runtime;
  let bravo: Runtime;
  const dir = mkdtempSync(join(tmpdir(), "netrino-qnet-ip-"));

  beforeAll(async () => {
    [router, alpha, bravo] = await Promise.all(["router", "alpha", "bravo"].map((h) => Runtime.boot(h)));
    await router.startIoPkt([...wire(0, "020000610001"), ...wire(1, "020000610101")]);
    await router.ok(["ifconfig", "en0", "10.61.1.1/24"]);
    await router.ok(["ifconfig", "en1", "10.61.2.1/24"]);
    await router.ok(["sysctl", "-w", "net.inet.ip.forwarding=1"]);
    await alpha.writeFile("/tmp/qnet.hosts", "bravo 10.61.2.2\n");
    await bravo.writeFile("/tmp/qnet.hosts", "alpha 10.61.1.2\n");
    for (const n of [alpha, bravo]) await n.writeFile("/tmp/qnet.key", KEY);
    await bravo.writeFile("/tmp/greeting", "hello across a router\n".repeat(300));
    const qnet = ["-p", "qnet", "bind=ip,resolve=file:/tmp/qnet.hosts,auto_add=0,auth=/tmp/qnet.key"];
    await alpha.startIoPkt([...wire(0, "020000610002"), ...qnet]);
    await bravo.startIoPkt([...wire(1, "020000610102"), ...qnet]);
    await alpha.ok(["ifconfig", "en0", "10.61.1.2/24"]);
    await bravo.ok(["ifconfig", "en0", "10.61.2.2/24"]);
    await alpha.ok(["route", "add", "default", "10.61.1.1"]);
    await bravo.ok(["route", "add", "default", "10.61.2.1"]);
  }, 30_000);

  afterAll(async () => {
    for (const n of [router, alpha, bravo]) await n?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists, reads and writes the other node's files through the router", async () => {
    expect((await alpha.ok(["ls", "/net"])).split(/\s+/)).toEqual(expect.arrayContaining(["alpha", "bravo"]));
    const capture = alpha.sh(["tcpdump", "-i", "en0", "-c", "12", "-w", "/tmp/q.pcap", "ip", "proto", "106"]);
    expect(await alpha.ok(["ls", "/net/bravo/tmp"])).toMatch(/greeting/);
    expect(await alpha.ok(["cat", "/net/bravo/tmp/greeting"])).toBe("hello across a router\n".repeat(300));
    await bravo.ok(["cp", "/net/bravo/tmp/greeting", "/net/alpha/tmp/copy"]);
    expect(await alpha.ok(["cat", "/tmp/copy"])).toBe("hello across a router\n".repeat(300));
    expect((await capture).status).toBe(0);
    const stats = await alpha.ok(["cat", "/proc/qnetstats"]);
    expect(stats).toMatch(/^qnet: node alpha on ip$/m);
    expect(stats).toMatch(/^auth dropped: auth-missing 0, auth-bad 0, auth-replay 0$/m);
    // The router forwarded it all.
    expect(await router.ok(["netstat", "-s"])).toMatch(/[1-9]\d* packets? forwarded/);
    if (!hasCommand("tshark")) return;
    const file = join(dir, "ip.pcap");
    writeFileSync(file, await alpha.readFile("/tmp/q.pcap"));
    const t = (args: string[]) => spawnSync("tshark", ["-r", file, ...args], { encoding: "utf8" }).stdout;
    const protos = t(["-T", "fields", "-e", "frame.protocols", "-e", "_ws.col.Protocol"])
      .trimEnd()
      .split("\n");
    expect(protos).toHaveLength(12);
    for (const p of protos) expect(p).toMatch(/^eth:ethertype:ip:lwl4\tQNET_(KIF|LWL4|QOS|LR)$/);
    expect(t(["-T", "fields", "-e", "_ws.col.Info"])).toMatch(/MsgSend|MsgReply|Ack/);
    expect(t(["-Y", "_ws.malformed"]).trim()).toBe("");
  }, 30_000);

  it("a node not in the file is ENOENT; bind=ip needs a static or DNS resolver", async () => {
    const r = await alpha.sh(["ls", "/net/charlie/dev"]);
    expect(r.stderr).toMatch(/No such file or directory/);
    const n = await Runtime.boot("delta");
    try {
      await n.startIoPkt(wire(0, "020000610003"));
      const bad = await n.sh(["mount", "-T", "io-pkt", "-o", "bind=ip", "lsm-qnet"]);
      expect(bad.status).not.toBe(0);
      expect(await n.ok(["sloginfo"])).toMatch(/bind=ip needs resolve=file or resolve=dns/);
    } finally {
      await n.shutdown();
    }
  });
});
