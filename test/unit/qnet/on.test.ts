// `on` between two runtimes on one UDP wire (lsm-qnet on both), option by option as QNX's on:
// -n runs the program found on the asking node, -f the one found on the other node; -p sets
// the priority, -d does not wait, -t opens a terminal (here: a file) of the node the program
// runs on as its 0, 1 and 2, -w waits for a path first. Programs are `#!builtin` files in
// /tmp/bin, which only the node meant to have them has. The test harness keeps a utility's
// stdio in memory, where the other node cannot reach it, so what a program prints there is
// read back from the file `-t` gave it on node2.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Runtime } from "../netutil/runtime.ts";
import * as fsc from "../../../firmware/resmgr/client.ts";
import * as C from "../../../firmware/resmgr/io-constants.ts";

const PORT = 46000 + (process.pid % 1000);
const PATH = { PATH: "/tmp/bin" };

/** Writes a `#!builtin name` program at `path` on `rt` (mode 0755). */
async function builtinFile(rt: Runtime, path: string, name: string): Promise<void> {
  const p = rt.kernel.spawn({
    name: "install",
    main: async (t) => {
      await fsc.mkdir(t, "/tmp/bin", 0o755).catch(() => undefined);
      const fd = await fsc.open(t, path, C.O_WRONLY | C.O_CREAT | C.O_TRUNC, 0o755);
      await fsc.write(t, fd, new TextEncoder().encode(`#!builtin ${name}\n`));
      await fsc.close(t, fd);
    },
  });
  if ((await p.wait()) !== 0) throw new Error(`installing ${path} failed`);
}

describe("on between two nodes", () => {
  let n1: Runtime;
  let n2: Runtime;
  const on = (args: string[], uid?: number) => n1.sh(["on", ...args], { env: PATH, uid });
  /** `on -t /tmp/out args` and what the program wrote to node2's /tmp/out. */
  const onOut = async (args: string[], uid?: number) => {
    await n2.writeFile("/tmp/out", "");
    const r = await on(["-t", "/tmp/out", ...args], uid);
    return { status: r.status, stderr: r.stderr, out: await n2.ok(["cat", "/tmp/out"]) };
  };

  beforeAll(async () => {
    n1 = await Runtime.boot("node1");
    n2 = await Runtime.boot("node2");
    for (const n of [n1, n2]) {
      await n.startIoPkt(["-d", "vwire", `udp=127.0.0.1:${PORT}`, "-p", "qnet", "auto_add=5"]);
      await n.ok(["ifconfig", "en0", "up"]);
    }
    await builtinFile(n1, "/tmp/bin/here", "hostname");
    await builtinFile(n2, "/tmp/bin/there", "hostname");
    for (const n of [n1, n2]) {
      await builtinFile(n, "/tmp/bin/pidin", "pidin");
      await builtinFile(n, "/tmp/bin/sleep", "sleep");
    }
    // Until node2 answers (the resolver needs a few ticks): each try is a round trip.
    for (let i = 0; i < 200 && (await onOut(["-f", "node2", "there"])).status !== 0; i++);
  }, 30_000);

  afterAll(async () => {
    await n1?.shutdown();
    await n2?.shutdown();
  });

  it("-n runs the program found on this node, on the other node", async () => {
    expect(await onOut(["-n", "node2", "here"])).toEqual({ status: 0, stderr: "", out: "node2\n" });
    // Not on this node's PATH: not found here, whatever node2 has.
    const r = await onOut(["-n", "node2", "there"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/there/);
  });

  it("-f runs the program found on the other node's PATH, and -t opens node2's file as its stdio", async () => {
    expect(await onOut(["-f", "node2", "there"])).toEqual({ status: 0, stderr: "", out: "node2\n" });
    const r = await onOut(["-f", "node2", "here"]);
    expect(r.status).toBe(127);
    expect(r.out).toMatch(/on: here: /);
    expect((await on(["-n", "node2", "-f", "node2", "here"])).stderr).toMatch(/only one of -n and -f/);
  });

  it("-p runs the program at that priority; above 63 only for root", async () => {
    expect((await onOut(["-p", "33", "-f", "node2", "pidin"])).out).toMatch(/\bpidin\s+33r /);
    expect((await onOut(["-p", "20r", "-f", "node2", "pidin"])).out).toMatch(/\bpidin\s+20r /);
    expect((await on(["-p", "20f", "-f", "node2", "pidin"])).stderr).toMatch(/round-robin only/);
    const user = await on(["-p", "70", "-f", "node2", "pidin"], 100);
    expect(user.status).not.toBe(0);
    expect(user.stderr).toMatch(/needs root/);
    expect((await on(["-p", "12x", "-f", "node2", "pidin"])).stderr).toMatch(/invalid priority/);
  });

  it("-d returns at once while the program keeps running on the other node", async () => {
    expect((await on(["-d", "-f", "node2", "sleep", "600"])).status).toBe(0);
    const line = (await n2.ok(["pidin"])).split("\n").find((l) => /\bsleep\b/.test(l));
    expect(line).toBeDefined();
    await n2.ok(["kill", (line as string).trim().split(/\s+/)[0]]);
  });

  it("-w waits for the path before running the program", async () => {
    await n2.writeFile("/tmp/out", "");
    let done = false;
    const waiting = on(["-w", "/net/node2/tmp/flag", "-t", "/tmp/out", "-f", "node2", "there"]).finally(
      () => (done = true),
    );
    // on is still waiting after several round trips to node2.
    for (let i = 0; i < 5; i++) await n1.ok(["ls", "/net/node2/tmp"]);
    expect(done).toBe(false);
    await n2.writeFile("/tmp/flag", "x");
    expect((await waiting).status).toBe(0);
    expect(await n2.ok(["cat", "/tmp/out"])).toBe("node2\n");
  });
});
