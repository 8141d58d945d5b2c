// telnetd's sessions on the real runtime (kernel, ramfs, pipes, ksh started through exec),
// with the connection a stream in the test: the opening negotiation, the banner and a prompt
// on /dev/ttyp0, a command, ^C at a running sleep, NAWS and TERMINAL-TYPE reaching `stty size`
// and $TERM, and the connection closing hangs up the session. Plus the command line.
import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { Telnetd, parseTelnetdArgs } from "../../../firmware/bin/telnetd.ts";
import { UsageError } from "../../../firmware/bin/lib/getopt.ts";
import { makeContext } from "../../../firmware/exec.ts";
import type { Kernel } from "../../../firmware/kernel/kernel.ts";
import type { Process } from "../../../firmware/kernel/process.ts";
import {
  DO,
  IAC,
  OPT_ECHO,
  OPT_NAWS,
  OPT_SGA,
  OPT_TTYPE,
  SB,
  SE,
  WILL,
} from "../../../firmware/net/telnet/codec.ts";
import type { Program, ProgramContext } from "../../../firmware/program.ts";
import { startPipeManager } from "../../../firmware/resmgr/pipe.ts";
import { Signal, settle } from "../../helpers/wait.ts";
import { boot, run } from "./harness.ts";

/** The server's end of a connection; what it writes is collected, `type` is the client. */
class FakeConnection extends Duplex {
  readonly remoteAddress = "10.0.0.9";
  readonly remotePort = 40_000;
  readonly out: number[] = [];
  readonly changed = new Signal();

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.out.push(...chunk);
    this.changed.notify();
    cb();
  }

  override _read(): void {}

  type(bytes: Uint8Array | string): void {
    this.push(typeof bytes === "string" ? Buffer.from(bytes) : Buffer.from(bytes));
  }

  text(): string {
    return Buffer.from(this.out).toString("latin1");
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
}

const PROGRAMS = ["ksh", "sleep", "stty"];

async function rig(): Promise<{ kernel: Kernel; server: Telnetd; live: (n: string) => Process[] }> {
  const { kernel } = await boot({ hostname: "tnunit" });
  await startPipeManager(kernel);
  const install: Program = {
    name: "install",
    usage: "",
    async main(ctx) {
      await ctx.fs.mkdir("/tmp/bin");
      for (const p of PROGRAMS) await ctx.fs.writeFile(`/tmp/bin/${p}`, `#!builtin ${p}\n`, { mode: 0o755 });
      return 0;
    },
  };
  expect((await run(kernel, install, ["install"])).status).toBe(0);
  let ctx: ProgramContext | null = null;
  kernel.spawn({
    name: "telnetd",
    argv: ["telnetd"],
    env: { PATH: "/tmp/bin", HOME: "/tmp" },
    cwd: "/",
    uid: 0,
    gid: 0,
    main: async (t) => {
      ctx = await makeContext(kernel, t);
      await new Promise(() => undefined); // serves until the kernel shuts down
      return 0;
    },
  });
  await settle(() => ctx !== null, "telnetd's context");
  const server = new Telnetd(ctx as unknown as ProgramContext, parseTelnetdArgs([]));
  const live = (name: string): Process[] =>
    [...kernel.procs.values()].filter((p) => p.name.endsWith(`/${name}`) && !p.exited);
  return { kernel, server, live };
}

describe("telnetd sessions", () => {
  it("negotiates, runs a shell on /dev/ttyp0 with job control and the window size, hangs up", async () => {
    const { kernel, server, live } = await rig();
    const c = new FakeConnection();
    const done = server.session(c);
    await c.changed.until(() => c.out.length >= 15, "the opening negotiation");
    expect(c.out.slice(0, 15)).toEqual([
      ...[IAC, WILL, OPT_ECHO, IAC, WILL, OPT_SGA, IAC, DO, OPT_SGA],
      ...[IAC, DO, OPT_NAWS, IAC, DO, OPT_TTYPE],
    ]);
    c.type(Uint8Array.of(IAC, DO, OPT_ECHO, IAC, DO, OPT_SGA, IAC, WILL, OPT_SGA, IAC, WILL, OPT_NAWS));
    c.type(Uint8Array.of(IAC, SB, OPT_NAWS, 0, 101, 0, 37, IAC, SE, IAC, WILL, OPT_TTYPE));
    await c.changed.until(() => c.text().includes(String.fromCharCode(IAC, SB, OPT_TTYPE, 1)), "TTYPE SEND");
    c.type(Uint8Array.of(IAC, SB, OPT_TTYPE, 0, ...Buffer.from("VT220"), IAC, SE));
    await c.changed.until(() => c.text().includes("/tmp # "), "a prompt");
    expect(c.text()).toContain("netrino (tnunit) (ttyp0)");
    const [shell] = live("ksh");
    expect(shell.sid).toBe(shell.pid);

    const prompts = (): number => c.text().split("/tmp # ").length - 1;
    let n = prompts();
    c.type("echo $TERM; stty size\r\0");
    await c.changed.until(() => prompts() > n, "the next prompt");
    expect(c.text()).toContain("\r\nvt220\r\n37 101\r\n");

    n = prompts();
    c.type("sleep 600\r\0");
    await settle(() => live("sleep").length === 1, "sleep running");
    c.type("\x03");
    await c.changed.until(() => prompts() > n, "the prompt after ^C");
    await settle(() => live("sleep").length === 0, "sleep interrupted");

    c.type("sleep 600\r\0");
    await settle(() => live("sleep").length === 1, "sleep running again");
    c.push(null);
    c.destroy();
    await done;
    await settle(() => live("sleep").length === 0 && shell.exited, "the session hung up");
    expect(live("ksh")).toEqual([]);
    await kernel.shutdown();
  });

  it("closes the connection when the shell exits, and frees the terminal", async () => {
    const { kernel, server } = await rig();
    const c = new FakeConnection();
    const done = server.session(c);
    // A client that does not negotiate (a raw socket): the shell still starts.
    await c.changed.until(() => c.text().includes("/tmp # "), "a prompt", 15_000);
    c.type("exit\n");
    await done;
    expect(c.writableEnded).toBe(true);
    const again = new FakeConnection();
    void server.session(again);
    await again.changed.until(() => again.text().includes("(ttyp0)"), "ttyp0 again", 15_000);
    again.destroy();
    await kernel.shutdown();
  });

  it("parses QNX and BSD command lines", () => {
    expect(parseTelnetdArgs([])).toEqual({ port: 23, program: null, banner: true, keepAlive: true });
    expect(parseTelnetdArgs(["-p", "2323", "-h", "-n", "-L", "/bin/sh"])).toEqual({
      port: 2323,
      program: "/bin/sh",
      banner: false,
      keepAlive: false,
    });
    expect(parseTelnetdArgs(["-debug", "2424"]).port).toBe(2424);
    expect(parseTelnetdArgs(["-debug"]).port).toBe(23);
    expect(() => parseTelnetdArgs(["-p", "70000"])).toThrow(UsageError);
    expect(() => parseTelnetdArgs(["-x"])).toThrow(UsageError);
    expect(() => parseTelnetdArgs(["extra"])).toThrow(UsageError);
  });
});
