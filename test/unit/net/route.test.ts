import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { RouteTable, RTF_GATEWAY, RTF_STATIC } from "../../../firmware/net/stack/route.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import { ip } from "./wire-harness.ts";

function table() {
  const s = new Stack({ clock: new ManualClock() });
  const en0 = s.attach({ mac: 0x020000000001, output: () => true });
  const en1 = s.attach({ mac: 0x020000000002, output: () => true });
  return { s, en0, en1 };
}

describe("routing table", () => {
  it("longest-prefix match", () => {
    const { en0, en1 } = table();
    const t = new RouteTable();
    t.add({ dst: 0, prefixLen: 0, gateway: ip("10.0.0.1"), ifp: en0, flags: RTF_GATEWAY });
    t.add({ dst: ip("10.0.0.0"), prefixLen: 8, gateway: 0, ifp: en0, flags: 0 });
    t.add({ dst: ip("10.1.0.0"), prefixLen: 16, gateway: 0, ifp: en1, flags: 0 });
    t.add({ dst: ip("10.1.2.0"), prefixLen: 24, gateway: 0, ifp: en0, flags: 0 });
    t.add({ dst: ip("10.1.2.3"), prefixLen: 32, gateway: 0, ifp: en1, flags: 0 });
    const len = (a: string) => t.lookup(ip(a))?.prefixLen;
    expect(len("10.1.2.3")).toBe(32);
    expect(len("10.1.2.4")).toBe(24);
    expect(len("10.1.3.4")).toBe(16);
    expect(len("10.200.0.1")).toBe(8);
    expect(len("8.8.8.8")).toBe(0);
    expect(len("255.255.255.255")).toBe(0);
    t.delete(ip("10.1.2.0"), 24);
    expect(len("10.1.2.4")).toBe(16);
    t.delete(0, 0);
    expect(t.lookup(ip("8.8.8.8"))).toBeNull();
    expect(() => t.delete(0, 0)).toThrow(/not in table/);
    expect(() => t.add({ dst: ip("10.1.9.9"), prefixLen: 16, gateway: 0, ifp: en0, flags: 0 })).toThrow(
      /already/,
    );
    expect(t.size).toBe(3);
  });

  it("matches a brute-force reference on random tables", () => {
    const { en0 } = table();
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    for (let round = 0; round < 20; round++) {
      const t = new RouteTable();
      const ref: Array<{ dst: number; len: number }> = [];
      for (let i = 0; i < 50; i++) {
        const len = rnd() % 33;
        const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
        const dst = (rnd() & mask) >>> 0;
        if (t.get(dst, len)) continue;
        t.add({ dst, prefixLen: len, gateway: 0, ifp: en0, flags: 0 });
        ref.push({ dst, len });
      }
      for (let q = 0; q < 200; q++) {
        const a = q % 2 ? rnd() : ref[q % ref.length].dst | (rnd() & 0xff);
        let best = -1;
        for (const r of ref) {
          const mask = r.len === 0 ? 0 : (0xffffffff << (32 - r.len)) >>> 0;
          if ((a & mask) >>> 0 === r.dst && r.len > best) best = r.len;
        }
        expect(t.lookup(a >>> 0)?.prefixLen ?? -1).toBe(best);
      }
    }
  });

  it("connected routes follow addresses; static routes need a reachable gateway", () => {
    const { s, en0 } = table();
    s.addAddress(en0, ip("10.0.0.5"), 24);
    s.addAddress(en0, ip("10.0.0.6"), 24); // alias in the same subnet: one connected route
    expect(s.routes.get(ip("10.0.0.0"), 24)?.ifp).toBe(en0);
    expect(() => s.addRoute(0, 0, ip("172.16.0.1"))).toThrow(/unreachable/i);
    const def = s.addRoute(0, 0, ip("10.0.0.1"));
    expect(def.flags & (RTF_GATEWAY | RTF_STATIC)).toBe(RTF_GATEWAY | RTF_STATIC);
    s.deleteAddress(en0, ip("10.0.0.5"));
    expect(s.routes.get(ip("10.0.0.0"), 24)?.gateway).toBe(ip("10.0.0.6"));
    s.deleteAddress(en0, ip("10.0.0.6"));
    expect(s.routes.get(ip("10.0.0.0"), 24)).toBeUndefined();
  });

  it("route get: the route, gateway and source the stack would use", () => {
    const { s, en0 } = table();
    s.addAddress(en0, ip("10.0.0.5"), 24);
    s.addRoute(0, 0, ip("10.0.0.1"));
    const g = s.routeGet(ip("8.8.8.8"));
    expect([g.route.prefixLen, g.gateway, g.src, g.ifp]).toEqual([0, ip("10.0.0.1"), ip("10.0.0.5"), en0]);
    expect(() => new Stack({ clock: new ManualClock() }).routeGet(ip("8.8.8.8"))).toThrow(/not in table/);
  });
});
