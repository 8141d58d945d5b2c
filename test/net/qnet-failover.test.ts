// Qnet failover over real interfaces: two netrino nodes in separate processes and separate
// network namespaces, joined by two veth pairs (en0, en1 on each side, devnp-pcap), lsm-qnet
// bound to both. A large loadbalanced `cp` from node2 survives `ip link set … down` on node2's
// en1 with identical bytes; then `~exclusive:en1` fails with EHOSTDOWN and `~preferred:en1`
// falls back to en0; after `ip link set … up` the capture resumes, the link rejoins, and
// `~preferred:en1` traffic is back on en1. Needs root and the npm package "pcap".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canUseNetns, requirement } from "../helpers/requirements.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";
import { NetnsLab, sh } from "./lib/netns.ts";
import { QnetNodeProc } from "./lib/qnet-node-proc.ts";

const skip = requirement("qnet failover over veth", {
  "root with network namespaces": canUseNetns(),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

const BIG = 6 * 1024 * 1024;

/** Runs `probe` until `done` says so; each try is a full round trip through both nodes. */
async function retry<T>(
  what: string,
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  tries = 400,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (done(v)) return v;
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Opkts of `ifname` in `netstat -i` of a node. */
async function opkts(node: QnetNodeProc, ifname: string): Promise<number> {
  const out = (await node.sh(["netstat", "-i", "-I", ifname])).stdout.split("\n");
  const col = out[0].trim().split(/\s+/).indexOf("Opkts");
  const row = out.find((l) => l.startsWith(ifname));
  if (col < 0 || !row) throw new Error(`no Opkts for ${ifname}:\n${out.join("\n")}`);
  const cells = row.trim().split(/\s+/);
  return Number(cells[cells.length - (out[0].trim().split(/\s+/).length - col)]);
}

describe.skipIf(skip)("qnet failover between two processes over two veth pairs", () => {
  const lab = new NetnsLab("m12l");
  let n1: QnetNodeProc;
  let n2: QnetNodeProc;
  let ns2 = "";
  let wire1 = { a: "", b: "" };

  beforeAll(async () => {
    const ns1 = lab.namespace();
    ns2 = lab.namespace();
    const wire0 = lab.vethBetween(ns1, null, ns2, null);
    wire1 = lab.vethBetween(ns1, null, ns2, null);
    const iopkt = (a: string, b: string) => [
      "-d",
      "pcap",
      `if=${a}`,
      "-d",
      "pcap",
      `if=${b}`,
      "-p",
      "qnet",
      "auto_add=5",
    ];
    n1 = new QnetNodeProc(ns1, { name: "node1", iopkt: iopkt(wire0.a, wire1.a), up: ["en0", "en1"] });
    n2 = new QnetNodeProc(ns2, { name: "node2", iopkt: iopkt(wire0.b, wire1.b), up: ["en0", "en1"] });
    await Promise.all([n1.ready, n2.ready]);
    await n2.request({ op: "fill", path: "/tmp/big", bytes: BIG, seed: 12 });
    await n2.request({ op: "fill", path: "/tmp/small", bytes: 100, seed: 7 });
    await retry(
      "node2 in /net",
      () => n1.sh(["ls", "/net"]),
      (r) => r.stdout.includes("node2"),
    );
  }, 120_000);

  afterAll(async () => {
    await n1?.stop();
    await n2?.stop();
    lab.cleanup();
  });

  const cat = (q: string) => n1.sh(["cat", `/net/node2${q}/tmp/small`]);

  it("reaches node2 through every policy while both links live", async () => {
    for (const q of ["", "~loadbalance", "~preferred:en1", "~exclusive:en0", "~exclusive:en1"])
      expect((await cat(q)).status).toBe(0);
  }, 60_000);

  it("a loadbalanced cp survives ip link set down on one link, with identical bytes", async () => {
    const [en0Before, en1Before] = [await opkts(n1, "en0"), await opkts(n1, "en1")];
    let finished = false;
    const copy = n1.sh(["cp", "/net/node2/tmp/big", "/tmp/big"]).finally(() => (finished = true));
    // Down as soon as the copy has bytes on node1: mid-transfer.
    await retry(
      "the copy to start",
      () => n1.sh(["ls", "-l", "/tmp/big"]),
      (r) => r.status === 0,
    );
    sh("ip", ["-n", ns2, "link", "set", wire1.b, "down"]);
    expect(finished).toBe(false);
    const r = await copy;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(await n1.sha256("/tmp/big")).toBe(await n2.sha256("/tmp/big"));
    // Both links carried the request side of the transfer.
    expect((await opkts(n1, "en0")) - en0Before).toBeGreaterThan(10);
    expect((await opkts(n1, "en1")) - en1Before).toBeGreaterThan(10);
  }, 120_000);

  it("~exclusive on the downed link fails with EHOSTDOWN, ~preferred falls back", async () => {
    const r = await retry(
      "~exclusive:en1 to fail",
      () => cat("~exclusive:en1"),
      (x) => x.status !== 0,
    );
    expect(r.stderr).toMatch(/Host is down/);
    expect((await cat("~preferred:en1")).status).toBe(0);
    expect((await cat("~exclusive:en0")).status).toBe(0);
  }, 60_000);

  it("when the link comes back the capture resumes, the link rejoins and ~preferred returns to it", async () => {
    sh("ip", ["-n", ns2, "link", "set", wire1.b, "up"]);
    await retry(
      "en1 to rejoin",
      () => cat("~exclusive:en1"),
      (x) => x.status === 0,
    );
    // ~preferred:en1 sends on en1 again: its requests leave node1 there, not on en0 (which
    // only carries its share of the acks).
    const [en0Before, en1Before] = [await opkts(n1, "en0"), await opkts(n1, "en1")];
    for (let i = 0; i < 20; i++) expect((await cat("~preferred:en1")).status).toBe(0);
    const en0 = (await opkts(n1, "en0")) - en0Before;
    const en1 = (await opkts(n1, "en1")) - en1Before;
    expect(en1).toBeGreaterThan(40);
    expect(en1).toBeGreaterThan(2 * en0);
  }, 60_000);
});
