// QoS through the whole runtime: two netrino runtimes, each with io-pkt, two virtual Ethernet
// interfaces on two separate UDP wires (en0, en1) and lsm-qnet bound to both. Paths with
// `~preferred:en1` / `~exclusive:en1` reach the other node; when node2 takes en1 down, a large
// loadbalanced copy started just before still arrives with identical bytes, `~exclusive:en1`
// fails with "Host is down" and `~preferred:en1` falls back; when en1 comes back it is probed,
// rejoins, and `~exclusive:en1` works again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Runtime } from "../netutil/runtime.ts";
import { settle } from "../../helpers/wait.ts";

/** Asks the runtimes again after each turn of the event loop (no fixed delay). */
function until(what: string, ok: () => Promise<boolean>, ms = 15_000): Promise<void> {
  return settle(ok, what, ms);
}

// Two UDP wires (one per link) on loopback, away from lsm-qnet.test.ts's.
const PORT = 47000 + 2 * (process.pid % 1000);

describe("lsm-qnet QoS over two links", () => {
  let n1: Runtime;
  let n2: Runtime;
  const line = "0123456789abcdef".repeat(4) + "\n";

  beforeAll(async () => {
    const hubs = (n: number) =>
      [0, 1].flatMap((i) => ["-d", "vwire", `udp=127.0.0.1:${PORT + i},mac=0200000${n}000${i}`]);
    n1 = await Runtime.boot("node1");
    n2 = await Runtime.boot("node2");
    await n1.startIoPkt([...hubs(1), "-p", "qnet", "auto_add=5"]);
    await n2.startIoPkt([...hubs(2), "-p", "qnet", "auto_add=5"]);
    for (const n of [n1, n2]) for (const i of ["en0", "en1"]) await n.ok(["ifconfig", i, "up"]);
    await n2.writeFile("/tmp/small", "hello\n");
    await n2.writeFile("/tmp/big", line.repeat(20_000)); // 1.3 MB
    await until("node2 in /net", async () => (await n1.sh(["ls", "/net"])).stdout.includes("node2"));
  }, 60_000);

  afterAll(async () => {
    await n1?.shutdown();
    await n2?.shutdown();
  });

  const cat = (path: string) => n1.sh(["cat", path]);

  it("reaches the other node through each policy while both links live", async () => {
    for (const q of ["", "~loadbalance", "~preferred:en1", "~exclusive:en1", "~exclusive:en0"])
      expect((await cat(`/net/node2${q}/tmp/small`)).stdout).toBe("hello\n");
    const bad = await cat("/net/node2~exclusive:en7/tmp/small");
    expect(bad.status).not.toBe(0);
  });

  it("fails over when en1 goes down mid-transfer, and en1 rejoins when it comes back", async () => {
    const copy = n1.sh(["cp", "/net/node2/tmp/big", "/tmp/big"]);
    await n2.ok(["ifconfig", "en1", "down"]);
    expect((await copy).status).toBe(0);
    expect(await n1.ok(["cat", "/tmp/big"])).toBe(await n2.ok(["cat", "/tmp/big"]));
    // Once en1 is declared dead: exclusive to it fails, preferred falls back.
    await until(
      "~exclusive:en1 to fail",
      async () => (await cat("/net/node2~exclusive:en1/tmp/small")).status !== 0,
    );
    expect((await cat("/net/node2~exclusive:en1/tmp/small")).stderr).toMatch(/Host is down/);
    expect((await cat("/net/node2~preferred:en1/tmp/small")).stdout).toBe("hello\n");
    expect((await cat("/net/node2~exclusive:en0/tmp/small")).stdout).toBe("hello\n");
    await n2.ok(["ifconfig", "en1", "up"]);
    await until("en1 to rejoin", async () => (await cat("/net/node2~exclusive:en1/tmp/small")).status === 0);
    expect((await cat("/net/node2~exclusive:en1/tmp/small")).stdout).toBe("hello\n");
  }, 60_000);
});
