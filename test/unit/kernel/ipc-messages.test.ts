// MsgSend/MsgReceive/MsgReply and friends: long messages, short buffers, errors, timeouts
// and events delivered back to a client.
import { describe, expect, it } from "vitest";
import { CHF, KernelError, PULSE_CODE, SIGNALS, type Thread } from "../../../firmware/kernel/index.ts";
import { bytes, gate, manualKernel, outcome, settle, startServer, str, text } from "./helpers.ts";

describe("MsgRead / MsgWrite", () => {
  it("reads the rest of a message longer than the receive buffer", async () => {
    const { k } = manualKernel();
    const long = text("0123456789abcdefghijklmnopqrstuvwxyz");
    let first = "";
    let rest = "";
    let lens: number[] = [];
    const srv = await startServer(k, async (t, chid) => {
      const r = await t.MsgReceive(chid, { bufSize: 10 });
      first = str(r.msg!);
      lens = [r.info!.msglen, r.info!.srcmsglen];
      rest = str(t.MsgRead(r.rcvid, 10, 1000));
      expect(str(t.MsgRead(r.rcvid, 30, 3))).toBe("uvw");
      expect(t.MsgRead(r.rcvid, 100, 5).length).toBe(0);
      expect(() => t.MsgRead(r.rcvid, -1, 5)).toThrow(KernelError);
      t.MsgReply(r.rcvid, 0);
    });
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        await t.MsgSend(t.ConnectAttach(0, srv.proc.pid, srv.chid), long);
      },
    });
    await c.wait();
    expect(first).toBe("0123456789");
    expect(lens).toEqual([10, 36]);
    expect(rest).toBe("abcdefghijklmnopqrstuvwxyz");
  });

  it("builds the reply piecewise with MsgWrite and bounds it by replyMax", async () => {
    const { k } = manualKernel();
    const written: number[] = [];
    const srv = await startServer(k, async (t, chid) => {
      for (;;) {
        const r = await t.MsgReceive(chid);
        if (r.rcvid === 0) return;
        written.push(t.MsgWrite(r.rcvid, text("world"), 6));
        written.push(t.MsgWrite(r.rcvid, text("hello "), 0));
        t.MsgReply(r.rcvid, 7);
      }
    });
    const got: { status: number; data: string }[] = [];
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        const coid = t.ConnectAttach(0, srv.proc.pid, srv.chid);
        const a = await t.MsgSendReply(coid, bytes(1));
        got.push({ status: a.status, data: str(a.data) });
        const b = await t.MsgSendReply(coid, bytes(2), { replyMax: 8 });
        got.push({ status: b.status, data: str(b.data) });
      },
    });
    await c.wait();
    expect(got).toEqual([
      { status: 7, data: "hello world" },
      { status: 7, data: "hello wo" },
    ]);
    // With replyMax 8, the write at offset 6 only had room for 2 bytes.
    expect(written).toEqual([5, 6, 2, 6]);
  });

  it("truncates MsgReply data to the client's replyMax", async () => {
    const { k } = manualKernel();
    const srv = await startServer(k, async (t, chid) => {
      const r = await t.MsgReceive(chid);
      t.MsgReply(r.rcvid, 0, text("abcdef"));
    });
    let reply = "";
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        reply = str(await t.MsgSend(t.ConnectAttach(0, srv.proc.pid, srv.chid), bytes(0), { replyMax: 3 }));
      },
    });
    await c.wait();
    expect(reply).toBe("abc");
  });
});

describe("MsgError and bad rcvids", () => {
  it("makes the client's MsgSend fail with the server's errno", async () => {
    const { k } = manualKernel();
    const srv = await startServer(k, async (t, chid) => {
      const r = await t.MsgReceive(chid);
      t.MsgError(r.rcvid, "EACCES");
    });
    let result: unknown = null;
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        result = await outcome(t.MsgSend(t.ConnectAttach(0, srv.proc.pid, srv.chid), bytes(0)));
      },
    });
    await c.wait();
    expect(result).toEqual({ errno: "EACCES" });
  });

  it("rejects replies to unknown or already answered rcvids with ESRCH", async () => {
    const { k } = manualKernel();
    const errors: string[] = [];
    const srv = await startServer(k, async (t, chid) => {
      const r = await t.MsgReceive(chid);
      t.MsgReply(r.rcvid, 0);
      for (const f of [() => t.MsgReply(r.rcvid, 0), () => t.MsgError(12345, "EIO")]) {
        try {
          f();
        } catch (e) {
          errors.push((e as KernelError).errno);
        }
      }
    });
    const c = k.spawn({
      name: "c",
      main: (t) => t.MsgSend(t.ConnectAttach(0, srv.proc.pid, srv.chid), bytes(0)).then(() => 0),
    });
    await c.wait();
    await srv.proc.wait();
    expect(errors).toEqual(["ESRCH", "ESRCH"]);
  });

  it("MsgSend reports every failure as a rejection, never a synchronous throw", async () => {
    const { k } = manualKernel();
    let t: Thread | null = null;
    const p = k.spawn({ name: "p", main: (th) => void (t = th) });
    await p.wait();
    const th = t as unknown as Thread;
    let thrown = false;
    let pending: Promise<Uint8Array> | null = null;
    try {
      pending = th.MsgSend(1, bytes(0)); // process has ended: ESRCH
    } catch {
      thrown = true;
    }
    expect(thrown).toBe(false);
    expect(await outcome(pending as unknown as Promise<Uint8Array>)).toEqual({ errno: "ESRCH" });
  });

  it("refuses a second MsgSend from a thread already blocked (EBUSY) without losing the first", async () => {
    const { k } = manualKernel();
    const srv = await startServer(k, async (t, chid) => {
      const r = await t.MsgReceive(chid);
      t.MsgReply(r.rcvid, 0, bytes(r.msg![0] + 1));
    });
    const results: unknown[] = [];
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        const coid = t.ConnectAttach(0, srv.proc.pid, srv.chid);
        const first = t.MsgSend(coid, bytes(7));
        results.push(await outcome(t.MsgSend(coid, bytes(9))));
        results.push((await first)[0]);
      },
    });
    await c.wait();
    expect(results).toEqual([{ errno: "EBUSY" }, 8]);
  });

  it("fails calls on unknown connections and channels", async () => {
    const { k } = manualKernel();
    const results: unknown[] = [];
    const p = k.spawn({
      name: "p",
      main: async (t) => {
        results.push(await outcome(t.MsgSend(99, bytes(0))));
        results.push(await outcome(t.MsgReceive(99)));
        results.push(await outcome(Promise.resolve().then(() => t.ConnectDetach(99))));
        results.push(await outcome(Promise.resolve().then(() => t.ChannelDestroy(99))));
      },
    });
    await p.wait();
    expect(results).toEqual([
      { errno: "EBADF" },
      { errno: "ESRCH" },
      { errno: "EBADF" },
      { errno: "EINVAL" },
    ]);
  });
});

describe("timeouts (TimerTimeout-style)", () => {
  it("fails MsgReceive with ETIMEDOUT when nothing arrives in time", async () => {
    const { k, clock } = manualKernel();
    let result: unknown = null;
    const p = k.spawn({
      name: "p",
      main: async (t) => {
        const chid = t.ChannelCreate();
        result = await outcome(t.MsgReceive(chid, { timeoutMs: 100 }));
      },
    });
    await settle(k);
    clock.advance(99);
    await settle(k);
    expect(result).toBeNull();
    clock.advance(1);
    await p.wait();
    expect(result).toEqual({ errno: "ETIMEDOUT" });
  });

  it("fails a SEND-blocked MsgSend with ETIMEDOUT and withdraws the message", async () => {
    const { k, clock } = manualKernel();
    const go = gate();
    const got: string[] = [];
    const srv = await startServer(k, async (t, chid) => {
      await go.wait;
      const r = await t.MsgReceive(chid);
      got.push(r.pulse ? "pulse" : str(r.msg));
    });
    let result: unknown = null;
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        const coid = t.ConnectAttach(0, srv.proc.pid, srv.chid);
        result = await outcome(t.MsgSend(coid, text("late"), { timeoutMs: 50 }));
        t.MsgSendPulse(coid, 10, 1, 0);
        await t.sleep(1_000_000);
      },
    });
    await settle(k);
    clock.advance(50);
    await settle(k);
    expect(result).toEqual({ errno: "ETIMEDOUT" });
    go.open();
    await srv.proc.wait();
    expect(got).toEqual(["pulse"]);
    c.signal("SIGKILL");
  });

  it("fails a REPLY-blocked MsgSend with ETIMEDOUT; CHF.UNBLOCK tells the server", async () => {
    const { k, clock } = manualKernel();
    const events: string[] = [];
    let replyErr = "";
    const srv = await startServer(
      k,
      async (t, chid) => {
        const r = await t.MsgReceive(chid);
        events.push("received");
        const u = await t.MsgReceive(chid);
        events.push(u.pulse?.code === PULSE_CODE.UNBLOCK && u.pulse.value === r.rcvid ? "unblock" : "other");
        try {
          t.MsgReply(r.rcvid, 0);
        } catch (e) {
          replyErr = (e as KernelError).errno;
        }
      },
      { flags: CHF.UNBLOCK },
    );
    let result: unknown = null;
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        result = await outcome(
          t.MsgSend(t.ConnectAttach(0, srv.proc.pid, srv.chid), bytes(1), { timeoutMs: 20 }),
        );
      },
    });
    await settle(k);
    expect(events).toEqual(["received"]);
    clock.advance(20);
    await c.wait();
    await srv.proc.wait();
    expect(result).toEqual({ errno: "ETIMEDOUT" });
    expect(events).toEqual(["received", "unblock"]);
    expect(replyErr).toBe("ESRCH");
  });
});

describe("MsgDeliverEvent", () => {
  /** A server that remembers the first client's rcvid and replies at once (an ionotify-style registration). */
  async function registrar(k: ReturnType<typeof manualKernel>["k"]) {
    let rcvid = 0;
    let thread: Thread | null = null;
    const srv = await startServer(k, async (t, chid) => {
      thread = t;
      const r = await t.MsgReceive(chid);
      rcvid = r.rcvid;
      t.MsgReply(r.rcvid, 0);
      await t.MsgReceive(chid);
    });
    return { srv, rcvid: () => rcvid, thread: () => thread as unknown as Thread };
  }

  it("delivers a pulse to the client over the client's own connection", async () => {
    const { k } = manualKernel();
    const reg = await registrar(k);
    let pulse: unknown = null;
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        const mychid = t.ChannelCreate();
        const self = t.ConnectAttach(0, t.process.pid, mychid);
        await t.MsgSend(t.ConnectAttach(0, reg.srv.proc.pid, reg.srv.chid), bytes(0));
        const r = await t.MsgReceive(mychid);
        pulse = { code: r.pulse?.code, value: r.pulse?.value, priority: r.pulse?.priority, self };
      },
    });
    await settle(k);
    expect(reg.rcvid()).toBeGreaterThan(0);
    reg.thread().MsgDeliverEvent(reg.rcvid(), { kind: "pulse", coid: 1, priority: 22, code: 9, value: 77 });
    await c.wait();
    expect(pulse).toEqual({ code: 9, value: 77, priority: 22, self: 1 });
  });

  it("delivers a signal to the client", async () => {
    const { k } = manualKernel();
    const reg = await registrar(k);
    const caught: string[] = [];
    const hold = gate();
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        t.process.onSignal("SIGUSR1", (s) => caught.push(s));
        await t.MsgSend(t.ConnectAttach(0, reg.srv.proc.pid, reg.srv.chid), bytes(0));
        await hold.wait;
      },
    });
    await settle(k);
    reg.thread().MsgDeliverEvent(reg.rcvid(), { kind: "signal", signo: SIGNALS.SIGUSR1 });
    await settle(k);
    expect(caught).toEqual(["SIGUSR1"]);
    expect(c.exited).toBe(false);
    hold.open();
    await c.wait();
  });

  it("fails with ESRCH once the client is gone", async () => {
    const { k } = manualKernel();
    const reg = await registrar(k);
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        await t.MsgSend(t.ConnectAttach(0, reg.srv.proc.pid, reg.srv.chid), bytes(0));
      },
    });
    await c.wait();
    expect(() => reg.thread().MsgDeliverEvent(reg.rcvid(), { kind: "signal", signo: 16 })).toThrow(
      expect.objectContaining({ errno: "ESRCH" }),
    );
  });
});
