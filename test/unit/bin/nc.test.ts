// nc between two io-pkt stacks on a virtual wire: a TCP listen and connect with -N half-close
// carrying stdin across, -z against an open and a closed port (OpenBSD's messages).
import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import nc from "../../../firmware/bin/nc.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { startIoPkt, withClient } from "../iopkt/harness.ts";
import { run, type RunResult } from "./harness.ts";
import { Signal } from "../../helpers/wait.ts";

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
  /** Starts `nc -lv port` on /b; resolves once it listens, with its result to come. */
  const listen = async (port: number): Promise<{ done: Promise<RunResult> }> => {
    let err = "";
    const said = new Signal();
    const server = run(k, nc, ["nc", "-lv", String(port)], {
      ...at("/b"),
      stdin: "",
      onOutput: (fd, text) => void (fd === 2 && ((err += text), said.notify())),
    });
    await said.until(() => err.includes("Listening on"), `nc to listen on ${port}`);
    return { done: server };
  };

  it("carries stdin to a listening nc and half-closes with -N; -z reports open and refused ports", async () => {
    await twoStacks("n0");
    const { done: server } = await listen(7000);
    expect((await run(k, nc, ["nc", "-z", "10.0.0.2", "7000"], at("/a"))).status).toBe(0);
    // The probe above took the one connection a listening nc accepts: listen again.
    expect((await server).stderr).toMatch(
      /^Listening on 0\.0\.0\.0 7000\nConnection received on 10\.0\.0\.1 \d+\n$/,
    );
    const { done: server2 } = await listen(7001);
    const client = await run(k, nc, ["nc", "-N", "10.0.0.2", "7001"], {
      ...at("/a"),
      stdin: "hello over tcp\n",
    });
    expect(client).toMatchObject({ status: 0, stderr: "" });
    expect((await server2).stdout).toBe("hello over tcp\n");
    const refused = await run(k, nc, ["nc", "-z", "10.0.0.2", "9"], at("/a"));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe("nc: connect to 10.0.0.2 port 9 (tcp) failed: Connection refused\n");
    const { done: v } = await listen(7002);
    const ok = await run(k, nc, ["nc", "-vz", "10.0.0.2", "7002"], at("/a"));
    expect(ok.stderr).toBe("Connection to 10.0.0.2 7002 port [tcp/*] succeeded!\n");
    await v;
  });
});
