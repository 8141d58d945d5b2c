import { describe, expect, it } from "vitest";
import { settle } from "../../helpers/wait.ts";
import { boot, run, sh } from "./harness.ts";
import * as client from "../../../firmware/resmgr/client.ts";
import * as C from "../../../firmware/resmgr/io-constants.ts";
import { runAs, text } from "../resmgr/harness.ts";
import type { Program } from "../../../firmware/program.ts";
import type { Process } from "../../../firmware/kernel/process.ts";
import type { Termios, TtyControl } from "../../../firmware/program.ts";
import { SANE } from "../../../firmware/bin/lib/stty-settings.ts";
import { unameFields, unameLine } from "../../../firmware/bin/uname.ts";
import { formatUp } from "../../../firmware/bin/uptime.ts";
import { parseInterval } from "../../../firmware/bin/sleep.ts";
import { parseKillArgs } from "../../../firmware/bin/kill.ts";

describe("system utilities", () => {
  it("true, false, hostname, uname", async () => {
    const { kernel: k } = await boot({ hostname: "node7" });
    expect((await sh(k, ["true"])).status).toBe(0);
    expect((await sh(k, ["false"])).status).toBe(1);
    expect((await sh(k, ["hostname"])).stdout).toBe("node7\n");
    expect(await sh(k, ["hostname", "other"], { uid: 100 })).toMatchObject({
      status: 1,
      stderr: "hostname: Operation not permitted\n",
    });
    expect((await sh(k, ["hostname", "other"])).status).toBe(0);
    expect(k.hostname).toBe("other");
    expect((await sh(k, ["uname"])).stdout).toBe("QNX\n");
    expect((await sh(k, ["uname", "-n"])).stdout).toBe("other\n");
    expect((await sh(k, ["uname", "-a"])).stdout.split(" ")).toHaveLength(6);
    const f = unameFields("n", "arm64", "20.19.0");
    expect(unameLine(f, new Set(["m", "s"]))).toBe("QNX aarch64le");
  });

  it("pidin lists the kernel's processes and its views", async () => {
    const { kernel: k } = await boot();
    const r = await sh(k, ["pidin"]);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("     pid tid name               prio STATE       Blocked");
    expect(lines[1]).toMatch(/^ +1 +- procnto-smp-instr +0f READY$/);
    expect(r.stdout).toMatch(/\n +\d+ +1 ramfs +10r RECEIVE/);
    expect(r.stdout).toMatch(/\n +\d+ +1 pidin +10r RUNNING/);
    expect((await sh(k, ["pidin", "arg"])).stdout).toMatch(/\n +\d+ pidin arg\n/);
    expect((await sh(k, ["pidin", "-p", "ramfs", "fds"])).stdout).toMatch(/^ +pid name\n +\d+ ramfs\n$/);
    expect((await sh(k, ["pidin", "mem"])).stdout).toMatch(/code +data +stack/);
    expect((await sh(k, ["pidin", "bogus"])).status).toBe(1);
  });

  it("pidin fds shows each open file's real offset, asked of its manager (_IO_FDINFO)", async () => {
    const { kernel: k } = await boot();
    let listing = "";
    let asUser = "";
    await runAs(k, { uid: 0, gid: 0 }, async (t) => {
      const a = await client.open(t, "/tmp/a", C.O_RDWR | C.O_CREAT, 0o644);
      await client.write(t, a, text("hello world"));
      const b = await client.open(t, "/tmp/a", C.O_RDONLY);
      await client.read(t, b, 4);
      listing = (await sh(k, ["pidin", "-p", String(t.process.pid), "fds"])).stdout;
      // Only the owner or root may ask where another process's file is.
      asUser = (await sh(k, ["pidin", "-p", String(t.process.pid), "fds"], { uid: 100 })).stdout;
    });
    expect(listing).toMatch(/\n +0 +\d+ rw +11 \/tmp\/a\n +1 +\d+ r +4 \/tmp\/a\n$/);
    expect(asUser).toMatch(/\n +0 +\d+ rw +- \/tmp\/a\n/);
  });

  it("kill signals processes and reports missing ones", async () => {
    const { kernel: k } = await boot();
    let sleeper: Process | null = null;
    const done = sh(k, ["sleep", "100"], { onStart: (p) => (sleeper = p) });
    await settle(
      () => [...(sleeper?.threads.values() ?? [])].some((t) => t.state === "NANOSLEEP"),
      "sleep to be asleep",
    );
    expect((await sh(k, ["pidin"])).stdout).toMatch(/sleep +10r NANOSLEEP/);
    expect((await sh(k, ["kill", String(sleeper!.pid)])).status).toBe(0);
    expect((await done).status).toBe(128 + 15);
    expect(await sh(k, ["kill", "-9", "99999"])).toMatchObject({
      status: 1,
      stderr: "kill: 99999: No such process\n",
    });
    expect((await sh(k, ["kill", "-l"])).stdout).toMatch(/^HUP INT QUIT/);
    expect((await sh(k, ["kill", "-l", "143"])).stdout).toBe("TERM\n");
    expect(parseKillArgs(["-s", "KILL", "5"])).toEqual({ list: false, signal: "SIGKILL", pids: ["5"] });
    expect(parseKillArgs(["-HUP", "--", "-5"])).toEqual({ list: false, signal: "SIGHUP", pids: ["-5"] });
    expect(() => parseKillArgs(["-FOO", "1"])).toThrow(/unknown signal FOO/);
  });

  it("sleep, waitfor", async () => {
    const { kernel: k } = await boot();
    expect(parseInterval("1.5")).toBe(1500);
    expect(parseInterval("2m")).toBe(120000);
    expect(parseInterval("x")).toBeUndefined();
    expect((await sh(k, ["sleep", "0.01"])).status).toBe(0);
    expect((await sh(k, ["sleep", "abc"])).status).toBe(1);
    expect((await sh(k, ["waitfor", "/tmp"])).status).toBe(0);
    const t0 = Date.now();
    const miss = await sh(k, ["waitfor", "/dev/none", "0.25"]);
    expect(miss).toMatchObject({
      status: 1,
      stderr: 'Unable to access "/dev/none" (No such file or directory)\n',
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    let waiter: Process | null = null;
    const later = sh(k, ["waitfor", "/tmp/late", "2"], { onStart: (p) => (waiter = p) });
    // The path appears while waitfor is already waiting for it (asleep between its looks).
    await settle(
      () => [...(waiter?.threads.values() ?? [])].some((t) => t.state === "NANOSLEEP"),
      "waitfor to be waiting",
    );
    await sh(k, ["touch", "/tmp/late"]);
    expect((await later).status).toBe(0);
  });

  it("date, uptime", async () => {
    const { kernel: k } = await boot();
    expect((await sh(k, ["date", "-u", "-r", "0", "+%Y-%m-%d %H:%M:%S"])).stdout).toBe(
      "1970-01-01 00:00:00\n",
    );
    expect((await sh(k, ["date", "-u", "-r", "0"])).stdout).toBe("Thu Jan  1 00:00:00 UTC 1970\n");
    expect((await sh(k, ["date", "0101"])).status).toBe(1);
    expect((await sh(k, ["uptime"])).stdout).toMatch(/ up \d+ secs?, \d+ process(es)?\n$/);
    expect(formatUp(59_000)).toBe("up 59 secs");
    expect(formatUp(5 * 60_000)).toBe("up 5 mins");
    expect(formatUp(2 * 3_600_000 + 3 * 60_000)).toBe("up 2:03");
    expect(formatUp(86_400_000 + 7 * 60_000)).toBe("up 1 day, 7 mins");
  });

  it("sloginfo and slog2info read the system log", async () => {
    const { kernel: k } = await boot();
    k.slog.log(7, 0, 5, "tcpip starting", 0);
    k.slog.log(8, 3, 2, "something failed", 0);
    const r = await sh(k, ["sloginfo"]);
    expect(r.stdout.split("\n")[0]).toBe("Time             Sev Major  Minor Args");
    expect(r.stdout).toMatch(/\n\w{3} \d\d \d\d:\d\d:\d\d +5 +7 +0 tcpip starting\n/);
    expect((await sh(k, ["sloginfo", "-s", "2"])).stdout).not.toContain("tcpip starting");
    expect((await sh(k, ["sloginfo", "-m", "8"])).stdout).toContain("something failed");
    expect((await sh(k, ["slog2info"])).stdout).toMatch(/procnto\.0 +main +5 +tcpip starting/);
    expect((await sh(k, ["sloginfo", "-c"])).status).toBe(0);
    expect(k.slog.entries()).toHaveLength(0);
  });

  it("env prints and runs with a changed environment; use prints usage", async () => {
    const { kernel: k } = await boot();
    expect((await sh(k, ["env"], { env: { A: "1", B: "2" } })).stdout).toBe("A=1\nB=2\n");
    expect((await sh(k, ["env", "-i", "X=y"], { env: { A: "1" } })).stdout).toBe("X=y\n");
    expect((await sh(k, ["env", "-u", "A"], { env: { A: "1", B: "2" } })).stdout).toBe("B=2\n");
    const u = await sh(k, ["use", "ls"]);
    expect(u.stdout).toMatch(/^ls - list directory contents\n\nusage: ls/);
    expect((await sh(k, ["use", "nonesuch"])).status).toBe(1);
  });

  it("which finds programs in $PATH, every one with -a, and names what is missing", async () => {
    const { kernel: k } = await boot();
    const setup: Program = {
      name: "setup",
      usage: "",
      async main(ctx) {
        await ctx.fs.mkdir("/tmp/a");
        await ctx.fs.mkdir("/tmp/b");
        await ctx.fs.mkdir("/tmp/b/tool"); // a directory is not a program
        await ctx.fs.writeFile("/tmp/a/tool", "#!/bin/sh\n", { mode: 0o755 });
        await ctx.fs.writeFile("/tmp/b/data", "x\n", { mode: 0o644 });
        await ctx.fs.writeFile("/tmp/b/data2", "x\n", { mode: 0o755 });
        await ctx.fs.writeFile("/tmp/a/data2", "x\n", { mode: 0o755 });
        return 0;
      },
    };
    expect((await run(k, setup, ["setup"])).status).toBe(0);
    const env = { PATH: "/tmp/b:/tmp/a" };
    expect(await sh(k, ["which", "tool"], { env })).toMatchObject({ status: 0, stdout: "/tmp/a/tool\n" });
    expect((await sh(k, ["which", "-a", "data2"], { env })).stdout).toBe("/tmp/b/data2\n/tmp/a/data2\n");
    expect(await sh(k, ["which", "data", "tool"], { env })).toMatchObject({
      status: 1,
      stdout: "/tmp/a/tool\n",
      stderr: "which: no data in (/tmp/b:/tmp/a)\n",
    });
    expect(await sh(k, ["which", "-s", "data"], { env })).toMatchObject({
      status: 1,
      stdout: "",
      stderr: "",
    });
    expect((await sh(k, ["which"], { env })).stderr).toMatch(/^usage: which/);
  });

  it("mount lists the pathname space and reports a missing type manager", async () => {
    const { kernel: k } = await boot();
    expect((await sh(k, ["mount"])).stdout).toBe("ramfs on /tmp type dir\n");
    const m = await sh(k, ["mount", "-T", "io-pkt", "devnp-x.so"]);
    expect(m).toMatchObject({
      status: 1,
      stderr: "mount: no manager for type io-pkt (/dev/mount/io-pkt not found)\n",
    });
  });

  it("stty shows and changes terminal settings", async () => {
    const { kernel: k } = await boot();
    let t: Termios = { ...SANE, baud: 115200 };
    const tty: TtyControl = {
      getAttr: async () => t,
      setAttr: async (c) => {
        t = { ...t, ...c };
      },
      setForegroundPgid: async () => undefined,
      getForegroundPgid: async () => 0,
      getSize: async () => ({ rows: 24, cols: 80 }),
    };
    expect((await sh(k, ["stty"], { tty })).stdout).toBe("speed 115200 baud; 24 rows; 80 columns;\n");
    expect((await sh(k, ["stty", "raw", "-echo", "9600"], { tty })).status).toBe(0);
    expect(t).toMatchObject({ icanon: false, echo: false, baud: 9600 });
    expect((await sh(k, ["stty", "-a"], { tty })).stdout).toContain("lflags: -icanon -isig -echo\n");
    expect((await sh(k, ["stty", "sane"], { tty })).status).toBe(0);
    expect(t.icanon && t.echo).toBe(true);
    expect(await sh(k, ["stty"])).toMatchObject({ status: 1, stderr: "stty: stdin isn't a terminal\n" });
    expect((await sh(k, ["stty", "bogus"], { tty })).status).toBe(1);
  });

  it("shutdown needs root and stops the kernel", async () => {
    const { kernel: k } = await boot();
    expect(await sh(k, ["shutdown"], { uid: 5 })).toMatchObject({
      status: 1,
      stderr: "shutdown: Operation not permitted\n",
    });
    const r = await sh(k, ["shutdown"]);
    expect(r.stdout).toBe("Shutting down\n");
    await settle(() => k.isDown, "the kernel to stop");
  });
});
