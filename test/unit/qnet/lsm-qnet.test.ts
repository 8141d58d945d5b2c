// Two netrino runtimes in this process, each with io-pkt, a virtual Ethernet interface on one
// UDP wire and lsm-qnet: /net lists the other node, paths under /net/<node>/ reach its
// resource managers (readdir, stat, open/read, write), rmdir forgets a node, the node name
// follows `hostname`, and the module's options are checked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Runtime } from "../netutil/runtime.ts";
import type { QnetKernelLink } from "../../../firmware/net/qnet/kernel-link.ts";
import { settle } from "../../helpers/wait.ts";

const PORT = 49000 + (process.pid % 1000);

/** Asks the runtimes again after each turn of the event loop (no fixed delay). */
function until(what: string, ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
  return settle(ok, what, ms);
}

describe("lsm-qnet between two runtimes", () => {
  let n1: Runtime;
  let n2: Runtime;

  beforeAll(async () => {
    n1 = await Runtime.boot("node1");
    n2 = await Runtime.boot("node2");
    await n1.startIoPkt(["-d", "vwire", `udp=127.0.0.1:${PORT}`, "-p", "qnet", "auto_add=5"]);
    await n2.startIoPkt(["-d", "vwire", `udp=127.0.0.1:${PORT}`, "-p", "qnet", "auto_add=5"]);
    await n1.ok(["ifconfig", "en0", "up"]);
    await n2.ok(["ifconfig", "en0", "up"]);
    await n2.writeFile("/tmp/greeting", "hello from node2\n".repeat(500));
  }, 30_000);

  afterAll(async () => {
    await n1?.shutdown();
    await n2?.shutdown();
  });

  it("lists the other node in /net", async () => {
    await until("node2 in /net", async () => (await n1.sh(["ls", "/net"])).stdout.includes("node2"));
    const out = await n1.ok(["ls", "/net"]);
    expect(out.split(/\s+/)).toEqual(expect.arrayContaining(["node1", "node2"]));
    const long = await n1.ok(["ls", "-l", "/net"]);
    expect(long).toMatch(/^d.* node2$/m);
  });

  it("lists a directory of the other node and reads its file", async () => {
    await until("node2 in /net", async () => (await n1.sh(["ls", "/net"])).stdout.includes("node2"));
    const dev = await n1.ok(["ls", "/net/node2/dev"]);
    expect(dev).toMatch(/socket/);
    const tmp = await n1.ok(["ls", "/net/node2/tmp"]);
    expect(tmp).toMatch(/greeting/);
    await n1.ok(["cp", "/net/node2/tmp/greeting", "/tmp/copy"]);
    const here = await n1.ok(["cat", "/tmp/copy"]);
    const there = await n2.ok(["cat", "/tmp/greeting"]);
    expect(here).toBe(there);
  });

  it("writes a file on the other node", async () => {
    await n1.ok(["cp", "/tmp/copy", "/net/node2/tmp/from-node1"]);
    expect(await n2.ok(["cat", "/tmp/from-node1"])).toBe(await n1.ok(["cat", "/tmp/copy"]));
  });

  it("fails a path naming an unknown node with ENOENT", async () => {
    const r = await n1.sh(["ls", "/net/nosuchnode/dev"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/No such file or directory|nosuchnode/);
  });

  it("SOCK=/net/node2 makes the network utilities use node2's stack", async () => {
    await n2.ok(["ifconfig", "en0", "10.77.0.2/24"]);
    expect(await n1.ok(["ifconfig", "en0"], { sock: "/net/node2" })).toMatch(/inet 10\.77\.0\.2 /);
    expect(await n1.ok(["ifconfig", "en0"])).not.toMatch(/10\.77\.0\.2/);
  });

  it("a third node loads Qnet with mount -T io-pkt and sees both others", async () => {
    const n3 = await Runtime.boot("localhost");
    try {
      await n3.startIoPkt(["-d", "vwire", `udp=127.0.0.1:${PORT}`]);
      await n3.ok(["ifconfig", "en0", "up"]);
      const bad = await n3.sh(["mount", "-T", "io-pkt", "-o", "resolve=nis", "lsm-qnet"]);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/resolve needs ndp, dns, file or file:\/path, not "nis"/);
      await n3.ok(["mount", "-T", "io-pkt", "-o", "auto_add=5,host=charlie", "lsm-qnet"]);
      await until("both nodes at charlie", async () => {
        const out = (await n3.sh(["ls", "/net"])).stdout.split(/\s+/);
        return out.includes("node1") && out.includes("node2");
      });
      await until("charlie at node1", async () => (await n1.sh(["ls", "/net"])).stdout.includes("charlie"));
      expect(await n3.ok(["ls", "/net/node2/tmp"])).toMatch(/greeting/);
    } finally {
      await n3.shutdown();
    }
  });

  it("forgets a node on rmdir and finds it again", async () => {
    await n1.ok(["rmdir", "/net/node2"]);
    const link = n1.kernel.netTransport as QnetKernelLink;
    expect(() => link.nodeNd("node2")).not.toThrow(); // asks the resolver again
    await until("node2 back", async () => (await n1.sh(["ls", "/net"])).stdout.includes("node2"));
  });

  it("unblocks a client waiting on node2 with EHOSTDOWN when node2 dies", async () => {
    let srv = { pid: 0, chid: 0 };
    const started = new Promise<void>((resolve) => {
      const proc = n2.kernel.spawn({
        name: "silent",
        main: async (t) => {
          srv = { pid: proc.pid, chid: t.ChannelCreate() };
          resolve();
          await t.MsgReceive(srv.chid); // and never replies
          await new Promise(() => {});
        },
      });
    });
    await started;
    const nd = await n1.kernel.netTransport!.nodeNd("node2");
    const result = new Promise<string>((resolve) => {
      n1.kernel.spawn({
        name: "client",
        main: async (t) => {
          try {
            await t.MsgSend(t.ConnectAttach(nd, srv.pid, srv.chid), new Uint8Array(8));
            resolve("replied");
          } catch (e) {
            resolve((e as { errno?: string }).errno ?? String(e));
          }
        },
      });
    });
    await until("the client blocked", async () =>
      [...n1.kernel.procs.values()].some(
        (p) => p.name === "client" && p.threads.get(1)?.state === "NET_REPLY",
      ),
    );
    await n2.shutdown();
    expect(await result).toBe("EHOSTDOWN");
  }, 20_000);
});
