// nc between two io-pkt stacks on a virtual wire: a TCP listen and connect with -N half-close
// carrying stdin across, -z against an open and a closed port (OpenBSD's messages).
import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import nc from "../../../firmware/bin/nc.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { startIoPkt, withClient } from "../iopkt/harness.ts";
import { run } from "./harness.ts";

const ip = (s: string) => parseIpv4(s) as number;

describe("nc", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  async function twoStacks(hub: string): Promise<void> {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", `hub=${hub}`, "-p", "tcpip", "prefix=/a", "-t", "2"]);
    await startIoPkt(k, ["-d", "vwire", `hub=${hub}`, "-p", "tcpip", "prefix=/b", "-t", "2"]);
    await withClient(k, "/a", (c) => c.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    await withClient(k, "/b", (c) => c.setAddress("en0", { addr: ip("10.0.0.2"), prefixLen: 24 }));
  }

  const at = (sock: string) => ({ env: { SOCK: sock, PATH: "/bin" } });
  const until = async (cond: () => Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it("carries stdin to a listening nc and half-closes with -N; -z reports open and refused ports", async () => {
    await twoStacks("n0");
    const server = run(k, nc, ["nc", "-l", "7000"], { ...at("/b"), stdin: "" });
    await until(async () => (await run(k, nc, ["nc", "-z", "10.0.0.2", "7000"], at("/a"))).status === 0);
    // The probe above took the one connection a listening nc accepts: listen again.
    await server;
    const server2 = run(k, nc, ["nc", "-l", "7001"], { ...at("/b"), stdin: "" });
    let client = await run(k, nc, ["nc", "-N", "10.0.0.2", "7001"], {
      ...at("/a"),
      stdin: "hello over tcp\n",
    });
    for (let i = 0; i < 100 && client.status !== 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      client = await run(k, nc, ["nc", "-N", "10.0.0.2", "7001"], { ...at("/a"), stdin: "hello over tcp\n" });
    }
    expect(client).toMatchObject({ status: 0, stderr: "" });
    expect((await server2).stdout).toBe("hello over tcp\n");
    const refused = await run(k, nc, ["nc", "-z", "10.0.0.2", "9"], at("/a"));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe("nc: connect to 10.0.0.2 port 9 (tcp) failed: Connection refused\n");
    const v = run(k, nc, ["nc", "-l", "7002"], { ...at("/b"), stdin: "" });
    let ok = await run(k, nc, ["nc", "-vz", "10.0.0.2", "7002"], at("/a"));
    for (let i = 0; i < 100 && ok.status !== 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      ok = await run(k, nc, ["nc", "-vz", "10.0.0.2", "7002"], at("/a"));
    }
    expect(ok.stderr).toBe("Connection to 10.0.0.2 7002 port [tcp/*] succeeded!\n");
    await v;
  });
});
