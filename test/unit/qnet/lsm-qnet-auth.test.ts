// auth=/tmp/qnet.key between runtimes in this process on one UDP wire: alpha and bravo share
// the key and work as usual (/net, paths, MsgSend); charlie, without the key, hears their names
// (announcements are authenticated, not secret) but cannot list, open, write or send on them,
// and is never listed by them; delta, with another key, neither. /proc/qnetstats counts the
// frames refused by reason. A missing or short key file fails the load with a clear error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settle } from "../../helpers/wait.ts";
import { Runtime } from "../netutil/runtime.ts";

const PORT = 47000 + (process.pid % 1000);
const KEY = "0123456789abcdef0123456789abcdef\n";

/** Re-asks the runtime each event-loop turn until `ok` (no fixed delay). */
const until = (what: string, ok: () => Promise<boolean>): Promise<void> => settle(ok, what);

/** The auth counters of /proc/qnetstats. */
async function authDrops(n: Runtime): Promise<{ missing: number; bad: number; replay: number }> {
  const m = /auth dropped: auth-missing (\d+), auth-bad (\d+), auth-replay (\d+)/.exec(
    await n.ok(["cat", "/proc/qnetstats"]),
  );
  if (!m) throw new Error("no auth counters in /proc/qnetstats");
  return { missing: Number(m[1]), bad: Number(m[2]), replay: Number(m[3]) };
}

/** A MsgSend from a program on `from` to a server on `to`: the reply text, or the errno. */
async function remoteSend(from: Runtime, to: Runtime, node: string): Promise<string> {
  let srv = { pid: 0, chid: 0 };
  const started = new Promise<void>((resolve) => {
    const proc = to.kernel.spawn({
      name: "echo",
      main: async (t) => {
        srv = { pid: proc.pid, chid: t.ChannelCreate() };
        resolve();
        for (;;) {
          const r = await t.MsgReceive(srv.chid);
          t.MsgReply(r.rcvid, 0, new TextEncoder().encode("pong"));
        }
      },
    });
  });
  await started;
  return new Promise<string>((resolve) => {
    from.kernel.spawn({
      name: "client",
      main: async (t) => {
        try {
          const nd = await from.kernel.netTransport!.nodeNd(node);
          const reply = await t.MsgSend(t.ConnectAttach(nd, srv.pid, srv.chid), new Uint8Array(8));
          resolve(new TextDecoder().decode(reply));
        } catch (e) {
          resolve((e as { errno?: string }).errno ?? String(e));
        }
      },
    });
  });
}

describe("lsm-qnet with auth=", () => {
  let alpha: Runtime;
  let bravo: Runtime;
  let charlie: Runtime;
  let delta: Runtime;
  const wire = ["-d", "vwire", `udp=127.0.0.1:${PORT}`];

  beforeAll(async () => {
    [alpha, bravo, charlie, delta] = await Promise.all(
      ["alpha", "bravo", "charlie", "delta"].map((h) => Runtime.boot(h)),
    );
    await alpha.writeFile("/tmp/qnet.key", KEY);
    await bravo.writeFile("/tmp/qnet.key", KEY);
    await delta.writeFile("/tmp/qnet.key", "another key, also long enough\n");
    await bravo.writeFile("/tmp/greeting", "hello from bravo\n".repeat(200));
    await alpha.startIoPkt([...wire, "-p", "qnet", "auto_add=5,auth=/tmp/qnet.key"]);
    await bravo.startIoPkt([...wire, "-p", "qnet", "auto_add=5,auth=/tmp/qnet.key"]);
    await charlie.startIoPkt([...wire, "-p", "qnet", "auto_add=5,tx_retries=2"]);
    await delta.startIoPkt([...wire, "-p", "qnet", "auto_add=5,tx_retries=2,auth=/tmp/qnet.key"]);
    for (const n of [alpha, bravo, charlie, delta]) await n.ok(["ifconfig", "en0", "up"]);
  }, 30_000);

  afterAll(async () => {
    for (const n of [alpha, bravo, charlie, delta]) await n?.shutdown();
  });

  it("nodes sharing the key list, read, write and send to each other", async () => {
    await until("bravo in alpha's /net", async () =>
      (await alpha.sh(["ls", "/net"])).stdout.includes("bravo"),
    );
    expect(await alpha.ok(["cat", "/net/bravo/tmp/greeting"])).toBe("hello from bravo\n".repeat(200));
    await alpha.ok(["cp", "/net/bravo/tmp/greeting", "/net/bravo/tmp/back"]);
    expect(await bravo.ok(["cat", "/tmp/back"])).toBe("hello from bravo\n".repeat(200));
    expect(await remoteSend(alpha, bravo, "bravo")).toBe("pong");
    const stats = await alpha.ok(["cat", "/proc/qnetstats"]);
    expect(stats).toMatch(/^qnet: node alpha on en0$/m);
    expect(stats).toMatch(/^auth: key \/tmp\/qnet.key: sealed \d+, accepted [1-9]\d*$/m);
    expect(stats).toMatch(/^node \d+: bravo$/m);
  });

  it("a node without the key cannot list, open, write or send; the drops are counted", async () => {
    // Charlie hears the others' announcements (authenticated, not secret), so it knows names.
    await until("alpha in charlie's /net", async () =>
      (await charlie.sh(["ls", "/net"])).stdout.includes("alpha"),
    );
    const before = await authDrops(alpha);
    const ls = await charlie.sh(["ls", "/net/alpha/tmp"]);
    expect(ls.status).not.toBe(0);
    expect(ls.stderr).toMatch(/Host is down/);
    const cat = await charlie.sh(["cat", "/net/bravo/tmp/greeting"]);
    expect(cat.status).not.toBe(0);
    expect(cat.stdout).toBe("");
    const cp = await charlie.sh(["cp", "/etc/hosts", "/net/bravo/tmp/intruder"]);
    expect(cp.status).not.toBe(0);
    expect((await bravo.sh(["ls", "/tmp/intruder"])).status).not.toBe(0);
    expect(await remoteSend(charlie, alpha, "alpha")).toBe("EHOSTDOWN");
    // Charlie's frames (resolver, TCS_INIT) were refused as carrying no trailer.
    const after = await authDrops(alpha);
    expect(after.missing).toBeGreaterThan(before.missing);
    expect((await alpha.ok(["ls", "/net"])).split(/\s+/)).not.toContain("charlie");
  }, 30_000);

  it("a node with another key cannot either; its frames count as auth-bad", async () => {
    await until("delta's frames refused at alpha", async () => (await authDrops(alpha)).bad > 0);
    // Each side refuses the other's frames, so neither ever learns the other.
    const ls = await delta.sh(["ls", "/net/alpha/dev"]);
    expect(ls.status).not.toBe(0);
    expect(ls.stderr).toMatch(/No such file or directory/);
    expect((await authDrops(delta)).bad).toBeGreaterThan(0);
    expect((await delta.ok(["ls", "/net"])).split(/\s+/)).not.toContain("alpha");
    expect((await alpha.ok(["ls", "/net"])).split(/\s+/)).not.toContain("delta");
  }, 30_000);

  it("refuses to load with a missing or short key file", async () => {
    const n = await Runtime.boot("echo");
    try {
      await n.startIoPkt(wire);
      const missing = await n.sh(["mount", "-T", "io-pkt", "-o", "auth=/tmp/nokey", "lsm-qnet"]);
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toMatch(/No such file or directory/);
      await n.writeFile("/tmp/short.key", "tiny\n");
      const short = await n.sh(["mount", "-T", "io-pkt", "-o", "auth=/tmp/short.key", "lsm-qnet"]);
      expect(short.status).not.toBe(0);
      expect(short.stderr).toMatch(/Invalid argument/);
      // mount reports the errno; io-pkt's log says what is wrong.
      const log = await n.ok(["sloginfo"]);
      expect(log).toMatch(/auth key \/tmp\/nokey: .*No such file/);
      expect(log).toMatch(/auth key \/tmp\/short.key has 4 bytes; at least 16 are needed/);
      const rel = await n.sh(["mount", "-T", "io-pkt", "-o", "auth=qnet.key", "lsm-qnet"]);
      expect(rel.stderr).toMatch(/auth needs an absolute path, not "qnet.key"/);
    } finally {
      await n.shutdown();
    }
  });
});
