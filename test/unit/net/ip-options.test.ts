import { describe, expect, it } from "vitest";
import { pingRouteText } from "../../../firmware/bin/lib/net-ping-format.ts";
import type { Stack } from "../../../firmware/net/stack/stack.ts";
import { ICMP_PARAMPROB, ICMP_UNREACH, ICMP_UNREACH_SRCFAIL } from "../../../firmware/net/wire/icmp.ts";
import { formatIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import {
  IPOPT_LSRR,
  IPOPT_TS,
  recordRouteOption,
  recordedRoute,
} from "../../../firmware/net/wire/ipv4-options.ts";
import { IP_HDR_LEN, ipHlen } from "../../../firmware/net/wire/ipv4.ts";
import { ip, pattern, routed } from "./wire-harness.ts";

/** A — R (forwarding) — B, as in the forwarding tests. */
function forwarding() {
  const n = routed();
  n.r.config.forwarding = 1;
  return n;
}

/** Echo replies and errors for id 9, with the reply's IP options. */
function recorder(s: Stack) {
  const replies: Uint8Array[] = [];
  const errors: Array<[number, number]> = [];
  s.icmp.addEchoListener(9, {
    reply(_from, _seq, _ttl, _len, pb) {
      replies.push(pb.bytes.slice(pb.off + IP_HDR_LEN, pb.off + ipHlen(pb.bytes, pb.off)));
    },
    error(_from, type, code) {
      errors.push([type, code]);
    },
  });
  return { replies, errors };
}

describe("IP options", () => {
  it("record route: each hop records its address both ways, as ping -R shows", () => {
    const { net, a } = forwarding();
    const rec = recorder(a);
    expect(a.icmp.sendEcho(ip("10.0.2.2"), 9, 1, pattern(8), { ipOptions: recordRouteOption() })).toBe(0);
    net.pump();
    expect(rec.replies).toHaveLength(1);
    const route = recordedRoute(rec.replies[0])!.map(formatIpv4);
    expect(route).toEqual(["10.0.2.1", "10.0.2.2", "10.0.1.1", "10.0.1.2"]);
    expect(pingRouteText(route, null)).toBe("\nRR: \t10.0.2.1\n\t10.0.2.2\n\t10.0.1.1\n\t10.0.1.2");
    expect(pingRouteText(route, route)).toBe("\t(same route)");
  });

  it("a full record route stops recording; the datagram still goes through", () => {
    const { net, a } = forwarding();
    const rec = recorder(a);
    a.icmp.sendEcho(ip("10.0.2.2"), 9, 1, pattern(8), { ipOptions: recordRouteOption(2) });
    net.pump();
    expect(recordedRoute(rec.replies[0])!.map(formatIpv4)).toEqual(["10.0.2.1", "10.0.2.2"]);
  });

  it("timestamp: stamps with milliseconds since midnight UT, then counts overflow", () => {
    const { net, a, b } = forwarding();
    const rec = recorder(a);
    const ts = new Uint8Array([IPOPT_TS, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // two slots
    a.icmp.sendEcho(ip("10.0.2.2"), 9, 1, pattern(8), { ipOptions: ts });
    net.pump();
    const o = rec.replies[0];
    const v = new DataView(o.buffer, o.byteOffset);
    expect(o[0]).toBe(IPOPT_TS);
    expect(o[2]).toBe(13); // both slots used (R, B), pointer past them
    expect(o[3] >> 4).toBe(2); // R and A on the way back found no room
    expect(v.getUint32(4)).toBe(Math.floor(b.clock.wallTime()) % 86_400_000);
  });

  it("source routes are refused (source route failed) unless net.inet.ip.allowsrcrt", () => {
    const { net, a, r, b } = forwarding();
    const rec = recorder(a);
    const lsrr = new Uint8Array([IPOPT_LSRR, 7, 4, 10, 0, 2, 2, 0]);
    a.icmp.sendEcho(ip("10.0.1.1"), 9, 1, pattern(8), { ipOptions: lsrr });
    net.pump();
    expect(rec.errors).toEqual([[ICMP_UNREACH, ICMP_UNREACH_SRCFAIL]]);
    expect(r.stats.ip.badoptions).toBe(1);
    r.sysctl.set("net.inet.ip.allowsrcrt", 1);
    b.sysctl.set("net.inet.ip.allowsrcrt", 1); // the last hop must accept it too
    a.icmp.sendEcho(ip("10.0.1.1"), 9, 2, pattern(8), { ipOptions: lsrr });
    net.pump();
    expect(rec.replies).toHaveLength(1); // R sent it on to B, which answered
  });

  it("a malformed option gets a parameter problem", () => {
    const { net, a } = forwarding();
    const rec = recorder(a);
    a.icmp.sendEcho(ip("10.0.2.2"), 9, 1, pattern(8), { ipOptions: new Uint8Array([7, 40, 4, 0]) });
    net.pump();
    expect(rec.errors).toEqual([[ICMP_PARAMPROB, 0]]);
  });
});
