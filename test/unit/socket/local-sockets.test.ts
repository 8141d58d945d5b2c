// AF_LOCAL (unix-domain) sockets on /dev/socket/1 between two programs of one node.
import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import { S_IFMT, S_IFSOCK } from "../../../firmware/resmgr/io-constants.ts";
import { formatUnixSockets } from "../../../firmware/bin/lib/net-netstat-format.ts";
import { errnoOf, program, startIoPkt } from "../iopkt/harness.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const local = (path: string) => ({ family: "local" as const, path });

describe("AF_LOCAL sockets through /dev/socket/1", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  async function node(): Promise<void> {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-p", "tcpip", "prefix=/a"]);
  }

  it("stream: listen, connect by path, echo both ways, end of file after shutdown, EPIPE after close", async () => {
    await node();
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const server = program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_LOCAL, K.SOCK_STREAM);
      await s.bind(fd, local("/tmp/echo.sock"));
      await s.listen(fd, 4);
      ready();
      const c = await s.accept(fd);
      expect(c.from).toEqual({ family: "local", path: "" });
      expect(await s.getsockname(c.fd)).toEqual(local("/tmp/echo.sock"));
      const got: string[] = [];
      for (;;) {
        const d = await s.recv(c.fd, 4096);
        if (d.byteLength === 0) break; // end of file: the client shut down its side
        // echo the first message only: echoing a flood both ways would fill both buffers
        if (got.length === 0) await s.send(c.fd, `echo:${text(d)}`);
        got.push(text(d));
      }
      await s.close(c.fd);
      await s.close(fd);
      return got.join("");
    });
    await listening;
    const client = await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_LOCAL, K.SOCK_STREAM);
      await s.connect(fd, local("/tmp/echo.sock"));
      expect(await s.getpeername(fd)).toEqual(local("/tmp/echo.sock"));
      await s.send(fd, "hello");
      const r1 = text(await s.recv(fd, 100));
      // a stream larger than the receiver's buffer: the sender blocks until the peer reads
      const big = new Uint8Array(100_000).fill(0x61);
      await s.send(fd, big);
      await s.shutdown(fd, K.SHUT_WR);
      for (;;) {
        const d = await s.recv(fd, 65536);
        if (d.byteLength === 0) break;
      }
      await expect(s.send(fd, "late")).rejects.toSatisfy((e) => errnoOf(e) === "EPIPE");
      await s.close(fd);
      return r1;
    });
    expect(client).toBe("echo:hello");
    const all = await server;
    expect(all.length).toBe(5 + 100_000);
  });

  it("datagram: sendto a path, recvfrom names the sender; connect filters the default destination", async () => {
    await node();
    let ready!: () => void;
    const bound = new Promise<void>((r) => (ready = r));
    const server = program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_LOCAL, K.SOCK_DGRAM);
      await s.bind(fd, local("/tmp/dg.srv"));
      ready();
      for (let i = 0; i < 2; i++) {
        const m = await s.recvfrom(fd);
        expect(m.from).toEqual(local("/tmp/dg.cli"));
        await s.sendto(fd, `re:${text(m.data)}`, m.from as never);
      }
      await s.close(fd);
    });
    await bound;
    const got = await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_LOCAL, K.SOCK_DGRAM);
      await s.bind(fd, local("/tmp/dg.cli"));
      await s.sendto(fd, "one", local("/tmp/dg.srv"));
      const a = text((await s.recvfrom(fd)).data);
      await s.connect(fd, local("/tmp/dg.srv"));
      await s.send(fd, "two");
      const b = text(await s.recv(fd));
      await s.close(fd);
      return [a, b];
    });
    await server;
    expect(got).toEqual(["re:one", "re:two"]);
  });

  it("names are S_IFSOCK entries: ENOENT, EADDRINUSE, ECONNREFUSED when stale, bindable after unlink", async () => {
    await node();
    await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const a = await s.socket(K.AF_LOCAL, K.SOCK_STREAM);
      await expect(s.connect(a, local("/tmp/nobody"))).rejects.toSatisfy((e) => errnoOf(e) === "ENOENT");
      await s.bind(a, local("/tmp/n.sock"));
      expect((await ctx.fs.stat("/tmp/n.sock")).mode & S_IFMT).toBe(S_IFSOCK);
      const b = await s.socket(K.AF_LOCAL, K.SOCK_STREAM);
      await expect(s.bind(b, local("/tmp/n.sock"))).rejects.toSatisfy((e) => errnoOf(e) === "EADDRINUSE");
      // bound but not listening
      await expect(s.connect(b, local("/tmp/n.sock"))).rejects.toSatisfy(
        (e) => errnoOf(e) === "ECONNREFUSED",
      );
      const d = await s.socket(K.AF_LOCAL, K.SOCK_DGRAM);
      await expect(s.connect(d, local("/tmp/n.sock"))).rejects.toSatisfy((e) => errnoOf(e) === "EPROTOTYPE");
      await expect(s.bind(d, local("relative"))).rejects.toSatisfy((e) => errnoOf(e) === "EINVAL");
      await expect(s.bind(d, { family: "inet", address: "0.0.0.0", port: 1 })).rejects.toSatisfy(
        (e) => errnoOf(e) === "EAFNOSUPPORT",
      );
      await s.close(a);
      // the name outlives the socket, as the file does on BSD
      await expect(s.connect(b, local("/tmp/n.sock"))).rejects.toSatisfy(
        (e) => errnoOf(e) === "ECONNREFUSED",
      );
      await expect(s.bind(b, local("/tmp/n.sock"))).rejects.toSatisfy((e) => errnoOf(e) === "EADDRINUSE");
      await ctx.fs.unlink("/tmp/n.sock");
      await expect(ctx.fs.stat("/tmp/n.sock")).rejects.toSatisfy((e) => errnoOf(e) === "ENOENT");
      await s.bind(b, local("/tmp/n.sock"));
      await s.close(b);
      await s.close(d);
    });
  });

  it("poll waits on several AF_LOCAL sockets with a timeout", async () => {
    await node();
    await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const a = await s.socket(K.AF_LOCAL, K.SOCK_DGRAM);
      const b = await s.socket(K.AF_LOCAL, K.SOCK_DGRAM);
      await s.bind(a, local("/tmp/pa"));
      await s.bind(b, local("/tmp/pb"));
      const c = await s.socket(K.AF_LOCAL, K.SOCK_DGRAM);
      expect(
        await s.poll(
          [
            { fd: a, events: K.POLLIN },
            { fd: b, events: K.POLLIN },
          ],
          10,
        ),
      ).toEqual([0, 0]);
      const waiting = s.poll(
        [
          { fd: a, events: K.POLLIN },
          { fd: b, events: K.POLLIN },
        ],
        -1,
      );
      await s.sendto(c, "x", local("/tmp/pb"));
      expect(await waiting).toEqual([0, K.POLLIN]);
      const listing = formatUnixSockets((await s.list()).filter((l) => l.domain === K.AF_LOCAL));
      expect(listing).toMatch(/^Active UNIX domain sockets\nAddress  Type   Recv-Q Send-Q/);
      expect(listing).toMatch(/ dgram +0 +0 +0 +0 +0 +0 \/tmp\/pa\n/);
      expect(listing).toMatch(/ dgram +1 +0 +0 +0 +0 +0 \/tmp\/pb\n/);
      for (const fd of [a, b, c]) await s.close(fd);
    });
  });
});
