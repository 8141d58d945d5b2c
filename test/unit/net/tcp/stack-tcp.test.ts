// TCP inside two stacks wired back to back: segments travel through ip.output, ARP, Ethernet and
// IPv4 input; the MSS comes from the interface MTU; a refused port answers RST; sysctl and the
// netstat -s counters see TCP; no packet buffer leaks.
import { describe, expect, it } from "vitest";
import { ERRNO } from "../../../../firmware/kernel/errno.ts";
import { TCPS_CLOSED, TCPS_ESTABLISHED } from "../../../../firmware/net/tcp/state.ts";
import type { Tcb } from "../../../../firmware/net/tcp/tcb.ts";
import { tcpClose, tcpRead, tcpSend } from "../../../../firmware/net/tcp/usrreq.ts";
import { PFIL_DROP, PFIL_IN, PFIL_PASS } from "../../../../firmware/net/stack/pfil.ts";
import { ip, makeNet, makeStack, pattern } from "../wire-harness.ts";

function twoNodes(mtu = 1500) {
  const net = makeNet();
  const a = makeStack(net, []);
  const b = makeStack(net, []);
  const ea = net.hubs[0].attach(a, 0x020000000001, undefined, mtu);
  const eb = net.hubs[0].attach(b, 0x020000000002, undefined, mtu);
  a.addAddress(ea, ip("10.0.0.1"), 24);
  b.addAddress(eb, ip("10.0.0.2"), 24);
  net.pump();
  return { net, a, b };
}

type Net = ReturnType<typeof makeNet>;

function pumpUntilQuiet(net: Net): void {
  for (let i = 0; i < 10_000 && net.hubs[0].queue.length > 0; i++) {
    net.pump();
    net.clock.advance(1);
  }
}

/** Sends `data` from `c` and returns what `s` read, a millisecond of wire time per step. */
function move(net: Net, c: Tcb, s: Tcb, data: Uint8Array): Uint8Array {
  const got = new Uint8Array(data.length);
  let sent = 0;
  let n = 0;
  for (let i = 0; i < 100_000 && n < data.length; i++) {
    if (sent < data.length) sent += Math.max(0, tcpSend(c, data, sent, data.length - sent));
    net.pump();
    net.clock.advance(1);
    n += tcpRead(s, got, n, got.length - n);
  }
  return got;
}

describe("TCP in the stack", () => {
  it("connects through ARP and IPv4, moves 300 KB both ways, closes, and frees every buffer", () => {
    const { net, a, b } = twoNodes(1400);
    const l = b.tcp.engine.listen(0, 8080, 4);
    const c = a.tcp.engine.connect(ip("10.0.0.1"), 49_152, ip("10.0.0.2"), 8080, null);
    const settle = () => pumpUntilQuiet(net);
    settle();
    expect(c.state).toBe(TCPS_ESTABLISHED);
    expect(c.smss).toBe(1360 - 12); // MTU 1400 − 40, minus timestamps
    const s = b.tcp.engine.accept(l, null) as Tcb;
    const data = pattern(300_000);
    expect(move(net, c, s, data)).toEqual(data);
    expect(tcpSend(s, data, 0, 1000)).toBe(1000);
    settle();
    const back = new Uint8Array(1000);
    expect(tcpRead(c, back, 0, 1000)).toBe(1000);
    tcpClose(c);
    settle();
    tcpClose(s);
    settle();
    expect(s.state).toBe(TCPS_CLOSED);
    expect(b.sysctl.get("net.inet.tcp.stats")).toMatchObject({ accepts: 1 });
    net.clock.advance(120_000);
    expect(a.tcp.engine.tupleInUse(ip("10.0.0.1"), 49_152, ip("10.0.0.2"), 8080)).toBe(false);
    expect(a.pool.inUse).toBe(0);
    expect(b.pool.inUse).toBe(0);
  });

  it("a closed port answers RST: connect fails with ECONNREFUSED", () => {
    const { net, a } = twoNodes();
    const c = a.tcp.engine.connect(ip("10.0.0.1"), 49_153, ip("10.0.0.2"), 9, null);
    for (let i = 0; i < 10; i++) net.pump();
    expect([c.state, c.error]).toEqual([TCPS_CLOSED, ERRNO.ECONNREFUSED]);
  });

  it("net.inet.tcp.* sysctls are in the stack's tree and validated", () => {
    const { a } = twoNodes();
    expect(a.sysctl.get("net.inet.tcp.congctl.selected")).toBe("cubic");
    a.sysctl.set("net.inet.tcp.congctl.selected", "newreno");
    expect(a.tcp.engine.config.congctl).toBe("newreno");
    expect(() => a.sysctl.set("net.inet.tcp.congctl.selected", "bbr")).toThrow(/invalid value/);
    a.sysctl.set("net.inet.tcp.msl", 5);
    expect(a.tcp.engine.config.mslMs).toBe(5000);
  });

  it("real ICMP errors reach the connection: a rejecting filter refuses the SYN; fragmentation needed shrinks the MSS", () => {
    const { net, a, b } = twoNodes();
    let mode = "reject";
    b.inetPfil.add({
      name: "reject",
      dir: PFIL_IN,
      fn: (pb) => {
        if (pb.bytes[pb.off + 9] !== 6) return PFIL_PASS;
        const len = pb.view.getUint16(pb.off + 2);
        if (mode === "reject") b.icmp.error(pb, 3, 3, 0);
        else if (len > 1000) b.icmp.error(pb, 3, 4, 1000);
        else return PFIL_PASS;
        return PFIL_DROP;
      },
    });
    const settle = () => pumpUntilQuiet(net);
    const refused = a.tcp.engine.connect(ip("10.0.0.1"), 49_153, ip("10.0.0.2"), 80, null);
    settle();
    expect([refused.state, refused.error]).toEqual([TCPS_CLOSED, ERRNO.ECONNREFUSED]);
    mode = "mtu";
    const l = b.tcp.engine.listen(0, 8080, 4);
    const c = a.tcp.engine.connect(ip("10.0.0.1"), 49_154, ip("10.0.0.2"), 8080, null);
    settle();
    const srv = b.tcp.engine.accept(l, null) as Tcb;
    const data = pattern(20_000);
    expect(move(net, c, srv, data)).toEqual(data);
    expect(c.smss).toBe(960 - 12);
    expect(a.tcp.engine.stats.pmtuupdates).toBe(1);
  });
});
