import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { UdpHub } from "../../../hal/eth/udp-hub.ts";
import { UdpEthPort } from "../../../hal/eth/udp-port.ts";
import { parseEndpoint } from "../../../hal/eth/udp-endpoint.ts";
import { BROADCAST, collector, frame } from "./frames.ts";
import { settle, Signal } from "../../helpers/wait.ts";

const closers: (() => void)[] = [];
afterEach(() => {
  while (closers.length) closers.pop()!();
});

/** A loopback UDP port that is free right now (bind to 0, read it, close). */
async function freePort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resolves once `hub` has learned (or was given) at least `n` peers. */
function hubKnows(hub: UdpHub, n: number): Promise<void> {
  const learned = new Signal();
  hub.onPeer(learned.notify);
  return learned.until(() => hub.peers().length >= n, `the hub to know ${n} peers`);
}

/** A bare UDP socket (what QEMU is) bound to `port`, collecting what it receives. */
async function bareSocket(port: number): Promise<{ socket: Socket; got: Buffer[]; arrived: Signal }> {
  const socket = createSocket("udp4");
  closers.push(() => socket.close());
  const got: Buffer[] = [];
  const arrived = new Signal();
  socket.on("message", (m) => (got.push(m), arrived.notify()));
  await new Promise<void>((r) => socket.bind(port, "127.0.0.1", r));
  return { socket, got, arrived };
}

async function open(opts: Parameters<typeof UdpEthPort.open>[0]): Promise<UdpEthPort> {
  const p = await UdpEthPort.open(opts);
  closers.push(() => p.close());
  return p;
}

describe("UDP endpoints", () => {
  it("parses the address forms and refuses bad ones", () => {
    expect(parseEndpoint("127.0.0.1:47300")).toEqual({ address: "127.0.0.1", port: 47300 });
    expect(parseEndpoint(47301)).toEqual({ address: "127.0.0.1", port: 47301 });
    expect(parseEndpoint(":9")).toEqual({ address: "127.0.0.1", port: 9 });
    expect(parseEndpoint("127.0.0.1:0", true).port).toBe(0);
    for (const bad of ["127.0.0.1:0", "localhost:5", "1.2.3.256:5", "127.0.0.1:70000", "127.0.0.1:x"]) {
      expect(() => parseEndpoint(bad), bad).toThrow(/invalid/);
    }
  });
});

describe("UDP virtual wire", () => {
  it("hub mode: the first node hosts the hub, the others join, frames reach everyone else", async () => {
    const hub = await freePort();
    const clock = new ManualClock();
    const a = await open({ hub, clock });
    const b = await open({ hub, clock });
    const c = await open({ hub, clock });
    expect([a.hostsHub, b.hostsHub, c.hostsHub]).toEqual([true, false, false]);
    const [ra, rb, rc] = [collector(), collector(), collector()];
    a.onFrame(ra.handler);
    b.onFrame(rb.handler);
    c.onFrame(rc.handler);
    // Hellos travel first: the hub a hosts learns a, b and c from them.
    await hubKnows(a.hub!, 3);
    expect(b.send(frame(BROADCAST, b.mac, 5))).toBe(true);
    await ra.arrived.until(() => ra.frames.length === 1, "a to receive b's frame");
    await rc.arrived.until(() => rc.frames.length === 1, "c to receive b's frame");
    expect(rb.frames).toHaveLength(0);
    expect(ra.frames[0]![14]).toBe(5);
    expect(ra.frames[0]!.subarray(6, 12)).toEqual(b.mac);
    expect(b.stats()).toMatchObject({ txPackets: 1, txBytes: 60, txErrors: 0 });
    expect(a.mac).not.toEqual(b.mac);
  });

  it("hub mode: the node that hosts the hub trades frames with it in-process, each frame once", async () => {
    const hub = await freePort();
    const clock = new ManualClock();
    const a = await open({ hub, clock });
    const b = await open({ hub, clock });
    const c = await open({ hub, clock });
    const [ra, rb, rc] = [collector(), collector(), collector()];
    a.onFrame(ra.handler);
    b.onFrame(rb.handler);
    c.onFrame(rc.handler);
    await hubKnows(a.hub!, 3);
    expect(b.send(frame(BROADCAST, b.mac, 1))).toBe(true);
    expect(b.send(frame(BROADCAST, b.mac, 2))).toBe(true);
    await rc.arrived.until(() => rc.frames.length === 2, "c to receive b's two frames");
    await ra.arrived.until(() => ra.frames.length === 2, "a to receive b's two frames");
    // a's frames leave through the hub it hosts, without a datagram to itself.
    const before = a.hub!.stats();
    expect(a.send(frame(BROADCAST, a.mac, 3))).toBe(true);
    await rb.arrived.until(() => rb.frames.length === 1, "b to receive a's frame");
    await rc.arrived.until(() => rc.frames.length === 3, "c to receive a's frame");
    expect(a.hub!.stats()).toMatchObject({ framesIn: before.framesIn + 1, framesOut: before.framesOut + 2 });
    // After that round trip, a has still seen b's frames once each (its hello did not make it
    // a UDP peer as well) and never its own.
    expect(ra.frames.map((f) => f[14])).toEqual([1, 2]);
    expect(a.stats()).toMatchObject({ txPackets: 1, txErrors: 0 });
  });

  it("hub mode: another node takes the hub over when its host goes away", async () => {
    const hub = await freePort();
    const clock = new ManualClock();
    const a = await open({ hub, clock, keepaliveMs: 1000 });
    const b = await open({ hub, clock, keepaliveMs: 1000 });
    const c = await open({ hub, clock, keepaliveMs: 1000 });
    const rc = collector();
    c.onFrame(rc.handler);
    a.close();
    clock.advance(1000); // keepalives: b or c binds the free hub port, both say hello again
    await settle(() => b.hostsHub || c.hostsHub, "b or c to host the hub");
    // The loser's bind failed because the winner had bound, so its hello reaches the new hub.
    await hubKnows((b.hub ?? c.hub)!, 2);
    b.send(frame(BROADCAST, b.mac, 8));
    await rc.arrived.until(() => rc.frames.length === 1, "c to receive b's frame");
    expect(rc.frames[0]![14]).toBe(8);
  });

  it("peer mode is QEMU's -netdev socket,udp=PEER,localaddr=LOCAL: raw frames, one per datagram", async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    const a = await open({ local: pa, peer: `127.0.0.1:${pb}` });
    // The other end is a bare UDP socket, as QEMU would be.
    const qemu = await bareSocket(pb);
    const ra = collector();
    a.onFrame(ra.handler);
    const f = frame(BROADCAST, a.mac, 3, 98);
    a.send(f);
    await qemu.arrived.until(() => qemu.got.length === 1, "the frame at the bare socket");
    expect(new Uint8Array(qemu.got[0]!)).toEqual(f);
    qemu.socket.send(frame(a.mac, BROADCAST, 4), pa, "127.0.0.1");
    await ra.arrived.until(() => ra.frames.length === 1, "the bare socket's frame");
    expect(ra.frames[0]![14]).toBe(4);
  });

  it("a standalone hub with a fixed peer feeds a guest that has not spoken yet", async () => {
    const [hubPort, guestPort] = [await freePort(), await freePort()];
    const hub = await UdpHub.start({ listen: hubPort, peers: [`127.0.0.1:${guestPort}`] });
    closers.push(() => hub.close());
    const guest = await bareSocket(guestPort);
    const node = await open({ hub: hubPort, autoHub: false });
    expect(node.hostsHub).toBe(false);
    node.send(frame(BROADCAST, node.mac, 6));
    await guest.arrived.until(() => guest.got.length === 1, "the frame at the guest");
    expect(guest.got[0]![14]).toBe(6);
    expect(hub.stats().hellos).toBe(1); // the node's hello left before its frame
    expect(hub.peers()).toContain(`127.0.0.1:${node.local.port}`);
  });

  it("forgets learned peers after silence, keeps fixed ones", async () => {
    const clock = new ManualClock();
    const hubPort = await freePort();
    const hub = await UdpHub.start({ listen: hubPort, peers: ["127.0.0.1:9"], expireMs: 3000, clock });
    closers.push(() => hub.close());
    const node = await open({ hub: hubPort, autoHub: false, keepaliveMs: 60_000, clock });
    await hubKnows(hub, 2);
    clock.advance(4000);
    expect(hub.peers()).toEqual(["127.0.0.1:9"]);
    expect(node.linkUp).toBe(true);
  });

  it("refuses frames too long for the MTU on send and on receive", async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    const a = await open({ local: pa, peer: `127.0.0.1:${pb}`, mtu: 100 });
    const b = await open({ local: pb, peer: `127.0.0.1:${pa}`, mtu: 1500 });
    const ra = collector();
    a.onFrame(ra.handler);
    expect(a.send(new Uint8Array(200))).toBe(false);
    b.send(frame(BROADCAST, b.mac, 1, 200));
    b.send(frame(BROADCAST, b.mac, 2, 100));
    // Datagrams from one socket arrive in order: the long one was dropped before this one came.
    await ra.arrived.until(() => ra.frames.length === 1, "the frame that fits");
    expect(a.stats().rxDropped).toBe(1);
    expect(ra.frames[0]![14]).toBe(2);
  });

  it("reports a busy local port as EADDRINUSE", async () => {
    const p = await freePort();
    await open({ local: p, peer: "127.0.0.1:9" });
    await expect(UdpEthPort.open({ local: p, peer: "127.0.0.1:9" })).rejects.toMatchObject({
      errno: "EADDRINUSE",
    });
  });
});
