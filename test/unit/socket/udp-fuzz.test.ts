// Mutated UDP datagrams into a stack with sockets bound (unicast, a connected socket, broadcast,
// a multicast group member): no exception, no leaked buffer, socket buffers within their
// bounds, and every datagram either delivered or counted as a drop. Half the mutants get their
// IP and UDP checksums fixed up afterwards, so mutated headers reach demultiplexing and
// delivery instead of all dying at the checksum. CI runs a million (FUZZ_ITERATIONS).
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import { SocketLayer } from "../../../firmware/net/socket/layer.ts";
import type { Socket } from "../../../firmware/net/socket/socket.ts";
import { setSockopt, int32 } from "../../../firmware/net/socket/sockopt.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import { ipFillCksum } from "../../../firmware/net/wire/ipv4.ts";
import { ipv4MulticastMac } from "../../../firmware/net/wire/mac.ts";
import { udpFillCksum } from "../../../firmware/net/wire/udp.ts";
import { fuzzIterations, mutate, xorshift32 } from "../../helpers/fuzz.ts";
import { MAC_B, udpFrame } from "../net/frames.ts";
import { ip, pattern } from "../net/wire-harness.ts";

const ITER = fuzzIterations(100_000, 1_000_000);
const A = ip("10.0.0.1");
const B = ip("10.0.0.2");
const AF_INET_ADDR = (addr: number, port: number) => ({ family: K.AF_INET, port, addr, path: "" });

/** Recomputes the IPv4 header and UDP checksums where the (mutated) lengths allow it. */
function fixChecksums(f: Uint8Array): void {
  if (f.length < 34 || f[12] !== 0x08 || f[13] !== 0x00) return;
  const hlen = (f[14] & 0x0f) * 4;
  if (hlen < 20 || 14 + hlen > f.length) return;
  ipFillCksum(f, 14, hlen);
  const u = 14 + hlen;
  if (u + 8 > f.length) return;
  const ulen = (f[u + 4] << 8) | f[u + 5];
  if (ulen < 8 || u + ulen > f.length) return;
  const v = new DataView(f.buffer, f.byteOffset);
  udpFillCksum(f, u, ulen, v.getUint32(26), v.getUint32(30));
}

describe("UDP input fuzz", () => {
  it(`survives ${ITER} mutated datagrams to bound, connected, broadcast and multicast sockets`, () => {
    const clock = new ManualClock();
    const s = new Stack({ clock, poolBuffers: 4096 });
    const en0 = s.attach({ mac: MAC_B, output: () => true });
    s.addAddress(en0, B, 24);
    s.sysctl.set("net.inet.icmp.errppslimit", 0);
    s.arp.addStatic(en0, A, 0x020000000001);
    const layer = new SocketLayer(s);
    const sock = (bind: number, port: number): Socket => {
      const so = layer.create(K.AF_INET, K.SOCK_DGRAM, 0, 1);
      so.proto.bind(so, AF_INET_ADDR(bind, port));
      return so;
    };
    const dns = sock(0, 53);
    const dhcp = sock(0, 68);
    const connected = sock(B, 7000);
    connected.proto.connect(connected, AF_INET_ADDR(A, 1000));
    const mdns = sock(0, 5353);
    setSockopt(mdns, K.IPPROTO_IP, K.IP_ADD_MEMBERSHIP, Uint8Array.of(224, 0, 0, 251, 10, 0, 0, 2));
    setSockopt(dhcp, K.SOL_SOCKET, K.SO_BROADCAST, int32(1));
    setSockopt(dns, K.SOL_SOCKET, K.SO_RCVBUF, int32(40)); // one datagram: fills between drains
    const all = [dns, dhcp, connected, mdns];

    const seeds = [
      udpFrame(A, B, 1000, 53, pattern(30)),
      udpFrame(A, B, 1000, 7000, pattern(100)),
      udpFrame(A, B, 999, 7000, pattern(10)), // not the connected peer's port
      udpFrame(A, ip("10.0.0.255"), 67, 68, pattern(300), 0xffffffffffff),
      udpFrame(0, 0xffffffff, 67, 68, pattern(300), 0xffffffffffff),
      udpFrame(A, ip("224.0.0.251"), 5353, 5353, pattern(40), ipv4MulticastMac(ip("224.0.0.251"))),
      udpFrame(A, B, 1000, 9, pattern(20)), // nobody: port unreachable
      (() => {
        const f = udpFrame(A, B, 1000, 53, pattern(12));
        f[40] = 0; // zero checksum: "none" (RFC 768)
        f[41] = 0;
        return f;
      })(),
    ];
    const r = xorshift32(0x0dd0);
    let received = 0;
    for (let i = 0; i < ITER; i++) {
      const f = mutate(r, seeds[r() % seeds.length]);
      if (r() & 1) fixChecksums(f);
      s.input(en0, f);
      // Readers drain now and then, so full buffers and delivery both happen.
      if (i % 64 === 63)
        for (const so of all) {
          expect(so.rcv.cc).toBeLessThanOrEqual(so.rcv.hiwat);
          while (so.rcv.shift() !== undefined) received++;
        }
      if (i % 5000 === 0) clock.advance(700);
    }
    for (const so of all) while (so.rcv.shift() !== undefined) received++;
    const u = layer.udp.stats;
    expect(s.stats.ether.frames).toBe(ITER);
    // Every datagram UDP took in was dropped for a reason, or matched at least one socket.
    expect(u.hdrops + u.badlen + u.badsum + u.noport + u.noportbcast).toBeLessThan(u.ipackets);
    expect(u.delivered).toBe(received);
    expect(u.delivered).toBeGreaterThan(0);
    expect(u.badsum).toBeGreaterThan(0);
    expect(u.badlen).toBeGreaterThan(0);
    expect(u.noport).toBeGreaterThan(0);
    expect(u.fullsock).toBeGreaterThan(0);
    clock.advance(120_000);
    s.stop();
    expect(s.pool.inUse).toBe(0);
    expect(s.pool.stats.doubleFrees).toBe(0);
  }, 300_000);
});
