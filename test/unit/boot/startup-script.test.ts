import { describe, expect, it } from "vitest";
import type { ImageScriptLine } from "../../../images/image/format.ts";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import type { Process } from "../../../firmware/kernel/process.ts";
import {
  runStartupScript,
  type ScriptExecOptions,
  type ScriptRuntime,
} from "../../../firmware/boot/startup-script.ts";

function line(text: string, more: Partial<ImageScriptLine> = {}): ImageScriptLine {
  const words = text.split(" ").filter((w) => w !== "");
  const background = words[words.length - 1] === "&";
  if (background) words.pop();
  const builtins = ["display_msg", "waitfor", "reopen", "procmgr_symlink"];
  return {
    kind: builtins.includes(words[0]) ? "builtin" : "exec",
    line: 1,
    argv: words,
    env: [],
    background,
    session: false,
    external: false,
    ...more,
  };
}

interface Fake {
  rt: ScriptRuntime;
  out: string[];
  log: string[];
  paths: Set<string>;
  links: [string, string][];
  execs: { argv: readonly string[]; opts: ScriptExecOptions }[];
  /** Program name → what it does when started. */
  programs: Map<string, (p: Process) => void>;
  time: () => number;
}

function fake(kernel: Kernel): Fake {
  let now = 0;
  const f: Fake = {
    out: [],
    log: [],
    paths: new Set(),
    links: [],
    execs: [],
    programs: new Map(),
    time: () => now,
    rt: {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
        f.log.push(`sleep ${ms}`);
      },
      write: async (fd, text) => {
        f.out.push(`${fd}:${text}`);
      },
      stat: async (path) => {
        if (!f.paths.has(path)) throw new KernelError("ENOENT");
      },
      reopen: async (path) => {
        if (!f.paths.has(path)) throw new KernelError("ENOENT");
        f.log.push(`reopen ${path}`);
      },
      symlink: (target, path) => {
        f.links.push([target, path]);
      },
      exec: async (argv, opts) => {
        const behave = f.programs.get(argv[0]);
        if (!behave) throw new KernelError("ENOENT");
        f.execs.push({ argv, opts });
        f.log.push(`start ${argv[0]}`);
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const p = kernel.spawn({ name: argv[0], argv: [...argv], main: async () => gate.then(() => 0) });
        f.log.push(`pid ${p.pid}`);
        queueMicrotask(() => {
          behave(p);
          void release;
        });
        (p as unknown as { release: () => void }).release = release;
        return p;
      },
    },
  };
  return f;
}

const release = (p: Process) => (p as unknown as { release: () => void }).release();

describe("startup script", () => {
  it("prints display_msg and runs commands in order, waiting for foreground ones", async () => {
    const k = new Kernel();
    const f = fake(k);
    const order: string[] = [];
    f.programs.set("first", (p) => {
      order.push("first runs");
      setTimeout(() => {
        order.push("first ends");
        release(p);
      }, 20);
    });
    f.programs.set("second", (p) => {
      order.push("second runs");
      release(p);
    });
    await runStartupScript(f.rt, [line("display_msg hello  world"), line("first"), line("second")], {});
    expect(f.out).toEqual(["1:hello world\n"]);
    expect(f.log.slice(0, 1)).toEqual(["start first"]);
    expect(order).toEqual(["first runs", "first ends", "second runs"]);
    await k.shutdown(10);
  });

  it("does not wait for a background command", async () => {
    const k = new Kernel();
    const f = fake(k);
    let ran = false;
    f.programs.set("daemon", () => undefined); // never exits
    f.programs.set("after", (p) => {
      ran = true;
      release(p);
    });
    const r = await runStartupScript(f.rt, [line("daemon &"), line("after")], {});
    expect(ran).toBe(true);
    expect(r.started.map((p) => p.name)).toEqual(["daemon", "after"]);
    await k.shutdown(10);
  });

  it("goes on when a foreground command detaches (a driver that is ready)", async () => {
    const k = new Kernel();
    const f = fake(k);
    f.programs.set("devc-ser", (p) => p.detach());
    f.programs.set("ksh", (p) => release(p));
    const r = await runStartupScript(f.rt, [line("devc-ser"), line("ksh")], {});
    expect(r.started).toHaveLength(2);
    await k.shutdown(10);
  });

  it("prints Unable to start for a missing program, says what to add to the buildfile, goes on", async () => {
    const k = new Kernel();
    const f = fake(k);
    f.programs.set("ok", (p) => release(p));
    await runStartupScript(f.rt, [line("nosuch -x"), line("/bin/io-pkt -v"), line("ok")], {});
    expect(f.out).toEqual([
      '2:Unable to start "nosuch" (No such file or directory)\n',
      "2:  add it to the buildfile: nosuch=path/on/host (or /proc/boot/nosuch = nosuch.ts for your own program)\n",
      '2:Unable to start "/bin/io-pkt" (No such file or directory)\n',
      "2:  add it to the buildfile: [type=builtin] io-pkt\n",
    ]);
    expect(f.execs.map((e) => e.argv[0])).toEqual(["ok"]);
    await k.shutdown(10);
  });

  it("waitfor polls every 100 ms and reports a timeout", async () => {
    const k = new Kernel();
    const f = fake(k);
    await runStartupScript(f.rt, [line("waitfor /dev/socket 1")], {});
    expect(f.out).toEqual(['2:Unable to access "/dev/socket" (No such file or directory)\n']);
    expect(f.log.filter((l) => l === "sleep 100")).toHaveLength(10);
    expect(f.time()).toBe(1000);
    await k.shutdown(10);
  });

  it("waitfor returns as soon as the path exists, default timeout 5 s", async () => {
    const k = new Kernel();
    const f = fake(k);
    const rt = f.rt;
    const stat = rt.stat;
    rt.stat = async (p) => {
      if (f.time() >= 300) f.paths.add("/dev/ser1");
      return stat(p);
    };
    await runStartupScript(rt, [line("waitfor /dev/ser1")], {});
    expect(f.out).toEqual([]);
    expect(f.time()).toBe(300);
    const f2 = fake(k);
    await runStartupScript(f2.rt, [line("waitfor /nope")], {});
    expect(f2.time()).toBe(5000);
    await k.shutdown(10);
  });

  it("reopen makes the device stdio, defaulting to /dev/console", async () => {
    const k = new Kernel();
    const f = fake(k);
    f.paths.add("/dev/ser1");
    f.paths.add("/dev/console");
    await runStartupScript(f.rt, [line("reopen /dev/ser1"), line("reopen")], {});
    expect(f.log).toEqual(["reopen /dev/ser1", "reopen /dev/console"]);
    const f2 = fake(k);
    await runStartupScript(f2.rt, [line("reopen /dev/ser9 0.2")], {});
    expect(f2.out).toEqual(['2:Unable to access "/dev/ser9" (No such file or directory)\n']);
    await k.shutdown(10);
  });

  it("procmgr_symlink adds a link", async () => {
    const k = new Kernel();
    const f = fake(k);
    await runStartupScript(f.rt, [line("procmgr_symlink /dev/ser1 /dev/console")], {});
    expect(f.links).toEqual([["/dev/ser1", "/dev/console"]]);
    await k.shutdown(10);
  });

  it("a [+session] shell with nothing reopened onto a terminal says what to add", async () => {
    const k = new Kernel();
    const f = fake(k);
    f.programs.set("ksh", (p) => release(p));
    f.paths.add("/dev/ser1");
    await runStartupScript(f.rt, [line("ksh", { session: true })], {});
    expect(f.out).toEqual([
      "2:[+session] ksh has no console: nothing reopened the script's stdio onto a terminal\n" +
        "  add before it in the startup script: devc-ser -t terminal &, waitfor /dev/ser1, reopen /dev/ser1\n",
    ]);
    f.out.length = 0;
    await runStartupScript(f.rt, [line("reopen /dev/ser1"), line("ksh", { session: true })], {});
    expect(f.out).toEqual([]);
    await k.shutdown(10);
  });

  it("applies VAR=val lines to later commands, per-command env, pri, argv0 and +session", async () => {
    const k = new Kernel();
    const f = fake(k);
    f.programs.set("a", (p) => release(p));
    f.programs.set("ksh", (p) => release(p));
    const r = await runStartupScript(
      f.rt,
      [
        line("a"),
        {
          kind: "env",
          line: 2,
          argv: [],
          env: [["PATH", "/proc/boot"]],
          background: false,
          session: false,
          external: false,
        },
        line("ksh", { env: [["TERM", "vt100"]], priority: 10, argv0: "-ksh", session: true }),
      ],
      { HOME: "/" },
    );
    expect(f.execs[0].opts.env).toEqual({ HOME: "/" });
    expect(f.execs[1].opts).toEqual({
      env: { HOME: "/", PATH: "/proc/boot", TERM: "vt100" },
      priority: 10,
      argv0: "-ksh",
      session: true,
    });
    expect(r.sessionLeader?.name).toBe("ksh");
    await k.shutdown(10);
  });
});
