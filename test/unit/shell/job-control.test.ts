import { describe, expect, it } from "vitest";
import { Shell } from "../../../firmware/shell/interp.ts";
import { makeOs } from "./helpers.ts";

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error("condition never became true");
}

function shell() {
  const os = makeOs();
  const sh = new Shell(os, { env: { PATH: "/bin" }, cwd: "/" });
  sh.opts.monitor = true;
  const io = new Map([
    [0, 0],
    [1, 1],
    [2, 2],
  ]);
  return { os, sh, io };
}

describe("job control", () => {
  it("a stopped foreground job enters the table; bg continues it; kill and wait end it", async () => {
    const { os, sh, io } = shell();
    const done = sh.runSource("sleep 5; echo $?; jobs; bg; kill %1; wait; echo done; jobs", io);
    await until(() => os.procs.has(200));
    os.procs.get(200)!.stop();
    await done;
    expect(os.stderr).toBe("\n[1] + Stopped              sleep 5\n");
    expect(os.stdout).toBe("152\n[1] + Stopped              sleep 5\n[1] sleep 5 &\ndone\n");
    expect(os.killLog).toEqual([
      { pid: -200, sig: "SIGCONT" },
      { pid: -200, sig: "SIGTERM" },
    ]);
  });

  it("fg brings a stopped job back and waits for it", async () => {
    const { os, sh, io } = shell();
    const done = sh.runSource("sleep 5; fg %1; echo status $?", io);
    await until(() => os.procs.has(200));
    os.procs.get(200)!.stop();
    await until(() => os.killLog.length > 0);
    expect(os.killLog).toEqual([{ pid: -200, sig: "SIGCONT" }]);
    os.kill(200, "SIGINT");
    await done;
    expect(os.stdout).toBe("sleep 5\nstatus 130\n");
  });

  it("puts every process of a pipeline in the first one's group", async () => {
    const { os, sh, io } = shell();
    await sh.runSource("echo x | cat | upper", io);
    expect(os.execLog.map((e) => e.pgid)).toEqual(["new", 200]);
    expect(os.stdout).toBe("X\n");
  });

  it("reports unknown jobs", async () => {
    const { os, sh, io } = shell();
    await sh.runSource("fg %3; bg; kill %2", io);
    expect(os.stderr).toBe("ksh: fg: %3: no such job\nksh: bg: no current job\nksh: kill: %2: no such job\n");
  });
});
