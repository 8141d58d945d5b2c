// Message passing between two kernels through Qnet's kernel link: remote MsgSend/MsgReply with
// the client's nd, pid and priority in the server's message info; large messages read and
// written in pieces; pulses and MsgDeliverEvent both ways; timeouts and signals travel as
// UNBLOCK; a server that is missing or dies fails the client; a node that goes down fails its
// clients with EHOSTDOWN; pidin's states and pid@node.
import { describe, expect, it } from "vitest";
import { CHF, PULSE_CODE, type MsgInfo, type Pulse } from "../../../firmware/kernel/index.ts";
import { KIF, kifType } from "../../../firmware/net/qnet/kif.ts";
import { gate, outcome, settle, startServer, str, text } from "../kernel/helpers.ts";
import { kernelPair } from "./kernel-pair.ts";

async function settleBoth(p: ReturnType<typeof kernelPair>): Promise<void> {
  await settle(p.a);
  await settle(p.b);
  await settle(p.a);
}

describe("Qnet kernel link", () => {
  it("carries a MsgSend to a server on the other node and its reply back", async () => {
    const p = kernelPair();
    let info: MsgInfo | null = null;
    const srv = await startServer(p.b, async (t, chid) => {
      for (;;) {
        const r = await t.MsgReceive(chid);
        if (r.pulse) continue;
        info = r.info;
        t.MsgReply(r.rcvid, 7, text(`echo:${str(r.msg)} prio ${t.priority}`));
      }
    });
    let reply: { status: number; data: Uint8Array } | null = null;
    const client = p.a.spawn({
      name: "client",
      priority: 33,
      main: async (t) => {
        const coid = t.ConnectAttach(p.ndOfB, srv.proc.pid, srv.chid);
        reply = await t.MsgSendReply(coid, text("hello"));
        t.ConnectDetach(coid);
      },
    });
    await settleBoth(p);
    await client.wait();
    expect(reply!.status).toBe(7);
    expect(str(reply!.data)).toBe("echo:hello prio 33");
    const i = info as unknown as MsgInfo;
    expect(i.nd).toBe(p.ndOfA);
    expect(i.pid).toBe(client.pid);
    expect(i.tid).toBe(1);
    expect(i.priority).toBe(33);
    expect(i.srcmsglen).toBe(5);
    // The wire carried CONNECT, CONNECT_SUCCESS, MSGSEND, MSGREPLY, DISCONNECT, in that order.
    expect(p.traffic.map(([, b]) => kifType(new DataView(b.buffer, b.byteOffset), 0, true))).toEqual([
      KIF.CONNECT,
      KIF.CONNECT_SUCCESS,
      KIF.MSGSEND,
      KIF.MSGREPLY,
      KIF.DISCONNECT,
    ]);
  });

  it("moves large messages that the server reads and writes in pieces", async () => {
    const p = kernelPair();
    const big = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
    await startServer(p.b, async (t, chid) => {
      const r = await t.MsgReceive(chid, { bufSize: 1000 });
      if (r.pulse) return;
      expect(r.msg.length).toBe(1000);
      const parts: Uint8Array[] = [r.msg];
      for (let off = 1000; off < r.info.srcmsglen; off += 4096) parts.push(t.MsgRead(r.rcvid, off, 4096));
      const whole = Buffer.concat(parts);
      for (let off = 0; off < whole.length; off += 50_000)
        t.MsgWrite(r.rcvid, whole.subarray(off, off + 50_000), off);
      t.MsgReply(r.rcvid, 0);
    });
    let got: Uint8Array = new Uint8Array(0);
    const client = p.a.spawn({
      name: "client",
      main: async (t) => {
        got = await t.MsgSend(t.ConnectAttach(p.ndOfB, 2, 1), big);
      },
    });
    await settleBoth(p);
    await client.wait();
    expect(Buffer.from(got).equals(Buffer.from(big))).toBe(true);
  });

  it("fails a send to a process or channel the other node does not have with ESRCH", async () => {
    const p = kernelPair();
    let r: unknown = null;
    const client = p.a.spawn({
      name: "client",
      main: async (t) => {
        r = await outcome(t.MsgSend(t.ConnectAttach(p.ndOfB, 999, 1), text("x")));
      },
    });
    await settleBoth(p);
    await client.wait();
    expect(r).toEqual({ errno: "ESRCH" });
  });

  it("refuses ConnectAttach to a node that is not in /net", () => {
    const p = kernelPair();
    p.a.spawn({
      name: "client",
      main: (t) => {
        expect(() => t.ConnectAttach(9, 2, 1)).toThrow(/not in \/net/);
      },
    });
  });

  it("times a remote send out (TimerTimeout) and unblocks the server with _PULSE_CODE_UNBLOCK", async () => {
    const p = kernelPair();
    const pulses: Pulse[] = [];
    let rcvid = 0;
    const hold = gate();
    await startServer(
      p.b,
      async (t, chid) => {
        for (;;) {
          const r = await t.MsgReceive(chid);
          if (r.pulse) {
            pulses.push(r.pulse);
            if (r.pulse.code === PULSE_CODE.UNBLOCK) hold.open();
          } else rcvid = r.rcvid;
        }
      },
      { flags: CHF.UNBLOCK },
    );
    let r: unknown = null;
    let state = "";
    let blockedOn = "";
    const client = p.a.spawn({
      name: "client",
      main: async (t) => {
        const coid = t.ConnectAttach(p.ndOfB, 2, 1);
        const sent = outcome(t.MsgSend(coid, text("slow"), { timeoutMs: 500 }));
        await Promise.resolve();
        r = await sent;
      },
    });
    await settleBoth(p);
    const ct = client.threads.get(1)!;
    state = ct.state;
    blockedOn = ct.blockedOn;
    expect(rcvid).not.toBe(0);
    p.clock.advance(500);
    await settleBoth(p);
    await hold.wait;
    await client.wait();
    expect(state).toBe("NET_REPLY");
    expect(blockedOn).toBe("2@bravo");
    expect(r).toEqual({ errno: "ETIMEDOUT" });
    expect(pulses.map((x) => x.code)).toEqual([PULSE_CODE.UNBLOCK]);
    expect(pulses[0].value).toBe(rcvid);
  });

  it("carries pulses to the server and MsgDeliverEvent back to the client", async () => {
    const p = kernelPair();
    const serverSaw: Pulse[] = [];
    await startServer(p.b, async (t, chid) => {
      for (;;) {
        const r = await t.MsgReceive(chid);
        if (r.pulse) {
          serverSaw.push(r.pulse);
          continue;
        }
        // Register-for-notify style: reply now, deliver the client's event later.
        const ev = { kind: "pulse" as const, coid: r.msg[0], priority: 20, code: 5, value: 4242 };
        t.MsgReply(r.rcvid, 0);
        t.MsgDeliverEvent(r.rcvid, ev);
      }
    });
    let clientGot: Pulse | null = null;
    const client = p.a.spawn({
      name: "client",
      main: async (t) => {
        const chid = t.ChannelCreate();
        const self = t.ConnectAttach(0, t.process.pid, chid);
        const coid = t.ConnectAttach(p.ndOfB, 2, 1);
        t.MsgSendPulse(coid, 12, 3, 99);
        await t.MsgSend(coid, Uint8Array.of(self));
        const r = await t.MsgReceive(chid);
        clientGot = r.pulse ?? null;
      },
    });
    await settleBoth(p);
    await client.wait();
    expect(serverSaw.map((x) => [x.code, x.value, x.priority])).toEqual([[3, 99, 12]]);
    expect(clientGot).toMatchObject({ code: 5, value: 4242, priority: 20 });
  });

  it("fails a client whose server dies before replying with ESRCH", async () => {
    const p = kernelPair();
    const srv = await startServer(p.b, async (t, chid) => {
      await t.MsgReceive(chid);
      await gate().wait;
    });
    let r: unknown = null;
    const client = p.a.spawn({
      name: "client",
      main: async (t) => {
        r = await outcome(t.MsgSend(t.ConnectAttach(p.ndOfB, srv.proc.pid, srv.chid), text("x")));
      },
    });
    await settleBoth(p);
    srv.proc.signal("SIGKILL");
    await settleBoth(p);
    await client.wait();
    expect(r).toEqual({ errno: "ESRCH" });
  });

  it("fails blocked clients with EHOSTDOWN when the node goes down, and releases its clients here", async () => {
    const p = kernelPair();
    await startServer(p.b, async (t, chid) => {
      await t.MsgReceive(chid);
      await gate().wait;
    });
    let r: unknown = null;
    const client = p.a.spawn({
      name: "client",
      main: async (t) => {
        r = await outcome(t.MsgSend(t.ConnectAttach(p.ndOfB, 2, 1), text("x")));
      },
    });
    await settleBoth(p);
    expect(p.b.netClients.size).toBe(1);
    p.cut();
    p.linkA.nodeDown(p.ndOfB);
    p.linkB.nodeDown(p.ndOfA);
    await settleBoth(p);
    await client.wait();
    expect(r).toEqual({ errno: "EHOSTDOWN" });
    expect(p.b.netClients.size).toBe(0);
    expect(p.b.counts.connections).toBe(0);
  });

  it("a dead link fails only the clients ~exclusive to it, with EHOSTDOWN", async () => {
    const p = kernelPair();
    await startServer(p.b, async (t, chid) => {
      for (;;) await t.MsgReceive(chid); // never replies
    });
    // nd bits 16-17 are the policy (2 exclusive), bits 18-25 the link index.
    const exclusive = (link: number) => p.ndOfB | (2 << 16) | (link << 18);
    const r: unknown[] = [null, null, null];
    const nds = [exclusive(0), exclusive(1), p.ndOfB];
    const clients = nds.map((nd, i) =>
      p.a.spawn({
        name: `client${i}`,
        main: async (t) => {
          r[i] = await outcome(t.MsgSend(t.ConnectAttach(nd, 2, 1), text("x")));
        },
      }),
    );
    await settleBoth(p);
    p.linkA.linkDown(p.ndOfB, 0);
    await settleBoth(p);
    await clients[0].wait();
    expect(r).toEqual([{ errno: "EHOSTDOWN" }, null, null]);
    p.linkA.nodeDown(p.ndOfB);
    await settleBoth(p);
    expect(r).toEqual([{ errno: "EHOSTDOWN" }, { errno: "EHOSTDOWN" }, { errno: "EHOSTDOWN" }]);
  });

  it("probes a node while a client waits on it, and stops when nobody waits", async () => {
    const p = kernelPair({ probeMs: 100 });
    const hold = gate();
    await startServer(p.b, async (t, chid) => {
      const r = await t.MsgReceive(chid);
      await hold.wait;
      if (!r.pulse) t.MsgReply(r.rcvid, 0);
    });
    const client = p.a.spawn({
      name: "client",
      main: async (t) => {
        await t.MsgSend(t.ConnectAttach(p.ndOfB, 2, 1), text("x"));
      },
    });
    await settleBoth(p);
    const probes = (): number =>
      p.traffic.filter(
        ([from, b]) =>
          from === "alpha" && kifType(new DataView(b.buffer, b.byteOffset), 0, true) === KIF.CONNECT_PULSE,
      ).length;
    p.clock.advance(100);
    p.clock.advance(100);
    await settleBoth(p);
    expect(probes()).toBe(2);
    expect(p.linkB.stats.dropped).toBe(0); // the probe is understood, not refused
    hold.open();
    await settleBoth(p);
    await client.wait();
    p.clock.advance(500);
    expect(probes()).toBe(2);
  });

  it("maps a remote root with maproot= and everyone with mapany=", async () => {
    for (const [opts, want] of [
      [{}, 0],
      [{ maproot: 100 }, 100],
      [{ mapany: 200, maproot: 100 }, 200],
    ] as const) {
      const p = kernelPair(opts);
      let uid = -1;
      await startServer(p.b, async (t, chid) => {
        const r = await t.MsgReceive(chid);
        if (r.pulse) return;
        uid = r.info.uid;
        t.MsgReply(r.rcvid, 0);
      });
      const client = p.a.spawn({
        name: "client",
        uid: 0,
        main: async (t) => {
          await t.MsgSend(t.ConnectAttach(p.ndOfB, 2, 1), text("x"));
        },
      });
      await settleBoth(p);
      await client.wait();
      expect(uid).toBe(want);
    }
  });

  it("counts and ignores garbage and replies for sends it does not have", () => {
    const p = kernelPair();
    p.linkA.input(p.ndOfB, new Uint8Array([1]));
    p.linkA.input(p.ndOfB, Uint8Array.of(KIF.MSGREPLY, 0, 20, 0, ...new Uint8Array(16)));
    p.linkA.input(p.ndOfB, Uint8Array.of(77, 0, 4, 0));
    expect(p.linkA.stats.dropped).toBe(3);
  });
});
