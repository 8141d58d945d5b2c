// The DHCP client state machine, one segment of a lease's life at a time, on a manual clock.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { DhcpMachine, INADDR_BROADCAST, type DhcpAction } from "../../../firmware/net/dhcp/machine.ts";
import {
  BOOTREPLY,
  DHCPACK,
  DHCPDECLINE,
  DHCPDISCOVER,
  DHCPNAK,
  DHCPOFFER,
  DHCPRELEASE,
  DHCPREQUEST,
  DHCP_FLAG_BROADCAST,
  OPT_DNS,
  OPT_DOMAIN,
  OPT_LEASE_TIME,
  OPT_MSG_TYPE,
  OPT_REQUESTED_IP,
  OPT_ROUTER,
  OPT_SERVER_ID,
  OPT_SUBNET_MASK,
  OPT_T1,
  OPT_T2,
  decodeDhcp,
  dhcpType,
  encodeDhcp,
  optU32,
  u32Option,
  type DhcpMessage,
} from "../../../firmware/net/wire/dhcp.ts";
import { fuzzIterations, mutate, seededRandom, xorshift32 } from "../../helpers/fuzz.ts";
import { DhcpFormatError } from "../../../firmware/net/wire/dhcp.ts";

const MAC = 0x02_00_00_00_00_07;
const SERVER = 0x0a_00_00_01;
const ADDR = 0x0a_00_00_32;

function rig(opts: { previous?: number; giveUpMs?: number; server?: number } = {}) {
  const clock = new ManualClock();
  const m = new DhcpMachine({
    mac: MAC,
    now: () => clock.now(),
    random: seededRandom(7),
    hostname: "board",
    ...opts,
  });
  /** Moves the clock to the machine's next deadline (or by `ms`) and ticks. */
  const step = (ms?: number) => {
    const to = ms === undefined ? m.deadline() : clock.now() + ms;
    clock.advance(to - clock.now());
    m.tick();
    return m.take();
  };
  return { clock, m, step, lastSent: null as DhcpMessage | null };
}

/** Every message sent, decoded from its wire form (as the server would see it). */
function sent(actions: DhcpAction[]): { msg: DhcpMessage; to: number }[] {
  return actions.flatMap((a) =>
    a.kind === "send" ? [{ msg: decodeDhcp(encodeDhcp(a.msg)), to: a.to }] : [],
  );
}

function reply(to: DhcpMessage, type: number, extra: [number, Uint8Array][] = []): DhcpMessage {
  return {
    op: BOOTREPLY,
    xid: to.xid,
    secs: 0,
    flags: to.flags,
    ciaddr: to.ciaddr,
    yiaddr: type === DHCPNAK ? 0 : ADDR,
    siaddr: SERVER,
    giaddr: 0,
    chaddr: to.chaddr,
    options: new Map<number, Uint8Array>([
      [OPT_MSG_TYPE, Uint8Array.of(type)],
      [OPT_SERVER_ID, u32Option(SERVER)],
      [OPT_SUBNET_MASK, u32Option(0xffffff00)],
      [OPT_ROUTER, u32Option(SERVER)],
      [OPT_DNS, u32Option(SERVER)],
      [OPT_DOMAIN, new TextEncoder().encode("lan")],
      [OPT_LEASE_TIME, u32Option(1000)],
      ...extra,
    ]),
  };
}

/** Runs DISCOVER/OFFER/REQUEST/ACK and returns the actions of the ACK. */
function acquire(r: ReturnType<typeof rig>, ackExtra: [number, Uint8Array][] = []) {
  r.m.start();
  const [d] = sent(r.m.take());
  r.m.receive(reply(d.msg, DHCPOFFER));
  const [req] = sent(r.m.take());
  r.m.receive(reply(req.msg, DHCPACK, ackExtra));
  return r.m.take();
}

describe("DHCP client state machine", () => {
  it("INIT → SELECTING: broadcasts DISCOVER and retransmits at 4, 8, 16 … 64 s (±1 s)", () => {
    const r = rig();
    r.m.start();
    const [d] = sent(r.m.take());
    expect(d.to).toBe(INADDR_BROADCAST);
    expect(dhcpType(d.msg)).toBe(DHCPDISCOVER);
    expect(d.msg.flags).toBe(DHCP_FLAG_BROADCAST);
    expect(r.m.state).toBe("SELECTING");
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = r.clock.now();
      const again = sent(r.step());
      expect(again.map((s) => dhcpType(s.msg))).toEqual([DHCPDISCOVER]);
      expect(again[0].msg.xid).toBe(d.msg.xid);
      gaps.push(r.clock.now() - before);
    }
    for (const [i, base] of [4000, 8000, 16000, 32000, 64000, 64000].entries()) {
      expect(Math.abs(gaps[i] - base)).toBeLessThanOrEqual(1000);
    }
  });

  it("OFFER → REQUEST (requested address, server id) → ACK binds the lease", () => {
    const r = rig();
    r.m.start();
    const [d] = sent(r.m.take());
    r.m.receive(reply(d.msg, DHCPOFFER));
    const [req] = sent(r.m.take());
    expect(dhcpType(req.msg)).toBe(DHCPREQUEST);
    expect(optU32(req.msg, OPT_REQUESTED_IP)).toBe(ADDR);
    expect(optU32(req.msg, OPT_SERVER_ID)).toBe(SERVER);
    expect(req.msg.ciaddr).toBe(0);
    expect(req.to).toBe(INADDR_BROADCAST);
    r.m.receive(reply(req.msg, DHCPACK));
    const [bind] = r.m.take();
    expect(bind).toMatchObject({
      kind: "bind",
      renewed: false,
      lease: {
        address: ADDR,
        prefixLen: 24,
        routers: [SERVER],
        dns: [SERVER],
        domain: "lan",
        leaseSecs: 1000,
      },
    });
    expect(r.m.state).toBe("BOUND");
    // T1 defaults to half the lease
    expect(r.m.deadline()).toBe(500_000);
  });

  it("ignores replies for another transaction, another client or (with -s) another server", () => {
    const r = rig({ server: SERVER });
    r.m.start();
    const [d] = sent(r.m.take());
    r.m.receive({ ...reply(d.msg, DHCPOFFER), xid: d.msg.xid + 1 });
    r.m.receive({ ...reply(d.msg, DHCPOFFER), chaddr: MAC + 1 });
    const other = reply(d.msg, DHCPOFFER);
    other.options.set(OPT_SERVER_ID, u32Option(SERVER + 1));
    r.m.receive(other);
    expect(r.m.take()).toEqual([]);
    expect(r.m.state).toBe("SELECTING");
  });

  it("T1 → RENEWING: unicasts REQUEST with ciaddr to the server; the ACK renews in place", () => {
    const r = rig();
    acquire(r, [
      [OPT_T1, u32Option(100)],
      [OPT_T2, u32Option(800)],
    ]);
    expect(r.m.deadline()).toBe(100_000);
    const [renew] = sent(r.step());
    expect(r.clock.now()).toBe(100_000);
    expect(r.m.state).toBe("RENEWING");
    expect(renew.to).toBe(SERVER);
    expect(renew.msg.ciaddr).toBe(ADDR);
    expect(renew.msg.options.has(OPT_REQUESTED_IP)).toBe(false);
    expect(renew.msg.options.has(OPT_SERVER_ID)).toBe(false);
    r.m.receive(reply(renew.msg, DHCPACK, [[OPT_T1, u32Option(100)]]));
    expect(r.m.take()).toMatchObject([{ kind: "bind", renewed: true, lease: { since: 100_000 } }]);
    expect(r.m.state).toBe("BOUND");
    expect(r.m.deadline()).toBe(200_000);
  });

  it("RENEWING retries no sooner than 60 s, then T2 → REBINDING broadcasts; an ACK there binds", () => {
    const r = rig();
    acquire(r, [
      [OPT_T1, u32Option(100)],
      [OPT_T2, u32Option(400)],
    ]);
    r.step(); // T1: first renewal
    const [retry] = sent(r.step());
    expect(r.clock.now()).toBe(250_000); // half of the 300 s left to T2
    expect(retry.to).toBe(SERVER);
    let last = retry;
    while (r.m.state === "RENEWING") {
      const s = sent(r.step());
      if (s.length) last = s[0];
    }
    expect(r.m.state).toBe("REBINDING");
    expect(r.clock.now()).toBe(400_000);
    expect(last.to).toBe(INADDR_BROADCAST);
    expect(last.msg.ciaddr).toBe(ADDR);
    r.m.receive(reply(last.msg, DHCPACK));
    expect(r.m.take()).toMatchObject([{ kind: "bind", renewed: true }]);
    expect(r.m.state).toBe("BOUND");
  });

  it("an infinite lease (0xffffffff) is never renewed", () => {
    const r = rig();
    const [bind] = acquire(r, [[OPT_LEASE_TIME, u32Option(0xffffffff)]]);
    expect(bind).toMatchObject({ kind: "bind", lease: { leaseSecs: Infinity, t1Secs: Infinity } });
    expect(r.m.deadline()).toBe(Infinity);
  });

  it("a NAK while renewing unbinds and starts over with DISCOVER", () => {
    const r = rig();
    acquire(r);
    const [renew] = sent(r.step());
    r.m.receive(reply(renew.msg, DHCPNAK));
    const acts = r.m.take();
    expect(acts[0]).toMatchObject({ kind: "unbind", lease: { address: ADDR } });
    expect(sent(acts).map((s) => dhcpType(s.msg))).toEqual([DHCPDISCOVER]);
    expect(r.m.state).toBe("SELECTING");
    expect(r.m.lease).toBeNull();
  });

  it("a lease nobody renews expires at its lease time: unbind, then DISCOVER", () => {
    const r = rig();
    acquire(r);
    let acts: DhcpAction[] = [];
    while (r.m.state !== "SELECTING") acts = r.step();
    expect(r.clock.now()).toBe(1_000_000);
    expect(acts[0]).toMatchObject({ kind: "unbind", why: "lease expired" });
    expect(sent(acts).map((s) => dhcpType(s.msg))).toEqual([DHCPDISCOVER]);
  });

  it("INIT-REBOOT asks for the previous address without a server id; a NAK falls back to INIT", () => {
    const r = rig({ previous: ADDR });
    r.m.start();
    const [req] = sent(r.m.take());
    expect(r.m.state).toBe("REBOOTING");
    expect(dhcpType(req.msg)).toBe(DHCPREQUEST);
    expect(optU32(req.msg, OPT_REQUESTED_IP)).toBe(ADDR);
    expect(req.msg.options.has(OPT_SERVER_ID)).toBe(false);
    r.m.receive(reply(req.msg, DHCPNAK));
    expect(sent(r.m.take()).map((s) => dhcpType(s.msg))).toEqual([DHCPDISCOVER]);
  });

  it("INIT-REBOOT with no answer after four REQUESTs starts over with DISCOVER", () => {
    const r = rig({ previous: ADDR });
    r.m.start();
    r.m.take();
    let types: number[] = [];
    for (let i = 0; i < 4; i++) types = sent(r.step()).map((s) => dhcpType(s.msg));
    expect(types).toEqual([DHCPDISCOVER]);
  });

  it("decline: DHCPDECLINE broadcast with the address and server id, unbind, DISCOVER 10 s later", () => {
    const r = rig();
    acquire(r);
    const at = r.clock.now();
    r.m.decline();
    const acts = r.m.take();
    const [dec] = sent(acts);
    expect(dhcpType(dec.msg)).toBe(DHCPDECLINE);
    expect(dec.to).toBe(INADDR_BROADCAST);
    expect(dec.msg.ciaddr).toBe(0);
    expect(optU32(dec.msg, OPT_REQUESTED_IP)).toBe(ADDR);
    expect(optU32(dec.msg, OPT_SERVER_ID)).toBe(SERVER);
    expect(acts.find((a) => a.kind === "unbind")).toMatchObject({ why: expect.stringMatching(/in use/) });
    expect(r.m.lease).toBeNull();
    expect(sent(r.step()).map((s) => dhcpType(s.msg))).toEqual([DHCPDISCOVER]);
    expect(r.clock.now() - at).toBe(10_000);
  });

  it("release: DHCPRELEASE unicast to the server with ciaddr and server id, then unbind", () => {
    const r = rig();
    acquire(r);
    r.m.release();
    const acts = r.m.take();
    const [rel] = sent(acts);
    expect(dhcpType(rel.msg)).toBe(DHCPRELEASE);
    expect(rel.to).toBe(SERVER);
    expect(rel.msg.ciaddr).toBe(ADDR);
    expect(optU32(rel.msg, OPT_SERVER_ID)).toBe(SERVER);
    expect(acts.find((a) => a.kind === "unbind")).toBeTruthy();
    expect(r.m.deadline()).toBe(Infinity);
  });

  it("gives up when no lease came within the give-up time", () => {
    const r = rig({ giveUpMs: 60_000 });
    r.m.start();
    r.m.take();
    let acts: DhcpAction[] = [];
    while (!acts.some((a) => a.kind === "give-up")) acts = r.step();
    expect(r.clock.now()).toBe(60_000);
  });

  it("survives mutated server replies in every state: a lease is taken only from a well-formed ACK", () => {
    const r = xorshift32(0xd4c9);
    const n = fuzzIterations(20_000, 200_000);
    let bound = 0;
    let dropped = 0;
    const rg = rig();
    rg.m.start();
    for (let i = 0; i < n; i++) {
      // The machine's current request, answered by a mutated OFFER, ACK or NAK.
      const acts = rg.m.take();
      const last = sent(acts).at(-1)?.msg;
      if (last !== undefined) rg.lastSent = last;
      const type = [DHCPOFFER, DHCPACK, DHCPNAK][r() % 3];
      const wire = mutate(r, encodeDhcp(reply(rg.lastSent as DhcpMessage, type)));
      let m: DhcpMessage;
      try {
        m = decodeDhcp(wire);
      } catch (e) {
        if (!(e instanceof DhcpFormatError)) throw e;
        dropped++;
        continue;
      }
      rg.m.receive(m);
      for (const a of rg.m.take()) {
        if (a.kind === "bind") {
          bound++;
          expect(a.lease.prefixLen).toBeGreaterThan(0);
          expect(a.lease.t1Secs).toBeLessThanOrEqual(a.lease.t2Secs);
          expect(a.lease.t2Secs).toBeLessThanOrEqual(a.lease.leaseSecs);
        }
        if (a.kind === "send") rg.lastSent = decodeDhcp(encodeDhcp(a.msg));
      }
      if (i % 7 === 0) rg.step();
    }
    expect(bound).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
  }, 300_000);
});
