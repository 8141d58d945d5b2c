// Thread states as pidin shows them, kernel-wide behaviour (several kernels, procnto,
// shutdown).
import { describe, expect, it } from "vitest";
import { Kernel, ManualClock, type Thread } from "../../../firmware/kernel/index.ts";
import { bytes, gate, manualKernel, settle, startServer } from "./helpers.ts";

describe("thread states", () => {
  it("shows RUNNING, RECEIVE, SEND, REPLY, NANOSLEEP, READY and DEAD with what blocks them", async () => {
    const { k, clock } = manualKernel();
    let seenRunning: unknown = null;
    const go = gate();
    const srv = await startServer(k, async (t, chid) => {
      seenRunning = { state: t.state, current: k.current === t };
      await go.wait;
      for (;;) {
        const r = await t.MsgReceive(chid);
        if (r.rcvid === 0) return;
        await t.sleep(10);
        t.MsgReply(r.rcvid, 0);
      }
    });
    expect(seenRunning).toEqual({ state: "RUNNING", current: true });
    const srvT = srv.thread();
    const c = k.spawn({
      name: "client",
      main: async (t) => {
        const coid = t.ConnectAttach(0, srv.proc.pid, srv.chid);
        await t.MsgSend(coid, bytes(1));
        t.MsgSendPulse(coid, 10, 1, 0);
      },
    });
    await settle(k);
    const cT = c.threads.get(1) as Thread;
    expect([cT.state, cT.blockedOn]).toEqual(["SEND", String(srv.proc.pid)]);
    go.open();
    await settle(k);
    expect([cT.state, cT.blockedOn]).toEqual(["REPLY", String(srv.proc.pid)]);
    expect(srvT.state).toBe("NANOSLEEP");
    clock.advance(10);
    // The sleep is over but the scheduler has not run the server yet.
    expect(srvT.state).toBe("READY");
    await settle(k);
    await c.wait();
    expect(cT.state).toBe("DEAD");
    await srv.proc.wait();
    expect(srvT.state).toBe("DEAD");
  });

  it("shows RECEIVE with the chid, then READY as soon as a message arrives", async () => {
    const { k } = manualKernel();
    const srv = await startServer(k, async (t, chid) => {
      await t.MsgReceive(chid);
    });
    const srvT = srv.thread();
    expect([srvT.state, srvT.blockedOn]).toEqual(["RECEIVE", String(srv.chid)]);
    let cT: Thread | null = null;
    const c = k.spawn({ name: "c", main: (t) => void (cT = t) });
    await c.wait();
    expect(cT).not.toBeNull();
    const p = k.spawn({ name: "p", main: () => gate().wait });
    await settle(k);
    const pt = p.threads.get(1) as Thread;
    pt.MsgSendPulse(pt.ConnectAttach(0, srv.proc.pid, srv.chid), 10, 0, 0);
    expect(srvT.state).toBe("READY");
    await srv.proc.wait();
  });

  it("counts kernel calls and refuses them once the process has ended", async () => {
    const { k } = manualKernel();
    let thread: Thread | null = null;
    const p = k.spawn({
      name: "p",
      main: (t) => {
        thread = t;
        t.ChannelCreate();
        t.ChannelCreate();
        return 0;
      },
    });
    await p.wait();
    const t = thread as unknown as Thread;
    expect(t.kernelCalls).toBe(2);
    expect(() => t.ChannelCreate()).toThrow(expect.objectContaining({ errno: "ESRCH" }));
  });

  it("setPriority changes the base priority and rejects values outside 0-255", async () => {
    const { k } = manualKernel();
    const p = k.spawn({ name: "p", main: () => gate().wait });
    await settle(k);
    const t = p.threads.get(1) as Thread;
    t.setPriority(200);
    expect([t.basePriority, t.priority]).toEqual([200, 200]);
    expect(() => t.setPriority(-1)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    expect(() => p.createThread(() => {}, { priority: 1000 })).toThrow(
      expect.objectContaining({ errno: "EINVAL" }),
    );
  });
});

describe("kernels", () => {
  /** One echo server and one client on `k`; returns the reply and the pids used. */
  async function echo(k: Kernel, value: number): Promise<{ reply: number; pids: number[] }> {
    const srv = await startServer(k, async (t, chid) => {
      const r = await t.MsgReceive(chid);
      t.MsgReply(r.rcvid, 0, bytes(r.msg![0] * 2));
    });
    let reply = -1;
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        reply = (await t.MsgSend(t.ConnectAttach(0, srv.proc.pid, srv.chid), bytes(value)))[0];
      },
    });
    await c.wait();
    return { reply, pids: [srv.proc.pid, c.pid] };
  }

  it("two kernels in one process do not interfere", async () => {
    const a = new Kernel({ clock: new ManualClock(), nodeName: "a" });
    const b = new Kernel({ clock: new ManualClock(), nodeName: "b" });
    const [ra, rb] = await Promise.all([echo(a, 10), echo(b, 20)]);
    expect(ra).toEqual({ reply: 20, pids: [2, 3] });
    expect(rb).toEqual({ reply: 40, pids: [2, 3] });
    const idleA = a.spawn({ name: "idle", main: () => gate().wait });
    a.paths.attach("/dev/x", { pid: idleA.pid, chid: 1 });
    expect(b.paths.count).toBe(0);
    a.slog.log(1, 0, 5, "only a");
    expect(b.slog.entries().map((e) => e.text)).not.toContain("only a");
    await a.shutdown(0);
    expect(a.isDown).toBe(true);
    expect(idleA.exited).toBe(true);
    expect((await echo(b, 3)).reply).toBe(6);
  });

  it("procnto (pid 1) cannot be signalled to death", async () => {
    const { k } = manualKernel();
    const member = k.spawn({ name: "m", main: () => gate().wait });
    await settle(k);
    expect(member.pgid).toBe(1);
    k.signalGroup(1, "SIGTERM");
    k.procnto.signal("SIGKILL");
    expect(k.procnto.exited).toBe(false);
    expect(k.procs.get(1)).toBe(k.procnto);
    expect(member.exited).toBe(true);
  });

  it("shutdown sends SIGTERM, then SIGKILL after the grace time, and refuses new processes", async () => {
    const { k, clock } = manualKernel();
    const polite = k.spawn({ name: "polite", main: () => gate().wait });
    const stubborn = k.spawn({ name: "stubborn", main: () => gate().wait });
    stubborn.onSignal("SIGTERM", "ignore");
    const hooks: string[] = [];
    k.onShutdown(() => void hooks.push("hook"));
    await settle(k);
    const done = k.shutdown(300);
    await settle(k);
    expect(hooks).toEqual(["hook"]);
    expect(polite.exitStatus).toBe(143);
    expect(stubborn.exited).toBe(false);
    clock.advance(300);
    await done;
    expect(stubborn.exitStatus).toBe(137);
    expect(() => k.spawn({ name: "late", main: () => 0 })).toThrow(
      expect.objectContaining({ errno: "ESHUTDOWN" }),
    );
  });
});
