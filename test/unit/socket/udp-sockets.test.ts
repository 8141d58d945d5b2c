import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import { FIONBIO, FIONREAD } from "../../../firmware/net/socket/messages.ts";
import { createSocket } from "../../../firmware/net/socket/dgram.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { errnoOf, program, startIoPkt, withClient } from "../iopkt/harness.ts";

const ip = (s: string) => parseIpv4(s) as number;
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const inet = (address: string, port: number) => ({ family: "inet" as const, address, port });

describe("UDP sockets through /dev/socket/2", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  async function twoStacks(): Promise<void> {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=u0", "-p", "tcpip", "prefix=/a", "-t", "2"]);
    await startIoPkt(k, ["-d", "vwire", "hub=u0", "-p", "tcpip", "prefix=/b", "-t", "2"]);
    await withClient(k, "/a", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    await withClient(k, "/b", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.2"), prefixLen: 24 }));
  }

  it("echoes datagrams between two programs on two stacks; getsockname, FIONREAD, netstat listing", async () => {
    await twoStacks();
    let ready!: () => void;
    const bound = new Promise<void>((r) => (ready = r));
    const server = program(k, "/b", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.bind(fd, inet("0.0.0.0", 7007));
      ready();
      for (let i = 0; i < 3; i++) {
        const m = await s.recvfrom(fd);
        await s.sendto(fd, `echo:${text(m.data)}`, m.from as never);
      }
      await s.close(fd);
    });
    await bound;
    const got = await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      const out: string[] = [];
      for (const word of ["one", "two", "three"]) {
        await s.sendto(fd, word, inet("10.0.0.2", 7007));
        const m = await s.recvmsg(fd);
        out.push(
          `${text(m.data)} from ${m.from?.family === "inet" ? `${m.from.address}:${m.from.port}` : "?"}`,
        );
        expect(m.dstAddress).toBe("10.0.0.1");
      }
      const me = await s.getsockname(fd);
      expect(me.family === "inet" && me.port >= 49152).toBe(true);
      const list = await s.list();
      expect(
        list.some((l) => l.local?.family === "inet" && l.local.port === (me as { port: number }).port),
      ).toBe(true);
      expect(await s.ioctl(fd, FIONREAD)).toBe(0);
      await s.close(fd);
      return out;
    });
    await server;
    expect(got).toEqual([
      "echo:one from 10.0.0.2:7007",
      "echo:two from 10.0.0.2:7007",
      "echo:three from 10.0.0.2:7007",
    ]);
  });

  it("port unreachable: ECONNREFUSED on a connected socket; EAGAIN non-blocking; SO_RCVTIMEO; EADDRINUSE", async () => {
    await twoStacks();
    await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.connect(fd, inet("10.0.0.2", 9));
      await s.send(fd, "anyone?");
      await expect(s.recv(fd)).rejects.toSatisfy((e) => errnoOf(e) === "ECONNREFUSED");
      await s.ioctl(fd, FIONBIO, 1);
      await expect(s.recv(fd)).rejects.toSatisfy((e) => errnoOf(e) === "EAGAIN");
      await s.ioctl(fd, FIONBIO, 0);
      await s.setsockopt(fd, K.SOL_SOCKET, K.SO_RCVTIMEO, 30);
      await expect(s.recv(fd)).rejects.toSatisfy((e) => errnoOf(e) === "EAGAIN");
      const a = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      const b = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.bind(a, inet("0.0.0.0", 5000));
      await expect(s.bind(b, inet("0.0.0.0", 5000))).rejects.toSatisfy((e) => errnoOf(e) === "EADDRINUSE");
      await expect(s.bind(b, inet("10.9.9.9", 5001))).rejects.toSatisfy(
        (e) => errnoOf(e) === "EADDRNOTAVAIL",
      );
      await expect(s.sendto(b, "x", inet("10.0.0.255", 5000))).rejects.toSatisfy(
        (e) => errnoOf(e) === "EACCES",
      );
    });
    const udp = await withClient(k, "/b", (nc) => nc.stats("udp"));
    expect(udp.find((c) => c.name === "noport")?.value).toBe(1);
  });

  it("broadcast reaches every SO_REUSEPORT socket; poll waits on several sockets with a timeout", async () => {
    await twoStacks();
    let ready!: () => void;
    const bound = new Promise<void>((r) => (ready = r));
    const rx = program(k, "/b", async (ctx) => {
      const s = ctx.sockets;
      const fds: number[] = [];
      for (let i = 0; i < 2; i++) {
        const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
        await s.setsockopt(fd, K.SOL_SOCKET, K.SO_REUSEPORT, 1);
        await s.bind(fd, inet("0.0.0.0", 6000));
        fds.push(fd);
      }
      const idle = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.bind(idle, inet("0.0.0.0", 6001));
      // nothing yet: poll times out with no events
      expect(await s.poll([{ fd: idle, events: K.POLLIN }], 20)).toEqual([0]);
      ready();
      const polled = await s.poll(
        [...fds, idle].map((fd) => ({ fd, events: K.POLLIN })),
        -1,
      );
      const msgs = await Promise.all(fds.map(async (fd) => text((await s.recvfrom(fd)).data)));
      return { polled, msgs };
    });
    await bound;
    await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.setsockopt(fd, K.SOL_SOCKET, K.SO_BROADCAST, 1);
      await s.sendto(fd, "hello all", inet("10.0.0.255", 6000));
    });
    const r = await rx;
    expect(r.polled[0] & K.POLLIN).toBe(K.POLLIN);
    expect(r.polled[2]).toBe(0);
    expect(r.msgs).toEqual(["hello all", "hello all"]);
  });

  it("multicast: a member hears the group, leaving stops it", async () => {
    await twoStacks();
    const mreq = (group: string, iface: string) => {
      const b = new Uint8Array(8);
      const v = new DataView(b.buffer);
      v.setUint32(0, ip(group));
      v.setUint32(4, ip(iface));
      return b;
    };
    let ready!: () => void;
    const joined = new Promise<void>((r) => (ready = r));
    let leave!: () => void;
    const left = new Promise<void>((r) => (leave = r));
    let sent2!: () => void;
    const second = new Promise<void>((r) => (sent2 = r));
    const rx = program(k, "/b", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.bind(fd, inet("0.0.0.0", 5353));
      await s.setsockopt(fd, K.IPPROTO_IP, K.IP_ADD_MEMBERSHIP, mreq("239.1.2.3", "10.0.0.2"));
      ready();
      const m = await s.recvmsg(fd);
      await s.setsockopt(fd, K.IPPROTO_IP, K.IP_DROP_MEMBERSHIP, mreq("239.1.2.3", "10.0.0.2"));
      leave();
      await second;
      const after = await s.poll([{ fd, events: K.POLLIN }], 30);
      return { got: text(m.data), dst: m.dstAddress, after };
    });
    await joined;
    await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.setsockopt(fd, K.IPPROTO_IP, K.IP_MULTICAST_IF, new Uint8Array([10, 0, 0, 1]));
      await s.sendto(fd, "to the group", inet("239.1.2.3", 5353));
      await left;
      await s.sendto(fd, "nobody", inet("239.1.2.3", 5353));
      sent2();
    });
    const r = await rx;
    expect(r).toEqual({ got: "to the group", dst: "239.1.2.3", after: [0] });
  });

  it("dgram facade: createSocket, bind, on('message'), send with a callback, close", async () => {
    await twoStacks();
    let ready!: () => void;
    const bound = new Promise<void>((r) => (ready = r));
    const rx = program(
      k,
      "/b",
      (ctx) =>
        new Promise<string>((resolve) => {
          const sock = createSocket(ctx.sockets, "udp4");
          sock.on("message", (msg, rinfo) => {
            sock.send(`pong ${msg.toString()}`, rinfo.port, rinfo.address, () => {
              sock.close(() => resolve(`${msg.toString()} ${rinfo.address} ${rinfo.size}`));
            });
          });
          sock.bind(41234, () => ready());
        }),
    );
    await bound;
    const reply = await program(
      k,
      "/a",
      (ctx) =>
        new Promise<string>((resolve, reject) => {
          const sock = createSocket(ctx.sockets, "udp4", (msg) => {
            sock.close();
            resolve(msg.toString());
          });
          sock.on("error", reject);
          sock.send("ping", 41234, "10.0.0.2");
        }),
    );
    expect(await rx).toBe("ping 10.0.0.1 4");
    expect(reply).toBe("pong ping");
  });

  it("refuses malformed and out-of-order socket messages with errno errors", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-p", "tcpip", "prefix=/a"]);
    await program(k, "/a", async (ctx) => {
      const h = await ctx.fs.open("/a/dev/socket/2", "r+");
      await expect(h.devctl(0xc0005302, new Uint8Array([1, 2]))).rejects.toSatisfy(
        (e) => errnoOf(e) === "ENOTSOCK",
      );
      await expect(h.devctl(0xc0005301, new Uint8Array([]))).rejects.toSatisfy(
        (e) => errnoOf(e) === "EBADMSG",
      );
      await expect(h.devctl(0xc0005301, new Uint8Array([9, 0]))).rejects.toSatisfy(
        (e) => errnoOf(e) === "EPROTOTYPE",
      );
      await h.devctl(0xc0005301, new Uint8Array([K.SOCK_DGRAM, 0]));
      await expect(h.devctl(0xc0005302, new Uint8Array([7]))).rejects.toSatisfy(
        (e) => errnoOf(e) === "EBADMSG",
      );
      await expect(h.devctl(0xc00053ff, new Uint8Array([]))).rejects.toSatisfy(
        (e) => errnoOf(e) === "ENOTTY",
      );
      await h.close();
    });
  });
});
