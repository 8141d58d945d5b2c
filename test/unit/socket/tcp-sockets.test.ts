// TCP stream sockets through /dev/socket/2 between two io-pkt stacks on a virtual wire:
// listen/accept/connect, a 200 KB echo with half-close, getpeername, netstat states,
// ECONNREFUSED from a closed port.
import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { errnoOf, program, startIoPkt, withClient } from "../iopkt/harness.ts";

const ip = (s: string) => parseIpv4(s) as number;
const inet = (address: string, port: number) => ({ family: "inet" as const, address, port });

describe("TCP sockets through /dev/socket/2", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  async function twoStacks(): Promise<void> {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=t0", "-p", "tcpip", "prefix=/a", "-t", "2"]);
    await startIoPkt(k, ["-d", "vwire", "hub=t0", "-p", "tcpip", "prefix=/b", "-t", "2"]);
    await withClient(k, "/a", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    await withClient(k, "/b", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.2"), prefixLen: 24 }));
  }

  it("echoes 200 KB over a stream with half-close; accept gives the peer; netstat shows ESTABLISHED", async () => {
    await twoStacks();
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const server = program(k, "/b", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_STREAM);
      await s.bind(fd, inet("0.0.0.0", 7008));
      await s.listen(fd, 4);
      ready();
      const { fd: c, from } = await s.accept(fd);
      expect(from).toMatchObject({ family: "inet", address: "10.0.0.1" });
      let n = 0;
      for (;;) {
        const d = await s.recv(c, 65_536);
        if (d.byteLength === 0) break; // the client's FIN
        n += d.byteLength;
        let off = 0;
        while (off < d.byteLength) off += await s.send(c, d.subarray(off));
      }
      await s.close(c);
      await s.close(fd);
      return n;
    });
    await listening;
    const data = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
    const back = await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_STREAM);
      await s.connect(fd, inet("10.0.0.2", 7008));
      expect(await s.getpeername(fd)).toMatchObject({ address: "10.0.0.2", port: 7008 });
      const list = await s.list();
      expect(list.some((l) => l.state === "ESTABLISHED")).toBe(true);
      const got: Uint8Array[] = [];
      let total = 0;
      const reader = (async () => {
        for (;;) {
          const d = await s.recv(fd, 65_536);
          if (d.byteLength === 0) return;
          got.push(d);
          total += d.byteLength;
        }
      })();
      let off = 0;
      while (off < data.byteLength) off += await s.send(fd, data.subarray(off, off + 16_384));
      await s.shutdown(fd, K.SHUT_WR);
      await reader;
      await s.close(fd);
      const all = new Uint8Array(total);
      let p = 0;
      for (const g of got) {
        all.set(g, p);
        p += g.byteLength;
      }
      return all;
    });
    expect(await server).toBe(data.byteLength);
    expect(back).toEqual(data);
  });

  it("connect to a closed port fails with ECONNREFUSED", async () => {
    await twoStacks();
    await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_STREAM);
      await expect(s.connect(fd, inet("10.0.0.2", 9))).rejects.toSatisfy(
        (e) => errnoOf(e) === "ECONNREFUSED",
      );
      await s.close(fd);
    });
  });
});
