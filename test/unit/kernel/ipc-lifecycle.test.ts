// Connections and what happens when either end goes away: ConnectAttach errors, the network
// transport seam, disconnect and coid-death pulses, ESRCH for blocked clients of a dead server,
// and everything a process held released when it ends.
import { describe, expect, it } from "vitest";
import {
  CHF,
  PULSE_CODE,
  type Kernel,
  type NetTransport,
  type Process,
  type RemoteLink,
  type Thread,
} from "../../../firmware/kernel/index.ts";
import { bytes, gate, manualKernel, outcome, settle, startServer, str, text } from "./helpers.ts";

function counts(k: Kernel): { channels: number; connections: number; timers: number; paths: number } {
  return {
    channels: k.counts.channels,
    connections: k.counts.connections,
    timers: k.timers.count,
    paths: k.paths.count,
  };
}

/** Spawns a client that sends one message and records how its MsgSend ended. */
function sender(k: Kernel, pid: number, chid: number): { proc: Process; result: () => unknown } {
  let result: unknown = null;
  const proc = k.spawn({
    name: "client",
    main: async (t) => {
      result = await outcome(t.MsgSend(t.ConnectAttach(0, pid, chid), bytes(1)));
    },
  });
  return { proc, result: () => result };
}

describe("a server that dies", () => {
  it("fails a SEND-blocked client with ESRCH", async () => {
    const { k } = manualKernel();
    const srv = await startServer(k, () => gate().wait); // never receives
    const c = sender(k, srv.proc.pid, srv.chid);
    await settle(k);
    expect(c.proc.threads.get(1)?.state).toBe("SEND");
    srv.proc.signal("SIGKILL");
    await c.proc.wait();
    expect(c.result()).toEqual({ errno: "ESRCH" });
  });

  it("fails a REPLY-blocked client with ESRCH", async () => {
    const { k } = manualKernel();
    const srv = await startServer(k, async (t, chid) => {
      await t.MsgReceive(chid);
      await gate().wait; // never replies
    });
    const c = sender(k, srv.proc.pid, srv.chid);
    await settle(k);
    expect(c.proc.threads.get(1)?.state).toBe("REPLY");
    srv.proc.signal("SIGTERM");
    await c.proc.wait();
    expect(c.result()).toEqual({ errno: "ESRCH" });
  });

  it("fails a server that ends by returning, too, and later sends see EBADF", async () => {
    const { k } = manualKernel();
    const srv = await startServer(k, async (t, chid) => {
      await t.MsgReceive(chid);
      return 0; // returns without replying
    });
    const results: unknown[] = [];
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        const coid = t.ConnectAttach(0, srv.proc.pid, srv.chid);
        results.push(await outcome(t.MsgSend(coid, bytes(1))));
        results.push(await outcome(t.MsgSend(coid, bytes(2))));
      },
    });
    await c.wait();
    expect(results).toEqual([{ errno: "ESRCH" }, { errno: "EBADF" }]);
  });

  it("tells clients whose channel has CHF.COID_DISCONNECT with a COIDDEATH pulse", async () => {
    const { k } = manualKernel();
    const srv = await startServer(k, () => gate().wait);
    let pulse: unknown = null;
    let coid = 0;
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        const chid = t.ChannelCreate(CHF.COID_DISCONNECT);
        coid = t.ConnectAttach(0, srv.proc.pid, srv.chid);
        const r = await t.MsgReceive(chid);
        pulse = { code: r.pulse?.code, value: r.pulse?.value };
      },
    });
    await settle(k);
    srv.proc.signal("SIGKILL");
    await c.wait();
    expect(pulse).toEqual({ code: PULSE_CODE.COIDDEATH, value: coid });
  });
});

describe("a client that dies", () => {
  it("makes the server's MsgReply fail with ESRCH and, with CHF.DISCONNECT, sends a pulse", async () => {
    const { k } = manualKernel();
    let replyErr = "";
    let pulse: unknown = null;
    let scoid = 0;
    const srv = await startServer(
      k,
      async (t, chid) => {
        const r = await t.MsgReceive(chid);
        scoid = r.info!.scoid;
        const d = await t.MsgReceive(chid);
        pulse = { code: d.pulse?.code, value: d.pulse?.value };
        try {
          t.MsgReply(r.rcvid, 0);
        } catch (e) {
          replyErr = (e as { errno: string }).errno;
        }
      },
      { flags: CHF.DISCONNECT },
    );
    const c = sender(k, srv.proc.pid, srv.chid);
    await settle(k);
    c.proc.signal("SIGKILL");
    await srv.proc.wait();
    expect(pulse).toEqual({ code: PULSE_CODE.DISCONNECT, value: scoid });
    expect(replyErr).toBe("ESRCH");
  });

  it("withdraws a SEND-blocked client's queued message", async () => {
    const { k } = manualKernel();
    const go = gate();
    let first: unknown = null;
    const srv = await startServer(k, async (t, chid) => {
      await go.wait;
      const r = await t.MsgReceive(chid);
      first = r.pulse ? "pulse" : str(r.msg);
    });
    const dying = sender(k, srv.proc.pid, srv.chid);
    await settle(k);
    dying.proc.signal("SIGKILL");
    const live = k.spawn({
      name: "live",
      main: (t) => t.MsgSend(t.ConnectAttach(0, srv.proc.pid, srv.chid), text("alive")).then(() => 0),
    });
    await settle(k);
    go.open();
    await srv.proc.wait();
    expect(first).toBe("alive");
    await live.wait();
  });
});

describe("ConnectAttach / ConnectDetach", () => {
  it("fails with ESRCH for a missing pid or chid and EHOSTDOWN for a remote node without Qnet", async () => {
    const { k } = manualKernel();
    const srv = await startServer(k, () => gate().wait);
    const errs: string[] = [];
    const p = k.spawn({
      name: "p",
      main: (t) => {
        for (const [nd, pid, chid] of [
          [0, 999, 1],
          [0, srv.proc.pid, 42],
          [3, srv.proc.pid, srv.chid],
        ]) {
          try {
            t.ConnectAttach(nd, pid, chid);
            errs.push("ok");
          } catch (e) {
            errs.push((e as { errno: string }).errno);
          }
        }
      },
    });
    await p.wait();
    expect(errs).toEqual(["ESRCH", "ESRCH", "EHOSTDOWN"]);
    expect(k.counts.connections).toBe(0);
  });

  it("hands nd != 0 to the installed NetTransport", async () => {
    const { k } = manualKernel();
    const calls: string[] = [];
    const transport: NetTransport = {
      nodeNd: () => 2,
      resolvePath: () => Promise.reject(new Error("not used")),
      attach(nd, pid, chid, client) {
        calls.push(`attach ${nd} ${pid} ${chid} from ${client.pid}`);
        const link: RemoteLink = {
          nd,
          label: `${pid}@node${nd}`,
          send: (sender, msg, replyMax, dataOnly) => {
            calls.push(`send ${str(msg)} tid ${sender.tid} max ${replyMax} ${sender.state}`);
            const data = text("remote reply");
            sender.wake(dataOnly ? data : { status: 0, data });
          },
          cancel: (sender) => calls.push(`cancel ${sender.tid}`),
          pulse: (prio, code, value) => calls.push(`pulse ${prio} ${code} ${value}`),
          close: () => calls.push("close"),
        };
        return link;
      },
    };
    k.netTransport = transport;
    let reply = "";
    const p = k.spawn({
      name: "p",
      main: async (t) => {
        const coid = t.ConnectAttach(2, 7, 1);
        reply = str(await t.MsgSend(coid, text("hi"), { replyMax: 100 }));
        t.MsgSendPulse(coid, 15, 3, 4);
        t.ConnectDetach(coid);
      },
    });
    await p.wait();
    expect(reply).toBe("remote reply");
    expect(calls).toEqual([
      `attach 2 7 1 from ${p.pid}`,
      "send hi tid 1 max 100 NET_SEND",
      "pulse 15 3 4",
      "close",
    ]);
    expect(k.counts.connections).toBe(0);
  });

  it("sends a DISCONNECT pulse with the scoid on ConnectDetach when the channel asks", async () => {
    const { k } = manualKernel();
    const pulses: { code: number; value: number }[] = [];
    const srv = await startServer(
      k,
      async (t, chid) => {
        for (;;) {
          const r = await t.MsgReceive(chid);
          if (r.pulse) {
            pulses.push({ code: r.pulse.code, value: r.pulse.value });
            if (r.pulse.code === PULSE_CODE.DISCONNECT) return;
          } else {
            t.MsgReply(r.rcvid, 0, bytes(r.info.scoid));
          }
        }
      },
      { flags: CHF.DISCONNECT },
    );
    let scoid = -1;
    const c = k.spawn({
      name: "c",
      main: async (t) => {
        const coid = t.ConnectAttach(0, srv.proc.pid, srv.chid);
        scoid = (await t.MsgSend(coid, bytes(0)))[0];
        t.ConnectDetach(coid);
        await t.sleep(10);
      },
    });
    await srv.proc.wait();
    expect(pulses).toEqual([{ code: PULSE_CODE.DISCONNECT, value: scoid }]);
    c.signal("SIGKILL");
  });

  it("sends no DISCONNECT pulse to a channel without the flag", async () => {
    const { k, clock } = manualKernel();
    let got: unknown = null;
    const srv = await startServer(k, async (t, chid) => {
      got = await outcome(t.MsgReceive(chid, { timeoutMs: 5 }));
    });
    const c = k.spawn({
      name: "c",
      main: (t) => t.ConnectDetach(t.ConnectAttach(0, srv.proc.pid, srv.chid)),
    });
    await c.wait();
    await settle(k);
    clock.advance(5);
    await srv.proc.wait();
    expect(got).toEqual({ errno: "ETIMEDOUT" });
  });
});

describe("resources released when a process ends", () => {
  async function busyProcess(k: Kernel, target: { pid: number; chid: number }, end: "return" | "kill") {
    let thread: Thread | null = null;
    const p = k.spawn({
      name: "busy",
      main: async (t) => {
        thread = t;
        const a = t.ChannelCreate();
        t.ChannelCreate(CHF.DISCONNECT);
        const self = t.ConnectAttach(0, t.process.pid, a);
        t.ConnectAttach(0, target.pid, target.chid);
        t.ConnectAttach(0, target.pid, target.chid);
        const tm = t.TimerCreate({ kind: "pulse", coid: self, priority: 10, code: 1, value: 0 });
        t.TimerSettime(tm, 1000, 1000);
        t.TimerCreate({ kind: "none" });
        t.process.fds.set(3, { coid: self, handle: 0, flags: 0 });
        k.paths.attach("/dev/busy", { pid: t.process.pid, chid: a, type: "file" });
        if (end === "return") return 0;
        await t.MsgReceive(a);
      },
    });
    await settle(k);
    return { p, thread: () => thread as unknown as Thread };
  }

  it.each(["return", "kill"] as const)(
    "channels, connections, timers, paths return to their counts (%s)",
    async (end) => {
      const { k, clock } = manualKernel();
      const srv = await startServer(k, () => gate().wait);
      const before = counts(k);
      const { p } = await busyProcess(k, { pid: srv.proc.pid, chid: srv.chid }, end);
      if (end === "kill") {
        expect(counts(k)).toEqual({
          channels: before.channels + 2,
          connections: before.connections + 3,
          timers: before.timers + 2,
          paths: before.paths + 1,
        });
        p.signal("SIGKILL");
      }
      await p.wait();
      expect(counts(k)).toEqual(before);
      expect(p.fds.size).toBe(0);
      expect(k.procs.has(p.pid)).toBe(false);
      expect(clock.pending).toBe(0);
    },
  );
});
