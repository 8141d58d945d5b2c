// resolve=file between two runtimes on one UDP wire with no announcements (auto_add=0) and no
// LAN resolver: each node knows the other only from its static table (QNX's
// `name[.domain] mac[,mac]` lines), lists it in /net, reads its files; a node not in the file is
// ENOENT without any broadcast; a node added to the file later is found on the next lookup.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Runtime } from "../netutil/runtime.ts";

const PORT = 46000 + (process.pid % 1000);
const wire = (mac: string) => ["-d", "vwire", `mac=${mac},udp=127.0.0.1:${PORT}`];
const QNET = ["-p", "qnet", "auto_add=0,resolve=file:/tmp/qnet.hosts"];

describe("lsm-qnet with resolve=file", () => {
  let alpha: Runtime;
  let bravo: Runtime;

  beforeAll(async () => {
    [alpha, bravo] = await Promise.all([Runtime.boot("alpha"), Runtime.boot("bravo")]);
    await alpha.writeFile(
      "/tmp/qnet.hosts",
      "# our nodes\nbravo 02:00:00:00:0a:02\nalpha 02:00:00:00:0a:01\n",
    );
    await bravo.writeFile("/tmp/qnet.hosts", "alpha 02:00:00:00:0a:01\n");
    await bravo.writeFile("/tmp/greeting", "hello over a static table\n");
    await alpha.startIoPkt([...wire("020000000a01"), ...QNET]);
    await bravo.startIoPkt([...wire("020000000a02"), ...QNET]);
    for (const n of [alpha, bravo]) await n.ok(["ifconfig", "en0", "up"]);
  }, 30_000);

  afterAll(async () => {
    for (const n of [alpha, bravo]) await n?.shutdown();
  });

  it("lists and reaches the nodes of the file without the LAN resolver", async () => {
    expect((await alpha.ok(["ls", "/net"])).split(/\s+/)).toEqual(expect.arrayContaining(["alpha", "bravo"]));
    expect(await alpha.ok(["cat", "/net/bravo/tmp/greeting"])).toBe("hello over a static table\n");
    expect(await bravo.ok(["ls", "/net/alpha/dev"])).toMatch(/socket/);
    for (const n of [alpha, bravo])
      expect(await n.ok(["cat", "/proc/qnetstats"])).toMatch(
        /^resolver: requests 0, probes \d+, replies \d+, announcements 0,/m,
      );
  });

  it("a node not in the file is ENOENT, without a broadcast", async () => {
    const r = await alpha.sh(["ls", "/net/zulu/dev"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/No such file or directory/);
    expect(await alpha.ok(["cat", "/proc/qnetstats"])).toMatch(/^resolver: requests 0,/m);
  });

  it("reads the file again for a name it does not know", async () => {
    const charlie = await Runtime.boot("charlie");
    try {
      await charlie.writeFile("/tmp/qnet.hosts", "alpha 02:00:00:00:0a:01\n");
      await charlie.writeFile("/tmp/mark", "charlie's\n");
      await charlie.startIoPkt([...wire("020000000a03"), ...QNET]);
      await charlie.ok(["ifconfig", "en0", "up"]);
      expect((await alpha.sh(["ls", "/net/charlie/tmp"])).status).not.toBe(0);
      await alpha.writeFile("/tmp/qnet.hosts", "bravo 02:00:00:00:0a:02\ncharlie 02:00:00:00:0a:03\n");
      expect(await alpha.ok(["cat", "/net/charlie/tmp/mark"])).toBe("charlie's\n");
    } finally {
      await charlie.shutdown();
    }
  });

  it("reports bad lines in the log and keeps the good ones", async () => {
    const n = await Runtime.boot("delta");
    try {
      await n.writeFile("/tmp/qnet.hosts", "bravo 02:00:00:00:0a:02\nbroken\n");
      await n.startIoPkt([...wire("020000000a04"), ...QNET]);
      expect((await n.ok(["ls", "/net"])).split(/\s+/)).toContain("bravo");
      expect(await n.ok(["sloginfo"])).toMatch(/qnet: \/tmp\/qnet.hosts: line 2: expected/);
      const dns = await n.sh(["mount", "-T", "io-pkt", "-o", "resolve=dns", "lsm-qnet"]);
      expect(dns.status).not.toBe(0);
      expect(await n.ok(["sloginfo"])).toMatch(/resolve=dns needs bind=ip/);
    } finally {
      await n.shutdown();
    }
  });
});
