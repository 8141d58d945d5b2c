// Network-namespace fixtures for tests against real Linux: uniquely named namespaces and veth
// pairs, created through iproute2 and always removed by cleanup() (call it from afterAll).
// "Our" end of each pair stays in the test process's namespace with no kernel address, for
// devnp-pcap to open; Linux's end goes into a namespace with an address.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { uniqueName } from "../../helpers/requirements.ts";
import { Signal } from "../../helpers/wait.ts";

export interface CmdResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function sh(
  cmd: string,
  args: readonly string[],
  opts: { check?: boolean; timeoutMs?: number } = {},
): CmdResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: opts.timeoutMs ?? 60_000 });
  const res = { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  if ((opts.check ?? true) && res.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited ${res.status}: ${res.stderr || res.stdout}`);
  }
  return res;
}

/** Runs a command asynchronously (so the runtime in this process keeps answering meanwhile). */
export function shAsync(
  cmd: string,
  args: readonly string[],
  opts: SpawnOptions & { timeoutMs?: number } = {},
): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}

/** Runs `cmd` inside namespace `ns` (async). */
export function nsExec(
  ns: string,
  cmd: string,
  args: readonly string[],
  timeoutMs?: number,
): Promise<CmdResult> {
  return shAsync("ip", ["netns", "exec", ns, cmd, ...args], { timeoutMs });
}

export interface VethPair {
  /** Our end: in the test process's namespace, no address, for devnp-pcap. */
  ours: string;
  /** Linux's end, inside `ns`. */
  linux: string;
  ns: string;
  linuxMac: string;
}

export class NetnsLab {
  private readonly namespaces: string[] = [];
  private readonly links: string[] = [];
  private readonly children: ChildProcess[] = [];
  readonly tag: string;

  private readonly onExit = (): void => this.cleanup();

  constructor(tag: string) {
    this.tag = tag;
    // A benchmark or test process that dies on an uncaught error skips its finally/afterAll:
    // the namespaces still go when the process exits (cleanup is synchronous).
    process.once("exit", this.onExit);
  }

  namespace(): string {
    const ns = uniqueName(`${this.tag}n`);
    sh("ip", ["netns", "add", ns]);
    this.namespaces.push(ns);
    sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
    return ns;
  }

  /**
   * A veth pair: Linux's end in `ns` with `linuxAddr` (CIDR), ours up without an address and
   * with the host's IPv4/IPv6 kept off it (no forwarding, no autoconfiguration chatter).
   */
  veth(ns: string, linuxAddr: string | null, opts: { mtu?: number } = {}): VethPair {
    const ours = uniqueName(`${this.tag}a`);
    const linux = uniqueName(`${this.tag}b`);
    sh("ip", ["link", "add", ours, "type", "veth", "peer", "name", linux]);
    this.links.push(ours);
    sh("ip", ["link", "set", linux, "netns", ns]);
    sh("sysctl", ["-qw", `net.ipv6.conf.${ours}.disable_ipv6=1`], { check: false });
    sh("sysctl", ["-qw", `net.ipv4.conf.${ours}.forwarding=0`], { check: false });
    sh("ip", ["netns", "exec", ns, "sysctl", "-qw", `net.ipv6.conf.${linux}.disable_ipv6=1`], {
      check: false,
    });
    if (opts.mtu !== undefined) {
      sh("ip", ["link", "set", ours, "mtu", String(opts.mtu)]);
      sh("ip", ["-n", ns, "link", "set", linux, "mtu", String(opts.mtu)]);
    }
    sh("ip", ["link", "set", ours, "up"]);
    sh("ip", ["-n", ns, "link", "set", linux, "up"]);
    if (linuxAddr !== null) sh("ip", ["-n", ns, "addr", "add", linuxAddr, "dev", linux]);
    const linuxMac = sh("ip", ["netns", "exec", ns, "cat", `/sys/class/net/${linux}/address`]).stdout.trim();
    return { ours, linux, ns, linuxMac };
  }

  /** A veth pair with both ends inside namespaces (Linux-to-Linux baseline; null addresses: a
   * wire between two runtimes, which own the addresses). */
  vethBetween(
    nsA: string,
    addrA: string | null,
    nsB: string,
    addrB: string | null,
  ): { a: string; b: string } {
    const a = uniqueName(`${this.tag}x`);
    const b = uniqueName(`${this.tag}y`);
    sh("ip", ["link", "add", a, "type", "veth", "peer", "name", b]);
    this.links.push(a);
    sh("ip", ["link", "set", a, "netns", nsA]);
    sh("ip", ["link", "set", b, "netns", nsB]);
    for (const [ns, dev, addr] of [
      [nsA, a, addrA],
      [nsB, b, addrB],
    ] as const) {
      sh("ip", ["netns", "exec", ns, "sysctl", "-qw", `net.ipv6.conf.${dev}.disable_ipv6=1`], {
        check: false,
      });
      if (addr !== null) sh("ip", ["-n", ns, "addr", "add", addr, "dev", dev]);
      sh("ip", ["-n", ns, "link", "set", dev, "up"]);
    }
    return { a, b };
  }

  /** Starts a long-running command inside `ns`; killed by cleanup(). */
  background(ns: string, cmd: string, args: readonly string[]): ChildProcess {
    const child = spawn("ip", ["netns", "exec", ns, cmd, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.children.push(child);
    return child;
  }

  cleanup(): void {
    process.off("exit", this.onExit);
    for (const c of this.children) if (c.exitCode === null) c.kill("SIGKILL");
    for (const l of this.links) spawnSync("ip", ["link", "del", l], { stdio: "ignore" });
    for (const ns of this.namespaces) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  }
}

/**
 * Resolves when `child` has printed a line matching `re` (a server saying it listens), so a
 * test waits for that event rather than retrying or sleeping; rejects if the child exits
 * first or after `ms`. Python servers need `-u` (unbuffered) for the line to arrive.
 */
export function printed(child: ChildProcess, re: RegExp, ms = 30_000): Promise<void> {
  let out = "";
  const seen = new Signal();
  const collect = (d: Buffer): void => {
    out += d.toString();
    seen.notify();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  child.on("close", seen.notify);
  return seen
    .until(() => re.test(out) || child.exitCode !== null, `${String(re)} from ${child.spawnfile}`, ms)
    .then(() => {
      child.stdout?.off("data", collect);
      child.stderr?.off("data", collect);
      if (!re.test(out)) throw new Error(`${child.spawnfile} exited before printing ${String(re)}: ${out}`);
    });
}

/** Python's http.server in `ns` on `addr`:`port` serving `dir`; resolves once it listens. */
export async function pythonHttpServer(
  lab: NetnsLab,
  ns: string,
  addr: string,
  port: number,
  dir: string,
): Promise<void> {
  const py = lab.background(ns, "python3", [
    "-u",
    "-m",
    "http.server",
    String(port),
    "--bind",
    addr,
    "--directory",
    dir,
  ]);
  await printed(py, /Serving HTTP/);
}

/** `ip neigh` of a namespace: address → MAC for REACHABLE/STALE/PERMANENT entries. */
export function linuxNeighbours(ns: string): Map<string, string> {
  const out = sh("ip", ["-n", ns, "-4", "neigh", "show"]).stdout;
  const m = new Map<string, string>();
  for (const line of out.split("\n")) {
    const r = /^(\S+) dev \S+ lladdr (\S+)/.exec(line);
    if (r) m.set(r[1], r[2]);
  }
  return m;
}

/** Parses Linux ping's summary: transmitted, received, loss %, and rtt stats in ms. */
export function parseLinuxPing(text: string): { tx: number; rx: number; loss: number; rtt: number[] | null } {
  const s = /(\d+) packets transmitted, (\d+) (?:packets )?received.*?([\d.]+)% packet loss/s.exec(text);
  const r = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(text);
  return {
    tx: s ? Number(s[1]) : 0,
    rx: s ? Number(s[2]) : 0,
    loss: s ? Number(s[3]) : 100,
    rtt: r ? [Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4])] : null,
  };
}
