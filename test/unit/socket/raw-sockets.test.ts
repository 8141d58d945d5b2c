import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { echoRequest, parseEchoDatagram } from "../../../firmware/bin/lib/net-ping-icmp.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import { ECHO_EV_REPLY } from "../../../firmware/net/control/protocol.ts";
import { ipFillCksum, writeIpv4Header } from "../../../firmware/net/wire/ipv4.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { errnoOf, program, startIoPkt, withClient } from "../iopkt/harness.ts";

const ip = (s: string) => parseIpv4(s) as number;
const inet = (address: string) => ({ family: "inet" as const, address, port: 0 });

/** A whole datagram of protocol `proto` with `payload`, as IP_HDRINCL senders write it. */
function datagram(proto: number, src: number, dst: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(20 + payload.byteLength);
  writeIpv4Header(b, new DataView(b.buffer), 0, 0, b.byteLength, 0, 0, 64, proto, src, dst);
  b.set(payload, 20);
  ipFillCksum(b, 0, 20);
  return b;
}

describe("raw IP sockets (SOCK_RAW on /dev/socket/2)", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  async function twoStacks(): Promise<void> {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=r0", "-p", "tcpip", "prefix=/a", "-t", "2"]);
    await startIoPkt(k, ["-d", "vwire", "hub=r0", "-p", "tcpip", "prefix=/b", "-t", "2"]);
    await withClient(k, "/a", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    await withClient(k, "/b", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.2"), prefixLen: 24 }));
  }

  it("an ICMP raw socket sends an echo request and receives the reply with its IP header", async () => {
    await twoStacks();
    const ev = await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_RAW, K.IPPROTO_ICMP);
      await s.setsockopt(fd, K.IPPROTO_IP, K.IP_TTL, 33);
      expect(await s.getsockoptInt(fd, K.IPPROTO_IP, K.IP_TTL)).toBe(33);
      await s.sendto(fd, echoRequest(0x4242, 7, new Uint8Array([1, 2, 3, 4])), inet("10.0.0.2"));
      for (;;) {
        const m = await s.recvfrom(fd);
        expect(m.from).toEqual({ family: "inet", address: "10.0.0.2", port: 0 });
        expect(m.data[0] >> 4).toBe(4); // the IP header comes first
        const e = parseEchoDatagram(m.data, ip("10.0.0.2"), 0x4242, 0);
        if (e !== null) {
          await s.close(fd);
          return e;
        }
      }
    });
    expect(ev).toMatchObject({ kind: ECHO_EV_REPLY, seq: 7, icmpLen: 12, ttl: 64 });
    expect([...ev.data]).toEqual([1, 2, 3, 4]);
  });

  it("IP_HDRINCL sends the caller's header; a raw socket of that protocol receives it; no protocol unreachable", async () => {
    await twoStacks();
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const rx = program(k, "/b", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_RAW, 253);
      const icmp = await s.socket(K.AF_INET, K.SOCK_RAW, K.IPPROTO_ICMP);
      ready();
      const m = await s.recvfrom(fd);
      // the ICMP socket saw nothing: no protocol unreachable went out
      await expect(s.recv(icmp, 100, K.MSG_DONTWAIT)).rejects.toSatisfy((e) => errnoOf(e) === "EAGAIN");
      await s.close(fd);
      await s.close(icmp);
      return m;
    });
    await listening;
    await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_RAW, K.IPPROTO_RAW);
      await s.setsockopt(fd, K.IPPROTO_IP, K.IP_HDRINCL, 1);
      // source and id left 0: filled in, as BSD does
      await s.sendto(
        fd,
        datagram(253, 0, ip("10.0.0.2"), new TextEncoder().encode("hello")),
        inet("10.0.0.2"),
      );
      const short = new Uint8Array(12);
      await expect(s.sendto(fd, short, inet("10.0.0.2"))).rejects.toSatisfy((e) => errnoOf(e) === "EINVAL");
      const lying = datagram(253, 0, ip("10.0.0.2"), new Uint8Array(4));
      lying[3] = 99; // total length says 99
      await expect(s.sendto(fd, lying, inet("10.0.0.2"))).rejects.toSatisfy((e) => errnoOf(e) === "EINVAL");
      await s.close(fd);
    });
    const m = await rx;
    expect(m.data[9]).toBe(253);
    expect(new DataView(m.data.buffer, m.data.byteOffset).getUint32(12)).toBe(ip("10.0.0.1"));
    expect(new TextDecoder().decode(m.data.subarray(20))).toBe("hello");
  });

  it("bind and connect filter what a raw socket hears; only root opens one", async () => {
    await twoStacks();
    await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_RAW, K.IPPROTO_ICMP);
      await expect(s.bind(fd, inet("10.9.9.9"))).rejects.toSatisfy((e) => errnoOf(e) === "EADDRNOTAVAIL");
      await s.connect(fd, inet("10.0.0.77")); // hears only 10.0.0.77
      await s.send(fd, echoRequest(1, 1, new Uint8Array(0)));
      const other = await s.socket(K.AF_INET, K.SOCK_RAW, K.IPPROTO_ICMP);
      await s.sendto(other, echoRequest(1, 2, new Uint8Array(0)), inet("10.0.0.2"));
      // `other` gets the reply; the connected one does not
      const m = await s.recvfrom(other);
      expect(m.from).toEqual({ family: "inet", address: "10.0.0.2", port: 0 });
      await expect(s.recv(fd, 100, K.MSG_DONTWAIT)).rejects.toSatisfy((e) => errnoOf(e) === "EAGAIN");
      expect((await s.getpeername(fd)).family).toBe("inet");
      const list = await s.list();
      expect(list.filter((l) => l.type === K.SOCK_RAW).length).toBe(2);
      await s.close(fd);
      await s.close(other);
    });
    await program(
      k,
      "/a",
      async (ctx) => {
        await expect(ctx.sockets.socket(K.AF_INET, K.SOCK_RAW, K.IPPROTO_ICMP)).rejects.toSatisfy(
          (e) => errnoOf(e) === "EPERM",
        );
      },
      100,
    );
  });
});
