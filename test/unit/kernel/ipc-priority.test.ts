// Channels queue by sender priority (FIFO within one), the receiver floats to the priority of
// what it received, and what it sends onward carries that priority.
import { describe, expect, it } from "vitest";
import { CHF, type Kernel, type Thread } from "../../../firmware/kernel/index.ts";
import { bytes, gate, manualKernel, settle, startServer } from "./helpers.ts";

/** Spawns a client at `priority` that sends one byte to (pid, chid) and returns the reply byte. */
function client(k: Kernel, pid: number, chid: number, priority: number, payload = priority) {
  return k.spawn({
    name: `client-${priority}`,
    priority,
    main: async (t) => {
      const coid = t.ConnectAttach(0, pid, chid);
      const reply = await t.MsgSend(coid, bytes(payload));
      return reply[0];
    },
  });
}

/** A process that stays alive so the test can make kernel calls on its thread. */
async function idleProcess(k: Kernel, name = "idle"): Promise<Thread> {
  let thread: Thread | null = null;
  const hold = gate();
  k.spawn({
    name,
    main: async (t) => {
      thread = t;
      await hold.wait;
    },
  });
  await settle(k);
  return thread as unknown as Thread;
}

describe("channel queueing by priority", () => {
  it("receives senders queued at 10, 50, 21 in the order 50, 21, 10", async () => {
    const { k } = manualKernel();
    const go = gate();
    const order: number[] = [];
    const srv = await startServer(k, async (t, chid) => {
      await go.wait;
      for (let i = 0; i < 3; i++) {
        const r = await t.MsgReceive(chid);
        order.push(r.msg![0]);
        t.MsgReply(r.rcvid, 0, bytes(r.msg![0] + 1));
      }
    });
    const clients = [10, 50, 21].map((p) => client(k, srv.proc.pid, srv.chid, p));
    await settle(k);
    expect(clients.every((c) => !c.exited)).toBe(true);
    go.open();
    const statuses = await Promise.all(clients.map((c) => c.wait()));
    expect(order).toEqual([50, 21, 10]);
    expect(statuses).toEqual([11, 51, 22]);
  });

  it("keeps FIFO order among senders of one priority", async () => {
    const { k } = manualKernel();
    const go = gate();
    const order: number[] = [];
    const srv = await startServer(k, async (t, chid) => {
      await go.wait;
      for (let i = 0; i < 5; i++) {
        const r = await t.MsgReceive(chid);
        order.push(r.msg![0]);
        t.MsgReply(r.rcvid, 0);
      }
    });
    const clients = [1, 2, 3, 4, 5].map((n) => client(k, srv.proc.pid, srv.chid, 20, n));
    await settle(k);
    go.open();
    await Promise.all(clients.map((c) => c.wait()));
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it("orders pulses and messages together by priority, FIFO within one", async () => {
    const { k } = manualKernel();
    const go = gate();
    const seen: string[] = [];
    const srv = await startServer(k, async (t, chid) => {
      await go.wait;
      for (let i = 0; i < 5; i++) {
        const r = await t.MsgReceive(chid);
        if (r.pulse) {
          seen.push(`pulse${r.pulse.priority}@${t.priority}`);
        } else {
          seen.push(`msg${r.info.priority}@${t.priority}`);
          t.MsgReply(r.rcvid, 0);
        }
      }
    });
    const pulser = await idleProcess(k, "pulser");
    const coid = pulser.ConnectAttach(0, srv.proc.pid, srv.chid);
    pulser.MsgSendPulse(coid, 30, 1, 0);
    client(k, srv.proc.pid, srv.chid, 20);
    await settle(k);
    pulser.MsgSendPulse(coid, 10, 1, 0);
    client(k, srv.proc.pid, srv.chid, 40);
    await settle(k);
    pulser.MsgSendPulse(coid, 40, 1, 0);
    go.open();
    await settle(k);
    expect(seen).toEqual(["msg40@40", "pulse40@40", "pulse30@30", "msg20@20", "pulse10@10"]);
  });
});

describe("priority inheritance (floating)", () => {
  it("runs the server at the client's priority and carries it onward", async () => {
    const { k } = manualKernel();
    const backendSeen: { infoPriority: number; running: number }[] = [];
    const backend = await startServer(k, async (t, chid) => {
      for (;;) {
        const r = await t.MsgReceive(chid);
        if (r.pulse) continue;
        backendSeen.push({ infoPriority: r.info.priority, running: t.priority });
        t.MsgReply(r.rcvid, 0);
      }
    });
    const frontSeen: { running: number; base: number }[] = [];
    let frontThread: Thread | null = null;
    const front = await startServer(k, async (t, chid) => {
      frontThread = t;
      const coid = t.ConnectAttach(0, backend.proc.pid, backend.chid);
      for (;;) {
        const r = await t.MsgReceive(chid);
        if (r.pulse) continue;
        frontSeen.push({ running: t.priority, base: t.basePriority });
        await t.MsgSend(coid, r.msg);
        t.MsgReply(r.rcvid, 0);
      }
    });
    for (const prio of [50, 21]) await client(k, front.proc.pid, front.chid, prio).wait();
    expect(frontSeen).toEqual([
      { running: 50, base: 10 },
      { running: 21, base: 10 },
    ]);
    expect(backendSeen).toEqual([
      { infoPriority: 50, running: 50 },
      { infoPriority: 21, running: 21 },
    ]);
    await settle(k);
    // Waiting with nothing to serve, the server is back at its own priority.
    const ft = frontThread as unknown as Thread;
    expect(ft.state).toBe("RECEIVE");
    expect(ft.priority).toBe(10);
  });

  it("floats to a pulse's priority too", async () => {
    const { k } = manualKernel();
    const seen: number[] = [];
    const srv = await startServer(k, async (t, chid) => {
      const r = await t.MsgReceive(chid);
      seen.push(t.priority, r.pulse!.priority);
    });
    const p = await idleProcess(k);
    p.MsgSendPulse(p.ConnectAttach(0, srv.proc.pid, srv.chid), 63, 5, 0);
    await srv.proc.wait();
    expect(seen).toEqual([63, 63]);
  });

  it("does not float with CHF.FIXED_PRIORITY", async () => {
    const { k } = manualKernel();
    const seen: number[] = [];
    const srv = await startServer(
      k,
      async (t, chid) => {
        const r = await t.MsgReceive(chid);
        seen.push(t.priority, r.info!.priority);
        t.MsgReply(r.rcvid, 0);
      },
      { flags: CHF.FIXED_PRIORITY, priority: 12 },
    );
    await client(k, srv.proc.pid, srv.chid, 60).wait();
    expect(seen).toEqual([12, 60]);
  });

  it("reports message info: pid, tid, chid, lengths, credentials", async () => {
    const { k } = manualKernel();
    let info: unknown = null;
    const srv = await startServer(k, async (t, chid) => {
      const r = await t.MsgReceive(chid, { bufSize: 4 });
      info = r.info;
      t.MsgReply(r.rcvid, 0);
    });
    const c = k.spawn({
      name: "cred",
      uid: 100,
      gid: 200,
      priority: 33,
      main: async (t) => {
        const coid = t.ConnectAttach(0, srv.proc.pid, srv.chid);
        await t.MsgSend(coid, new Uint8Array(10), { replyMax: 7 });
      },
    });
    await c.wait();
    expect(info).toMatchObject({
      nd: 0,
      pid: c.pid,
      tid: 1,
      chid: srv.chid,
      coid: 1,
      priority: 33,
      msglen: 4,
      srcmsglen: 10,
      dstmsglen: 7,
      uid: 100,
      gid: 200,
    });
  });
});

describe("hand-off (a MsgSend or MsgReply that resumes the other side at once)", () => {
  it("never lets the woken server overtake higher-priority work already ready", async () => {
    const { k } = manualKernel();
    const order: string[] = [];
    const srv = await startServer(k, async (t, chid) => {
      const r = await t.MsgReceive(chid);
      order.push(`server@${t.priority}`);
      t.MsgReply(r.rcvid, 0);
    });
    const c = k.spawn({
      name: "client",
      priority: 20,
      main: async (t) => {
        const coid = t.ConnectAttach(0, srv.proc.pid, srv.chid);
        // Ready work above the client's priority, posted just before the send.
        k.scheduler.post(50, (tag: string) => void order.push(tag), "work@50");
        await t.MsgSend(coid, bytes(1));
        order.push("client");
      },
    });
    await c.wait();
    expect(order).toEqual(["work@50", "server@20", "client"]);
  });

  it("runs the server at once when nothing else is ready, floated to the client", async () => {
    const { k } = manualKernel();
    const seen: string[] = [];
    const srv = await startServer(k, async (t, chid) => {
      for (;;) {
        const r = await t.MsgReceive(chid);
        if (r.pulse) return;
        seen.push(`server@${t.priority}`);
        t.MsgReply(r.rcvid, 0, bytes(r.msg[0] * 2));
      }
    });
    const dispatchedBefore = k.scheduler.stats.dispatched;
    const c = k.spawn({
      name: "client",
      priority: 33,
      main: async (t) => {
        const coid = t.ConnectAttach(0, srv.proc.pid, srv.chid);
        for (let i = 1; i <= 3; i++) seen.push(`reply ${(await t.MsgSend(coid, bytes(i)))[0]}`);
        t.MsgSendPulse(coid, 10, 1, 0);
      },
    });
    await c.wait();
    await srv.proc.wait();
    expect(seen).toEqual(["server@33", "reply 2", "server@33", "reply 4", "server@33", "reply 6"]);
    // Every wake-up is still counted as a dispatch, hand-offs included.
    expect(k.scheduler.stats.dispatched - dispatchedBefore).toBeGreaterThanOrEqual(7);
    expect(k.scheduler.pending).toBe(0);
  });
});
