// Kernel timers deliver pulses (or signals) at a priority, once or periodically; sleep blocks
// in NANOSLEEP. All on a ManualClock, so every step is exact.
import { describe, expect, it } from "vitest";
import { KernelError, type Thread } from "../../../firmware/kernel/index.ts";
import { gate, manualKernel, outcome, settle } from "./helpers.ts";

/** A process with a channel, a connection to itself, and a loop recording pulses as "code:value@prio". */
async function pulseSink(k: ReturnType<typeof manualKernel>["k"]) {
  const got: string[] = [];
  let thread: Thread | null = null;
  let coid = 0;
  const proc = k.spawn({
    name: "sink",
    main: async (t) => {
      thread = t;
      const chid = t.ChannelCreate();
      coid = t.ConnectAttach(0, t.process.pid, chid);
      for (;;) {
        const r = await t.MsgReceive(chid);
        if (r.pulse) got.push(`${r.pulse.code}:${r.pulse.value}@${r.pulse.priority}`);
      }
    },
  });
  await settle(k);
  return { proc, got, coid: () => coid, t: () => thread as unknown as Thread };
}

describe("timers", () => {
  it("fires a one-shot pulse at its time and priority, once", async () => {
    const { k, clock } = manualKernel();
    const s = await pulseSink(k);
    const id = s.t().TimerCreate({ kind: "pulse", coid: s.coid(), priority: 40, code: 7, value: 123 });
    s.t().TimerSettime(id, 100);
    clock.advance(99);
    await settle(k);
    expect(s.got).toEqual([]);
    clock.advance(1);
    await settle(k);
    expect(s.got).toEqual(["7:123@40"]);
    clock.advance(1000);
    await settle(k);
    expect(s.got).toEqual(["7:123@40"]);
    expect(k.timers.count).toBe(1); // fired, still exists until destroyed
  });

  it("repeats a periodic timer and stops when destroyed", async () => {
    const { k, clock } = manualKernel();
    const s = await pulseSink(k);
    const id = s.t().TimerCreate({ kind: "pulse", coid: s.coid(), priority: 10, code: 1, value: 0 });
    s.t().TimerSettime(id, 50, 20);
    clock.advance(110); // 50, 70, 90, 110
    await settle(k);
    expect(s.got.length).toBe(4);
    s.t().TimerDestroy(id);
    expect(k.timers.count).toBe(0);
    clock.advance(1000);
    await settle(k);
    expect(s.got.length).toBe(4);
    expect(clock.pending).toBe(0);
  });

  it("disarms with an initial time of 0 and re-arms with a new time", async () => {
    const { k, clock } = manualKernel();
    const s = await pulseSink(k);
    const id = s.t().TimerCreate({ kind: "pulse", coid: s.coid(), priority: 10, code: 2, value: 0 });
    s.t().TimerSettime(id, 30, 30);
    s.t().TimerSettime(id, 0);
    clock.advance(100);
    await settle(k);
    expect(s.got).toEqual([]);
    s.t().TimerSettime(id, 10);
    clock.advance(10);
    await settle(k);
    expect(s.got).toEqual(["2:0@10"]);
  });

  it("can deliver a signal", async () => {
    const { k, clock } = manualKernel();
    const caught: string[] = [];
    const hold = gate();
    const p = k.spawn({
      name: "alarm",
      main: async (t) => {
        t.process.onSignal("SIGALRM", (sig) => caught.push(sig));
        t.TimerSettime(t.TimerCreate({ kind: "signal", signo: 14 }), 5);
        await hold.wait;
      },
    });
    await settle(k);
    clock.advance(5);
    await settle(k);
    expect(caught).toEqual(["SIGALRM"]);
    hold.open();
    await p.wait();
  });

  it("logs an event it cannot deliver (connection detached) and keeps its schedule", async () => {
    const { k, clock } = manualKernel();
    const s = await pulseSink(k);
    const t = s.t();
    const coid = t.ConnectAttach(0, s.proc.pid, 1);
    const id = t.TimerCreate({ kind: "pulse", coid, priority: 10, code: 3, value: 0 });
    t.TimerSettime(id, 10, 10);
    t.ConnectDetach(coid);
    clock.advance(30);
    await settle(k);
    expect(s.got).toEqual([]);
    expect(k.slog.entries().filter((e) => e.text.startsWith(`timer ${id} `)).length).toBe(3);
  });

  it("rejects other processes' timers and bad values with EINVAL", async () => {
    const { k } = manualKernel();
    const a = await pulseSink(k);
    const b = await pulseSink(k);
    const id = a.t().TimerCreate({ kind: "none" });
    expect(() => b.t().TimerSettime(id, 10)).toThrow(KernelError);
    expect(() => b.t().TimerDestroy(id)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    expect(() => a.t().TimerSettime(id, -1)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
  });
});

describe("sleep", () => {
  it("blocks in NANOSLEEP until the clock reaches the time", async () => {
    const { k, clock } = manualKernel();
    const log: string[] = [];
    let thread: Thread | null = null;
    const p = k.spawn({
      name: "sleeper",
      main: async (t) => {
        thread = t;
        await t.sleep(250);
        log.push(`woke at ${k.clock.now()}`);
      },
    });
    await settle(k);
    const t = thread as unknown as Thread;
    expect(t.state).toBe("NANOSLEEP");
    clock.advance(249);
    await settle(k);
    expect(log).toEqual([]);
    clock.advance(1);
    await p.wait();
    expect(log).toEqual(["woke at 250"]);
  });

  it("ends early with EINTR when a caught signal arrives, and its timer is gone", async () => {
    const { k, clock } = manualKernel();
    let result: unknown = null;
    const p = k.spawn({
      name: "sleeper",
      main: async (t) => {
        t.process.onSignal("SIGINT", () => {});
        result = await outcome(t.sleep(1000));
      },
    });
    await settle(k);
    expect(clock.pending).toBe(1);
    p.signal("SIGINT");
    await p.wait();
    expect(result).toEqual({ errno: "EINTR" });
    expect(clock.pending).toBe(0);
  });
});
