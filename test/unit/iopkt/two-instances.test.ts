import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { ECHO_EV_REPLY } from "../../../firmware/net/control/protocol.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { errnoOf, startIoPkt, withClient } from "./harness.ts";

const ip = (s: string) => parseIpv4(s) as number;

describe("two io-pkt instances on an in-process hub", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  it("ping each other through the control client, and stay isolated by prefix", async () => {
    k = new Kernel({ nodeName: "t" });
    const a = await startIoPkt(k, ["-d", "vwire", "hub=lan0", "-p", "tcpip", "prefix=/a", "-t", "2"]);
    const b = await startIoPkt(k, ["-d", "vwire", "hub=lan0", "-p", "tcpip", "prefix=/b", "-t", "2"]);
    expect(a.state).toBe("detached");
    expect(b.state).toBe("detached");
    expect(a.stderr.join("")).toBe("");

    await withClient(k, "/a", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    await withClient(k, "/b", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.2"), prefixLen: 24 }));

    const events = await withClient(k, "/a", async (nc) => {
      const id = await nc.echoOpen(4242);
      const out = [];
      for (let seq = 0; seq < 3; seq++) {
        const payload = new Uint8Array(56).fill(seq + 1);
        expect(await nc.echoSend({ dst: ip("10.0.0.2"), seq, payload })).toBe(0);
        const ev = await nc.echoReceive(2000);
        out.push({ id, ...ev });
      }
      return out;
    });
    expect(events.map((e) => e.kind)).toEqual([ECHO_EV_REPLY, ECHO_EV_REPLY, ECHO_EV_REPLY]);
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(events[0].from).toBe(ip("10.0.0.2"));
    expect(events[0].icmpLen).toBe(64);
    expect([...events[2].data.subarray(0, 4)]).toEqual([3, 3, 3, 3]);

    // Isolation: each prefix sees only its own interfaces, addresses and ARP entries.
    const aIfs = await withClient(k, "/a", (nc) => nc.interfaces());
    const bIfs = await withClient(k, "/b", (nc) => nc.interfaces());
    expect(aIfs.map((i) => i.name)).toEqual(["lo0", "en0"]);
    expect(aIfs[1].addrs.map((x) => x.addr)).toEqual([ip("10.0.0.1")]);
    expect(bIfs[1].addrs.map((x) => x.addr)).toEqual([ip("10.0.0.2")]);
    expect(aIfs[1].mac).not.toBe(bIfs[1].mac);
    const arpA = await withClient(k, "/a", (nc) => nc.arpList());
    expect(arpA.map((e) => e.ip)).toContain(ip("10.0.0.2"));
    // No default stack: /dev/socket without a prefix does not exist.
    await expect(withClient(k, "", (nc) => nc.info())).rejects.toSatisfy((e) => errnoOf(e) === "ENOENT");
    const info = await withClient(k, "/b", (nc) => nc.info());
    expect(info.prefix).toBe("/b");
    expect(info.pid).toBe(b.process.pid);
  });

  it("reports ICMP errors and timeouts for an echo session", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=lan1", "-t", "1"]);
    const r = await withClient(k, "", async (nc) => {
      await nc.setAddress("en0", { addr: ip("10.1.0.1"), prefixLen: 24 });
      await nc.echoOpen(7);
      // Nothing else on the wire: ARP never resolves, the receive times out.
      await nc.echoSend({ dst: ip("10.1.0.9"), seq: 1, payload: new Uint8Array(8) });
      const ev = await nc.echoReceive(50);
      const unreachable = await nc.echoSend({ dst: ip("192.0.2.1"), seq: 2, payload: new Uint8Array(8) });
      return { ev, unreachable };
    });
    expect(r.ev.kind).toBe(2);
    expect(r.unreachable).not.toBe(0);
  });
});
