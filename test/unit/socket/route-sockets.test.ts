import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import type { ProgramContext } from "../../../firmware/program.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import { FIONREAD } from "../../../firmware/net/socket/messages.ts";
import {
  AF_LINK,
  RTAX_DST,
  RTAX_GATEWAY,
  RTAX_IFA,
  RTAX_IFP,
  RTAX_NETMASK,
  RTM_ADD,
  RTM_CHANGE,
  RTM_DELETE,
  RTM_GET,
  RTM_IFINFO,
  RTM_MISS,
  RTM_NEWADDR,
  RTM_VERSION,
  decodeRtMsg,
  emptyMetrics,
  encodeRtMsg,
  type RoutingMessage,
  type RtAddrs,
  type RtRouteMsg,
} from "../../../firmware/net/socket/rtmsg.ts";
import { RTF_GATEWAY, RTF_STATIC, RTF_UP } from "../../../firmware/net/stack/route.ts";
import { IFF_UP } from "../../../firmware/net/stack/ifnet.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { fuzzIterations, xorshift32 } from "../../helpers/fuzz.ts";
import { errnoOf, program, startIoPkt, withClient } from "../iopkt/harness.ts";

const ip = (s: string) => parseIpv4(s) as number;

function request(type: number, seq: number, addrs: RtAddrs, flags = RTF_UP | RTF_STATIC): RtRouteMsg {
  return {
    kind: "route",
    type,
    index: 0,
    flags,
    pid: 0,
    seq,
    errno: 0,
    use: 0,
    inits: 0,
    rmx: emptyMetrics(),
    addrs,
  };
}

function routeAddrs(dst: string, gw: string | null, mask: string | null): RtAddrs {
  const a: RtAddrs = [];
  a[RTAX_DST] = { family: K.AF_INET, addr: ip(dst) };
  if (gw !== null) a[RTAX_GATEWAY] = { family: K.AF_INET, addr: ip(gw) };
  if (mask !== null) a[RTAX_NETMASK] = { family: K.AF_INET, addr: ip(mask) };
  return a;
}

/** Reads routing messages until `pred` accepts one. */
async function readUntil(
  ctx: ProgramContext,
  fd: number,
  pred: (m: RoutingMessage) => boolean,
): Promise<RoutingMessage> {
  for (;;) {
    const m = decodeRtMsg(await ctx.sockets.recv(fd, 2048));
    if (pred(m)) return m;
  }
}

describe("routing sockets (AF_ROUTE on /dev/socket/17)", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  async function stack(): Promise<void> {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=r1", "-p", "tcpip", "prefix=/a", "-t", "2"]);
    await withClient(k, "/a", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
  }

  it("route add/delete, ifconfig down and a new address reach a (non-root) reader, in the changer's name", async () => {
    await stack();
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const reader = program(
      k,
      "/a",
      async (ctx) => {
        const fd = await ctx.sockets.socket(K.AF_ROUTE, K.SOCK_RAW, 0);
        ready();
        const add = await readUntil(ctx, fd, (m) => m.type === RTM_ADD);
        const del = await readUntil(ctx, fd, (m) => m.type === RTM_DELETE);
        const down = await readUntil(ctx, fd, (m) => m.type === RTM_IFINFO);
        const addr = await readUntil(ctx, fd, (m) => m.type === RTM_NEWADDR);
        await ctx.sockets.close(fd);
        return { add, del, down, addr };
      },
      1000,
    );
    await listening;
    const changer = await withClient(k, "/a", async (nc, ctx) => {
      await nc.addRoute({ dst: ip("10.2.0.0"), prefixLen: 16, gateway: ip("10.0.0.254") });
      await nc.deleteRoute(ip("10.2.0.0"), 16);
      await nc.setUp("en0", false);
      await nc.addAlias("en0", { addr: ip("10.0.0.9"), prefixLen: 24 });
      return ctx.thread.process.pid;
    });
    const { add, del, down, addr } = await reader;
    expect(add).toMatchObject({ kind: "route", pid: changer, errno: 0 });
    expect((add as RtRouteMsg).flags & (RTF_UP | RTF_GATEWAY | RTF_STATIC)).toBe(
      RTF_UP | RTF_GATEWAY | RTF_STATIC,
    );
    expect(add.addrs[RTAX_DST]).toEqual({ family: K.AF_INET, addr: ip("10.2.0.0") });
    expect(add.addrs[RTAX_GATEWAY]).toEqual({ family: K.AF_INET, addr: ip("10.0.0.254") });
    expect(add.addrs[RTAX_NETMASK]).toEqual({ family: K.AF_INET, addr: ip("255.255.0.0") });
    expect(del.addrs[RTAX_DST]).toEqual({ family: K.AF_INET, addr: ip("10.2.0.0") });
    expect(down).toMatchObject({ kind: "if", index: 2 }); // lo0 is 1
    expect(down.flags & IFF_UP).toBe(0);
    expect(addr.addrs[RTAX_IFA]).toEqual({ family: K.AF_INET, addr: ip("10.0.0.9") });
    expect(addr.addrs[RTAX_IFP]).toMatchObject({ family: AF_LINK, name: "en0" });
  });

  it("a write changes the table as root, answers RTM_GET for anyone, and is EPERM for others", async () => {
    await stack();
    const r = await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_ROUTE, K.SOCK_RAW, 0);
      await s.send(fd, encodeRtMsg(request(RTM_ADD, 7, routeAddrs("10.9.0.0", "10.0.0.254", "255.255.0.0"))));
      const echo = await readUntil(ctx, fd, (m) => m.type === RTM_ADD);
      await s.send(
        fd,
        encodeRtMsg(request(RTM_CHANGE, 9, routeAddrs("10.9.0.0", "10.0.0.253", "255.255.0.0"))),
      );
      const changed = await readUntil(ctx, fd, (m) => m.type === RTM_CHANGE);
      // A delete of a route that is not there fails for the writer and is reported with its errno.
      const err = await s
        .send(fd, encodeRtMsg(request(RTM_DELETE, 8, routeAddrs("10.8.0.0", null, "255.255.0.0"))))
        .catch((e: unknown) => e);
      const failed = await readUntil(ctx, fd, (m) => m.type === RTM_DELETE);
      await s.close(fd);
      return { echo, changed, err, failed, pid: ctx.thread.process.pid };
    });
    expect(r.echo).toMatchObject({ pid: r.pid, seq: 7, errno: 0 });
    expect(r.changed).toMatchObject({ pid: r.pid, seq: 9, errno: 0 });
    expect(r.changed.addrs[RTAX_GATEWAY]).toEqual({ family: K.AF_INET, addr: ip("10.0.0.253") });
    expect(errnoOf(r.err)).toBe("ESRCH");
    expect(r.failed).toMatchObject({ pid: r.pid, seq: 8, errno: 3 });
    const routes = await withClient(k, "/a", (nc) => nc.routes());
    expect(
      routes.some((x) => x.dst === ip("10.9.0.0") && x.prefixLen === 16 && x.gateway === ip("10.0.0.253")),
    ).toBe(true);

    const user = await program(
      k,
      "/a",
      async (ctx) => {
        const s = ctx.sockets;
        const fd = await s.socket(K.AF_ROUTE, K.SOCK_RAW, 0);
        const denied = await s
          .send(fd, encodeRtMsg(request(RTM_DELETE, 1, routeAddrs("10.9.0.0", null, "255.255.0.0"))))
          .catch((e: unknown) => e);
        await s.send(fd, encodeRtMsg(request(RTM_GET, 2, routeAddrs("10.9.1.2", null, null), 0)));
        const got = await readUntil(ctx, fd, (m) => m.type === RTM_GET && (m as RtRouteMsg).seq === 2);
        await s.close(fd);
        return { denied, got, pid: ctx.thread.process.pid };
      },
      1000,
    );
    expect(errnoOf(user.denied)).toBe("EPERM");
    expect(user.got).toMatchObject({ pid: user.pid, errno: 0 });
    expect(user.got.addrs[RTAX_DST]).toEqual({ family: K.AF_INET, addr: ip("10.9.0.0") });
    expect(user.got.addrs[RTAX_GATEWAY]).toEqual({ family: K.AF_INET, addr: ip("10.0.0.253") });
    expect(user.got.addrs[RTAX_IFP]).toMatchObject({ family: AF_LINK, name: "en0" });
    expect(user.got.addrs[RTAX_IFA]).toEqual({ family: K.AF_INET, addr: ip("10.0.0.1") });
  });

  it("a send with no route fails EHOSTUNREACH and readers get RTM_MISS for its destination", async () => {
    await stack();
    const r = await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const rfd = await s.socket(K.AF_ROUTE, K.SOCK_RAW, 0);
      const ufd = await s.socket(K.AF_INET, K.SOCK_DGRAM, 0);
      const err = await s
        .sendto(ufd, "x", { family: "inet", address: "192.168.77.1", port: 9 })
        .catch((e: unknown) => e);
      const miss = await readUntil(ctx, rfd, (m) => m.type === RTM_MISS);
      await s.close(ufd);
      await s.close(rfd);
      return { err, miss };
    });
    expect(errnoOf(r.err)).toBe("EHOSTUNREACH");
    expect(r.miss).toMatchObject({ kind: "route", pid: 0, seq: 0, errno: 0 });
    expect(r.miss.addrs[RTAX_DST]).toEqual({ family: K.AF_INET, addr: ip("192.168.77.1") });
    expect(r.miss.addrs.filter((a) => a !== undefined)).toHaveLength(1);
  });

  it("malformed writes are EINVAL naming the problem; fuzzed messages get an errno, never a crash", async () => {
    await stack();
    const base = encodeRtMsg(request(RTM_GET, 1, routeAddrs("10.0.0.5", "10.0.0.254", "255.255.255.0")));
    const out = await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_ROUTE, K.SOCK_RAW, 0);
      const short = await s.send(fd, base.subarray(0, 3)).catch((e: unknown) => e);
      const badLen = base.slice();
      badLen[1] = 99; // rtm_msglen
      const lenErr = await s.send(fd, badLen).catch((e: unknown) => e);
      const badVersion = base.slice();
      badVersion[2] = RTM_VERSION + 1;
      const verErr = await s.send(fd, badVersion).catch((e: unknown) => e);
      const seen = new Set<string>();
      const next = xorshift32(0x10);
      const n = fuzzIterations(300, 5000);
      for (let i = 0; i < n; i++) {
        const b = base.slice(0, next() % 8 === 0 ? next() % base.byteLength : base.byteLength);
        for (let j = next() % 4; j >= 0 && b.byteLength > 0; j--) b[next() % b.byteLength] = next() & 0xff;
        try {
          await s.send(fd, b);
          seen.add("ok");
        } catch (e) {
          if (!(e instanceof KernelError)) throw e;
          seen.add(e.errno);
        }
        // Keep the buffer drained: RTM_GET answers and error reports go to this reader too.
        while ((await s.ioctl(fd, FIONREAD)) > 0) await s.recv(fd, 2048);
      }
      await s.close(fd);
      return { short, lenErr, verErr, seen };
    });
    expect(errnoOf(out.short)).toBe("EINVAL");
    expect((out.short as Error).message).toMatch(/shorter than/);
    expect(errnoOf(out.lenErr)).toBe("EINVAL");
    expect((out.lenErr as Error).message).toMatch(/rtm_msglen 99/);
    expect(errnoOf(out.verErr)).toBe("EPROTONOSUPPORT");
    expect(out.seen.has("EINVAL")).toBe(true);
    // io-pkt is still serving.
    expect((await withClient(k, "/a", (nc) => nc.routes())).length).toBeGreaterThan(0);
  });

  it("the codec round-trips every message kind", () => {
    const m = request(RTM_ADD, 3, routeAddrs("10.1.0.0", "10.0.0.1", "255.255.0.0"));
    m.addrs[RTAX_IFP] = {
      family: AF_LINK,
      index: 2,
      type: 6,
      name: "en1",
      mac: new Uint8Array([2, 0, 0, 0, 0, 1]),
    };
    expect(decodeRtMsg(encodeRtMsg(m))).toEqual(m);
  });
});
