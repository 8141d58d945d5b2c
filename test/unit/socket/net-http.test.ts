// Node's own http server and client, unchanged, on our TCP through the `net` facade: a server
// fed connections from our listener, a client whose createConnection uses our connect; a 1 MB
// body arrives intact, keep-alive reuses the connection; a refused connect has Node's code.
import { createHash } from "node:crypto";
import * as http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import type { ProgramContext } from "../../../firmware/program.ts";
import { connect, createServer, type NetSocket } from "../../../firmware/net/socket/net.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { program, startIoPkt, withClient } from "../iopkt/harness.ts";

const ip = (s: string) => parseIpv4(s) as number;

function get(
  ctx: ProgramContext,
  agent: http.Agent | false,
  path: string,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "10.0.0.2",
        port: 8080,
        path,
        agent: agent === false ? undefined : agent,
        createConnection: agent === false ? () => connect(ctx.sockets, 8080, "10.0.0.2") as never : undefined,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("Node's http on our TCP", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  it("serves and fetches a 1 MB body with http.createServer and http.request; keep-alive reuses the socket", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=h0", "-p", "tcpip", "prefix=/a", "-t", "2"]);
    await startIoPkt(k, ["-d", "vwire", "hub=h0", "-p", "tcpip", "prefix=/b", "-t", "2"]);
    await withClient(k, "/a", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    await withClient(k, "/b", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.2"), prefixLen: 24 }));
    const big = Buffer.alloc(1 << 20, 0).map((_, i) => (i * 31) & 0xff);
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let peers = 0;
    const server = program(k, "/b", async (ctx) => {
      const web = http.createServer((req, res) => {
        if (req.url === "/big") res.end(big);
        else res.end(`hello ${req.socket.remoteAddress}`);
      });
      const ns = createServer(ctx.sockets, { allowHalfOpen: true, noDelay: true }, (s: NetSocket) => {
        peers++;
        web.emit("connection", s);
      });
      ns.listen(8080, () => ready());
      await stopped;
      ns.close();
      web.close();
    });
    await listening;
    const out = await program(k, "/a", async (ctx) => {
      const small = await get(ctx, false, "/");
      const body = await get(ctx, false, "/big");
      const agent = new http.Agent({ keepAlive: true });
      agent.createConnection = (() => connect(ctx.sockets, 8080, "10.0.0.2")) as never;
      const a1 = await get(ctx, agent, "/");
      const a2 = await get(ctx, agent, "/");
      agent.destroy();
      return { small, body, a1, a2 };
    });
    stop();
    await server;
    expect(out.small).toEqual({ status: 200, body: Buffer.from("hello 10.0.0.1") });
    expect(out.body.body.length).toBe(big.length);
    expect(createHash("sha256").update(out.body.body).digest("hex")).toBe(
      createHash("sha256").update(big).digest("hex"),
    );
    expect(out.a2.body.toString()).toBe("hello 10.0.0.1");
    expect(peers).toBe(3); // two one-shot connections and one kept alive for two requests
  });

  it("a refused connect is an 'error' with code ECONNREFUSED and syscall connect", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=h1", "-p", "tcpip", "prefix=/a", "-t", "2"]);
    await startIoPkt(k, ["-d", "vwire", "hub=h1", "-p", "tcpip", "prefix=/b", "-t", "2"]);
    await withClient(k, "/a", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    await withClient(k, "/b", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.2"), prefixLen: 24 }));
    const err = await program(
      k,
      "/a",
      (ctx) =>
        new Promise<Error>((resolve) => {
          connect(ctx.sockets, 9, "10.0.0.2").on("error", resolve);
        }),
    );
    expect(err).toMatchObject({ code: "ECONNREFUSED", syscall: "connect", address: "10.0.0.2", port: 9 });
  });
});
