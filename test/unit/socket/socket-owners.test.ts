// Which process holds which socket: `pidin fds` asks io-pkt about each descriptor
// (_IO_FDINFO) and prints the socket's protocol, addresses and state instead of the path.
import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import { loadBuiltinProgram } from "../../../firmware/bin/lib/builtin-lookup.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { run } from "../bin/harness.ts";
import { program, startIoPkt, withClient } from "../iopkt/harness.ts";

const ip = (s: string) => parseIpv4(s) as number;

describe("socket ownership in pidin fds", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  it("lists each socket of a process with its protocol, addresses and state", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=own1", "-t", "2"]);
    await withClient(k, "", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    const pidin = await loadBuiltinProgram("pidin");
    if (pidin === undefined) throw new Error("pidin is not built in");
    const out = await program(k, "", async (ctx) => {
      const s = ctx.sockets;
      const tcp = await s.socket(K.AF_INET, K.SOCK_STREAM);
      await s.bind(tcp, { family: "inet", address: "0.0.0.0", port: 22 });
      await s.listen(tcp);
      const client = await s.socket(K.AF_INET, K.SOCK_STREAM);
      await s.connect(client, { family: "inet", address: "10.0.0.1", port: 22 });
      const conn = await s.accept(tcp);
      const udp = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.bind(udp, { family: "inet", address: "10.0.0.1", port: 5353 });
      await s.connect(udp, { family: "inet", address: "10.0.0.9", port: 53 });
      const rt = await s.socket(K.AF_ROUTE, K.SOCK_RAW);
      const me = String(ctx.thread.process.pid);
      const root = await run(k, pidin, ["pidin", "-p", me, "fds"]);
      const user = await run(k, pidin, ["pidin", "-p", me, "fds"], { uid: 100 });
      for (const fd of [tcp, client, conn.fd, udp, rt]) await s.close(fd);
      return { root: root.stdout, user: user.stdout };
    });
    expect(out.root).toMatch(/ +\d+ +\d+ rw +0 socket: tcp \*\.22 LISTEN\n/);
    expect(out.root).toMatch(
      / +\d+ +\d+ rw +0 socket: tcp 10\.0\.0\.1\.\d+ <-> 10\.0\.0\.1\.22 ESTABLISHED\n/,
    );
    expect(out.root).toMatch(
      / +\d+ +\d+ rw +0 socket: tcp 10\.0\.0\.1\.22 <-> 10\.0\.0\.1\.\d+ ESTABLISHED\n/,
    );
    expect(out.root).toMatch(/ +\d+ +\d+ rw +0 socket: udp 10\.0\.0\.1\.5353 <-> 10\.0\.0\.9\.53\n/);
    expect(out.root).toMatch(/ +\d+ +\d+ rw +0 socket: route\n/);
    // Another user is told nothing about them: the path only.
    expect(out.user).not.toContain("socket:");
    expect(out.user).toMatch(/ +\d+ +\d+ rw +- \/dev\/socket\/2\n/);
  });
});
