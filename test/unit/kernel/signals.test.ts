// Signals, process groups, detach, exit statuses and program exceptions.
import { describe, expect, it } from "vitest";
import {
  SIGNALS,
  SLOG_SEVERITY,
  defaultAction,
  parseSignal,
  signalName,
  type Thread,
} from "../../../firmware/kernel/index.ts";
import { gate, manualKernel, outcome, settle } from "./helpers.ts";

/** A process whose main waits on a gate that never opens (or the given one). */
function idle(k: ReturnType<typeof manualKernel>["k"], name = "idle", extra: Record<string, unknown> = {}) {
  return k.spawn({ name, ...extra, main: () => gate().wait });
}

describe("default actions", () => {
  it("SIGTERM terminates with status 128+15 and records the signal", async () => {
    const { k } = manualKernel();
    const p = idle(k);
    await settle(k);
    p.signal("SIGTERM");
    expect(await p.wait()).toBe(143);
    expect(p.termSignal).toBe("SIGTERM");
    expect(p.state).toBe("zombie");
  });

  it("SIGCHLD is ignored by default; SIGINT terminates (130)", async () => {
    const { k } = manualKernel();
    const p = idle(k);
    await settle(k);
    p.signal("SIGCHLD");
    await settle(k);
    expect(p.exited).toBe(false);
    p.signal("SIGINT");
    expect(await p.wait()).toBe(130);
  });

  it("a main that returns gives its status; one that returns nothing gives 0", async () => {
    const { k } = manualKernel();
    expect(await k.spawn({ name: "a", main: () => 7 }).wait()).toBe(7);
    expect(await k.spawn({ name: "b", main: async () => {} }).wait()).toBe(0);
  });
});

describe("handlers", () => {
  it("runs the handler, then interrupts a blocked call with EINTR (POSIX order)", async () => {
    const { k } = manualKernel();
    const order: string[] = [];
    let result: unknown = null;
    const p = k.spawn({
      name: "h",
      main: async (t) => {
        t.process.onSignal("SIGUSR1", (s) => order.push(s));
        result = await outcome(t.MsgReceive(t.ChannelCreate()));
        order.push("returned");
        return 5;
      },
    });
    await settle(k);
    p.signal("SIGUSR1");
    expect(await p.wait()).toBe(5);
    expect(order).toEqual(["SIGUSR1", "returned"]);
    expect(result).toEqual({ errno: "EINTR" });
  });

  it("a handler that ends the process leaves nothing to interrupt", async () => {
    const { k } = manualKernel();
    const p = k.spawn({
      name: "h",
      main: async (t) => {
        t.process.onSignal("SIGUSR2", () => t.process.exit(9));
        await t.MsgReceive(t.ChannelCreate());
        return 5;
      },
    });
    await settle(k);
    p.signal("SIGUSR2");
    expect(await p.wait()).toBe(9);
  });

  it("ignores a signal set to ignore, and 'default' restores the default", async () => {
    const { k } = manualKernel();
    const p = idle(k);
    await settle(k);
    p.onSignal("SIGTERM", "ignore");
    p.signal("SIGTERM");
    await settle(k);
    expect(p.exited).toBe(false);
    p.onSignal("SIGTERM", "default");
    p.signal("SIGTERM");
    expect(await p.wait()).toBe(143);
  });

  it("cannot catch or ignore SIGKILL, which always ends the process (137)", async () => {
    const { k } = manualKernel();
    const p = idle(k);
    await settle(k);
    expect(() => p.onSignal("SIGKILL", "ignore")).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    expect(() => p.onSignal("SIGSTOP", () => {})).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    p.onSignal("SIGTERM", "ignore");
    p.signal("SIGKILL");
    expect(await p.wait()).toBe(137);
    expect(p.termSignal).toBe("SIGKILL");
  });

  it("a throwing handler is logged and does not end the process", async () => {
    const { k } = manualKernel();
    const p = idle(k);
    await settle(k);
    p.onSignal("SIGHUP", () => {
      throw new Error("boom");
    });
    p.signal("SIGHUP");
    await settle(k);
    expect(p.exited).toBe(false);
    expect(k.slog.entries().some((e) => e.text.includes("signal handler failed") && e.pid === p.pid)).toBe(
      true,
    );
  });
});

describe("stop and continue", () => {
  it("SIGTSTP stops the process (wake-ups are held), SIGCONT resumes it", async () => {
    const { k, clock } = manualKernel();
    const log: string[] = [];
    let thread: Thread | null = null;
    const p = k.spawn({
      name: "job",
      main: async (t) => {
        thread = t;
        await t.sleep(100);
        log.push("woke");
      },
    });
    const events: string[] = [];
    p.on((ev) => events.push(ev));
    await settle(k);
    p.signal("SIGTSTP");
    expect(p.state).toBe("stopped");
    clock.advance(100);
    await settle(k);
    expect(log).toEqual([]);
    expect((thread as unknown as Thread).state).toBe("STOPPED");
    p.signal("SIGCONT");
    await p.wait();
    expect(log).toEqual(["woke"]);
    expect(events).toEqual(["stopped", "continued", "exited"]);
  });

  it("waitChange reports a stop to a job table", async () => {
    const { k } = manualKernel();
    const p = idle(k);
    await settle(k);
    const change = p.waitChange();
    p.signal("SIGTSTP");
    expect(await change).toBe("stopped");
    p.signal("SIGKILL");
    expect(await p.waitChange()).toBe("exited");
  });
});

describe("parents and children", () => {
  it("sends SIGCHLD to the parent when a child exits or stops", async () => {
    const { k } = manualKernel();
    const got: string[] = [];
    let parentThread: Thread | null = null;
    const parent = k.spawn({
      name: "parent",
      main: async (t) => {
        parentThread = t;
        t.process.onSignal("SIGCHLD", (s) => got.push(s));
        await gate().wait;
      },
    });
    await settle(k);
    const child = k.spawn({ name: "child", parent, main: () => gate().wait });
    expect(parent.children.has(child)).toBe(true);
    expect(child.parent).toBe(parent);
    await settle(k);
    child.signal("SIGTSTP");
    await settle(k);
    child.signal("SIGKILL");
    await settle(k);
    expect(got).toEqual(["SIGCHLD", "SIGCHLD"]);
    expect(parent.children.has(child)).toBe(false);
    expect(parentThread).not.toBeNull();
  });

  it("inherits priority, cwd, env and credentials from the parent", async () => {
    const { k } = manualKernel();
    const parent = idle(k, "parent", { priority: 30, cwd: "/tmp", env: { A: "1" }, uid: 5, gid: 6 });
    const child = idle(k, "child", { parent });
    expect([child.priority, child.cwd, child.env, child.uid, child.gid]).toEqual([
      30,
      "/tmp",
      { A: "1" },
      5,
      6,
    ]);
    expect(child.env).not.toBe(parent.env);
    expect(() => k.spawn({ name: "bad", priority: 256, main: () => 0 })).toThrow(
      expect.objectContaining({ errno: "EINVAL" }),
    );
  });

  it("re-parents orphans to procnto", async () => {
    const { k } = manualKernel();
    const parent = idle(k, "parent");
    const child = idle(k, "child", { parent });
    await settle(k);
    parent.signal("SIGKILL");
    await parent.wait();
    expect(child.parent).toBe(k.procnto);
    expect(k.procnto.children.has(child)).toBe(true);
    expect(child.exited).toBe(false);
  });

  it("detach() hands the process to procnto and tells the parent's job table", async () => {
    const { k } = manualKernel();
    const parent = idle(k, "shell");
    const daemon = idle(k, "daemon", { parent });
    await settle(k);
    const change = daemon.waitChange();
    daemon.detach();
    expect(await change).toBe("detached");
    expect(daemon.parent).toBe(k.procnto);
    expect(parent.children.has(daemon)).toBe(false);
    expect(daemon.exited).toBe(false);
  });
});

describe("process groups", () => {
  it("signalGroup reaches every live member of the group and nothing else", async () => {
    const { k } = manualKernel();
    const leader = idle(k, "leader", { pgid: "new" });
    const member = idle(k, "member", { parent: leader });
    const other = idle(k, "other", { pgid: "new" });
    await settle(k);
    expect(leader.pgid).toBe(leader.pid);
    expect(member.pgid).toBe(leader.pid);
    expect(k.processGroup(leader.pid)).toEqual([leader, member]);
    expect(k.signalGroup(leader.pid, "SIGINT")).toBe(2);
    expect(await leader.wait()).toBe(130);
    expect(await member.wait()).toBe(130);
    expect(other.exited).toBe(false);
    expect(k.processGroup(leader.pid)).toEqual([]);
  });
});

describe("exceptions in programs", () => {
  it.each(["sync", "async"] as const)(
    "a %s throw ends only that process, with status 1 and a slog entry",
    async (mode) => {
      const { k, clock } = manualKernel();
      const bystander = idle(k, "bystander");
      const p = k.spawn({
        name: "crasher",
        main:
          mode === "sync"
            ? () => {
                throw new Error("kaboom");
              }
            : async (t) => {
                await t.sleep(0).catch(() => {});
                throw new Error("kaboom");
              },
      });
      if (mode === "async") {
        await settle(k);
        clock.advance(0);
      }
      expect(await p.wait()).toBe(1);
      const entry = k.slog.entries().find((e) => e.pid === p.pid);
      expect(entry?.severity).toBe(SLOG_SEVERITY.ERROR);
      expect(entry?.text).toContain("kaboom");
      expect(entry?.text).toContain("crasher");
      await settle(k);
      expect(bystander.exited).toBe(false);
    },
  );

  it("a throwing secondary thread ends the process too", async () => {
    const { k } = manualKernel();
    const p = k.spawn({
      name: "mt",
      main: async (t) => {
        t.process.createThread(() => {
          throw new Error("worker died");
        });
        await gate().wait;
      },
    });
    expect(await p.wait()).toBe(1);
  });

  it("a secondary thread that returns leaves the process running", async () => {
    const { k } = manualKernel();
    const p = k.spawn({
      name: "mt",
      main: async (t) => {
        t.process.createThread(() => {}, { name: "worker" });
        await gate().wait;
      },
    });
    await settle(k);
    expect(p.exited).toBe(false);
    expect([...p.threads.keys()]).toEqual([1]);
  });
});

describe("signal names", () => {
  it("parses names and numbers as kill(1) does", () => {
    expect(parseSignal("INT")).toBe("SIGINT");
    expect(parseSignal("sigterm")).toBe("SIGTERM");
    expect(parseSignal("9")).toBe("SIGKILL");
    expect(parseSignal("24")).toBe("SIGTSTP");
    expect(parseSignal("BOGUS")).toBeUndefined();
    expect(parseSignal("99")).toBeUndefined();
    expect(parseSignal("")).toBeUndefined();
    expect(signalName(18)).toBe("SIGCHLD");
    expect(SIGNALS.SIGUSR1).toBe(16);
    expect(defaultAction("SIGCHLD")).toBe("ignore");
    expect(defaultAction("SIGTSTP")).toBe("stop");
    expect(defaultAction("SIGCONT")).toBe("continue");
    expect(defaultAction("SIGPIPE")).toBe("terminate");
  });
});
