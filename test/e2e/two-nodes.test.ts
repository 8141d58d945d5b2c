// Two `netrino boot buildfiles/host.build` runs on one machine, as a person would start them:
// both with the defaults, so the second one finds 10.47.0.1 taken and settles on 10.47.0.2.
// They share a UDP wire on a hub port of their own (not the default 47300), and node1 pings
// node2. The consoles are pipes; every wait is for output, never a fixed sleep.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { Signal } from "../helpers/wait.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const PROMPT = "/ # ";
// A hub port of this run: concurrent runs (and a developer's own `npm start`) stay apart.
const HUB_PORT = 47400 + (process.pid % 2000);

class Node {
  readonly proc: ChildProcess;
  output = "";
  private readonly changed = new Signal();
  private marks = 0;

  constructor(defines: readonly string[]) {
    const args = ["images/cli/netrino.js", "boot", "buildfiles/host.build"];
    for (const d of [`NETRINO_WIRE=127.0.0.1:${HUB_PORT}`, ...defines]) args.push("-D", d);
    this.proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    const take = (b: Buffer): void => {
      this.output += b.toString("utf8");
      this.changed.notify();
    };
    this.proc.stdout?.on("data", take);
    this.proc.stderr?.on("data", take);
    this.proc.on("exit", this.changed.notify);
  }

  async waitFor(pattern: string | RegExp, timeoutMs = 30_000, from = 0): Promise<string> {
    const found = (): boolean => {
      const s = this.output.slice(from);
      return typeof pattern === "string" ? s.includes(pattern) : pattern.test(s);
    };
    // Re-checked at each chunk of console output (or the node's exit), never on a timer.
    await this.changed
      .until(() => found() || this.proc.exitCode !== null, String(pattern), timeoutMs)
      .catch(() => undefined);
    if (!found()) throw new Error(`waiting for ${String(pattern)}; the console shows:\n${this.output}`);
    return this.output.slice(from);
  }

  /** Runs a command line on the console and returns what it printed. */
  async run(line: string, timeoutMs = 20_000): Promise<string> {
    const from = this.output.length;
    const n = ++this.marks;
    // The console echoes the line: END""n is printed as ENDn only by the shell's echo.
    this.proc.stdin?.write(`${line}; echo END""${n}\n`);
    const out = await this.waitFor(new RegExp(`^END${n}\\r?$`, "m"), timeoutMs, from);
    const start = out.indexOf("\n") + 1;
    return out.slice(start, out.search(new RegExp(`^END${n}\\r?$`, "m")));
  }

  stop(): void {
    if (this.proc.exitCode === null) this.proc.kill("SIGTERM");
  }
}

/** `ls /net` until `name` is listed (the LAN resolver answers within a few ticks). */
async function waitForNode(node: Node, name: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const out = await node.run("ls -1 /net");
    if (new RegExp(`^${name}\\r?$`, "m").test(out)) return out;
  }
  throw new Error(`${name} never appeared in /net:\n${node.output}`);
}

describe("two nodes on one machine", () => {
  let node1: Node;
  let node2: Node;

  beforeAll(async () => {
    node1 = new Node([]);
    await node1.waitFor(PROMPT);
    // Started after node1 is up, as someone opening a second terminal would.
    node2 = new Node([]);
    await node2.waitFor(PROMPT);
  }, 90_000);

  afterAll(() => {
    node1?.stop();
    node2?.stop();
  });

  it("gives each node its own address and name by default", async () => {
    expect(node1.output).toContain("This is node1, en0 10.47.0.1.");
    expect(node2.output).toContain("This is node2, en0 10.47.0.2.");
    expect(await node2.run("hostname")).toMatch(/^node2\r?$/m);
    expect(await node2.run("ifconfig en0")).toMatch(/inet 10\.47\.0\.2 netmask 0xffffff00/);
  });

  it("node2 saw that 10.47.0.1 was taken (duplicate-address warning)", async () => {
    expect(await node2.run("sloginfo")).toMatch(/arp: duplicate IP address 10\.47\.0\.1 sent from/);
  });

  it("node1 pings node2 with 0% packet loss", async () => {
    const out = await node1.run("ping -c 3 10.47.0.2");
    expect(out).toMatch(/64 bytes from 10\.47\.0\.2: icmp_seq=0/);
    expect(out).toMatch(/3 packets transmitted, 3 packets received, 0\.0% packet loss/);
  });

  it("arp -a on node1 shows node2's MAC address", async () => {
    const mac = /address: ([0-9a-f:]{17})/.exec(await node2.run("ifconfig en0"))?.[1];
    expect(mac).toBeDefined();
    expect(await node1.run("arp -a")).toContain(`? (10.47.0.2) at ${mac} on en0`);
  });

  it("Qnet: node1 lists node2 in /net, and reads node2's /dev and /etc/hosts through it", async () => {
    expect(await waitForNode(node1, "node2")).toMatch(/^node2\r?$/m);
    expect(await node1.run("ls -1 /net/node2/dev")).toMatch(/^ser1\r?$/m);
    const remote = await node1.run("cat /net/node2/etc/hosts");
    expect(remote).toMatch(/127\.0\.0\.1\s+localhost/);
    expect(remote).toBe(await node2.run("cat /etc/hosts"));
  });

  it("Qnet: node2 sees node1 too, and writes a file on it", async () => {
    expect(await waitForNode(node2, "node1")).toMatch(/^node1\r?$/m);
    await node2.run("echo written-by-node2 > /net/node1/tmp/qnet-note");
    expect(await node1.run("cat /tmp/qnet-note")).toMatch(/^written-by-node2\r?$/m);
  });

  it("Qnet: on -n node2 runs a program on node2 with its output on node1's console", async () => {
    await waitForNode(node1, "node2");
    expect(await node1.run("on -n node2 hostname")).toMatch(/^node2\r?$/m);
    const ps = await node1.run("on -n node2 pidin");
    expect(ps).toMatch(/pid tid name/);
    // node2's own processes: its io-pkt, and the helper running pidin for node1.
    expect(ps).toMatch(/io-pkt/);
    expect(ps).toMatch(/\bon\b/);
    expect(await node1.run("on -n node2 false; echo status=$?")).toMatch(/^status=1\r?$/m);
  });

  it("an explicit -D NETRINO_IP and NETRINO_NODE win over the defaults", async () => {
    const node3 = new Node(["NETRINO_IP=10.47.0.77", "NETRINO_NODE=gateway"]);
    try {
      await node3.waitFor(PROMPT);
      expect(node3.output).toContain("This is gateway, en0 10.47.0.77.");
      const out = await node3.run("ping -c 2 10.47.0.1");
      expect(out).toMatch(/2 packets transmitted, 2 packets received, 0\.0% packet loss/);
    } finally {
      node3.stop();
    }
  }, 60_000);
});
