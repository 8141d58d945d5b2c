// TCP stream sockets through /dev/socket/2 between two io-pkt stacks on a virtual wire:
// listen/accept/connect, a 200 KB echo with half-close, getpeername, netstat states,
// ECONNREFUSED from a closed port.
import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import { TCPS_ESTABLISHED } from "../../../firmware/net/tcp/state.ts";
import { decodeTcpInfo } from "../../../firmware/net/tcp/tcp-info.ts";
import {
  TCP_CONGESTION,
  TCP_INFO,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_MAXSEG,
  TCP_NODELAY,
} from "../../../firmware/net/tcp/usrreq.ts";
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

  it("a blocked reader gets every byte in order when a segment is larger than SO_RCVBUF", async () => {
    // The client's receive buffer (1000 bytes) is smaller than one segment, and it asks for each
    // 4000-byte answer before it arrives, so its recv is blocked on an empty buffer when the
    // answer comes: the recv takes a buffer's worth and that take moves TCP's next bytes in at
    // once. That refill's wake-up used to run the same blocked recv again before it had replied,
    // and its first reply (the first 1000 bytes) was lost: the client then waited for bytes that
    // never came, and the test timed out.
    await twoStacks();
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const ROUNDS = 20;
    const ANSWER = 4000;
    const answer = (round: number) => new Uint8Array(ANSWER).map((_, i) => (round * 31 + i * 7) & 0xff);
    const server = program(k, "/b", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_STREAM);
      await s.bind(fd, inet("0.0.0.0", 7010));
      await s.listen(fd, 4);
      ready();
      const { fd: c } = await s.accept(fd);
      for (let round = 0; round < ROUNDS; round++) {
        expect((await s.recv(c, 1)).byteLength).toBe(1);
        const a = answer(round);
        let off = 0;
        while (off < a.byteLength) off += await s.send(c, a.subarray(off));
      }
      await s.close(c);
      await s.close(fd);
      return 0;
    });
    await listening;
    const rounds = await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_STREAM);
      await s.setsockopt(fd, K.SOL_SOCKET, K.SO_RCVBUF, 1000);
      await s.connect(fd, inet("10.0.0.2", 7010));
      const got: number[][] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await s.send(fd, new Uint8Array([round]));
        const parts: number[] = [];
        while (parts.length < ANSWER) parts.push(...(await s.recv(fd, 65_536)));
        got.push(parts);
      }
      expect((await s.recv(fd, 65_536)).byteLength).toBe(0);
      await s.close(fd);
      return got;
    });
    await server;
    for (let round = 0; round < ROUNDS; round++) expect(rounds[round]).toEqual(Array.from(answer(round)));
  }, 10_000);

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

  it("TCP options through setsockopt/getsockopt: set before listen or connect, inherited by accepted sockets, TCP_INFO, SO_LINGER 0 resets", async () => {
    await twoStacks();
    const T = K.IPPROTO_TCP;
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const server = program(k, "/b", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_STREAM);
      await s.setsockopt(fd, K.SOL_SOCKET, K.SO_KEEPALIVE, 1);
      await s.setsockopt(fd, T, TCP_KEEPIDLE, 30);
      await s.setsockopt(fd, T, TCP_KEEPINTVL, 5);
      await s.setsockopt(fd, T, TCP_KEEPCNT, 3);
      await s.setsockopt(fd, T, TCP_NODELAY, 1);
      await s.setsockopt(fd, T, TCP_CONGESTION, "newreno");
      await s.bind(fd, inet("0.0.0.0", 7009));
      await s.listen(fd, 4);
      ready();
      const { fd: c } = await s.accept(fd);
      const got = {
        keepalive: await s.getsockoptInt(c, K.SOL_SOCKET, K.SO_KEEPALIVE),
        idle: await s.getsockoptInt(c, T, TCP_KEEPIDLE),
        intvl: await s.getsockoptInt(c, T, TCP_KEEPINTVL),
        cnt: await s.getsockoptInt(c, T, TCP_KEEPCNT),
        nodelay: await s.getsockoptInt(c, T, TCP_NODELAY),
        cc: new TextDecoder().decode(await s.getsockopt(c, T, TCP_CONGESTION)),
        info: decodeTcpInfo(await s.getsockopt(c, T, TCP_INFO)),
      };
      await s.send(c, new Uint8Array([1])); // read: the client may close now
      // The client closes with SO_LINGER {on, 0}: a RST, not a FIN.
      const err = await s.recv(c, 100).then(
        () => "",
        (e: unknown) => errnoOf(e),
      );
      await s.close(c);
      await s.close(fd);
      return { ...got, err };
    });
    await listening;
    await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_STREAM);
      expect(await s.getsockoptInt(fd, T, TCP_KEEPIDLE)).toBe(7200);
      expect(new TextDecoder().decode(await s.getsockopt(fd, T, TCP_CONGESTION))).toBe("cubic");
      await expect(s.getsockopt(fd, T, TCP_INFO)).rejects.toSatisfy((e) => errnoOf(e) === "ENOTCONN");
      await expect(s.setsockopt(fd, T, TCP_CONGESTION, "vegas")).rejects.toSatisfy(
        (e) => errnoOf(e) === "ENOENT",
      );
      await expect(s.setsockopt(fd, T, TCP_MAXSEG, 10)).rejects.toSatisfy((e) => errnoOf(e) === "EINVAL");
      await expect(s.setsockopt(fd, T, TCP_KEEPCNT, 0)).rejects.toSatisfy((e) => errnoOf(e) === "EINVAL");
      await expect(s.setsockopt(fd, K.SOL_SOCKET, K.SO_LINGER, 1)).rejects.toSatisfy(
        (e) => errnoOf(e) === "EINVAL",
      );
      await s.setsockopt(fd, T, TCP_MAXSEG, 1000);
      await s.connect(fd, inet("10.0.0.2", 7009));
      const info = decodeTcpInfo(await s.getsockopt(fd, T, TCP_INFO));
      expect(info).toMatchObject({ state: TCPS_ESTABLISHED, congctl: "cubic", rcv_mss: 1000 });
      expect(info.snd_mss).toBeLessThanOrEqual(1460);
      expect((await s.recv(fd, 10)).byteLength).toBe(1);
      const linger = new Uint8Array(8);
      new DataView(linger.buffer).setInt32(0, 1);
      await s.setsockopt(fd, K.SOL_SOCKET, K.SO_LINGER, linger);
      expect(await s.getsockopt(fd, K.SOL_SOCKET, K.SO_LINGER)).toEqual(linger);
      await s.close(fd);
    });
    const got = await server;
    expect(got).toMatchObject({ keepalive: 1, idle: 30, intvl: 5, cnt: 3, nodelay: 1, cc: "newreno" });
    // Our SYN said MSS 1000 (TCP_MAXSEG before connect): the server sends at most that.
    expect(got.info).toMatchObject({ state: TCPS_ESTABLISHED, congctl: "newreno" });
    expect(got.info.snd_mss).toBeLessThanOrEqual(1000);
    expect(got.err).toBe("ECONNRESET");
  });
});
