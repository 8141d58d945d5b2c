// telnetd against Linux's telnet client: our runtime (a Kernel + io-pkt on devnp-pcap) holds
// one end of a veth, Linux the other in a namespace, where telnet runs in a real terminal
// (tmux). The client negotiates, gets a shell prompt, runs `echo hi`, interrupts a running
// `sleep` with Ctrl-C, reports a window resize that `stty size` shows, and disconnecting
// ends the shell; a client killed under a running job hangs up the whole session. Needs root (namespaces), telnet (Debian `telnet`), tmux and the npm "pcap".
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import telnetd from "../../firmware/bin/telnetd.ts";
import { makeContext } from "../../firmware/exec.ts";
import type { Process } from "../../firmware/kernel/process.ts";
import type { Program } from "../../firmware/program.ts";
import { startPipeManager } from "../../firmware/resmgr/pipe.ts";
import { TmuxSession } from "../e2e/tmux-session.ts";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { settle } from "../helpers/wait.ts";
import { run } from "../unit/bin/harness.ts";
import { Runtime } from "../unit/netutil/runtime.ts";
import { NetnsLab, sh } from "./lib/netns.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";

const skip = requirement("telnetd against Linux's telnet", {
  "root and network namespaces": canUseNetns(),
  telnet: hasCommand("telnet"),
  tmux: hasCommand("tmux"),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

const OURS = "10.69.0.2";
const LINUX = "10.69.0.1";
const T = 120_000;
/** One wait: generous for a loaded CI machine, short enough that a failure shows the screen. */
const W = 30_000;
/** The programs the remote shell runs, as `#!builtin` files on its PATH. */
const PROGRAMS = ["ksh", "sleep", "stty", "echo"];

describe.skipIf(skip)("telnetd with Linux's telnet as the client", () => {
  const lab = new NetnsLab("tn");
  const cwd = mkdtempSync(join(tmpdir(), "netrino-tn-"));
  let rt: Runtime;
  let ns = "";
  let server: Process;
  let tm: TmuxSession;

  const live = (name: string): Process[] =>
    [...rt.kernel.procs.values()].filter((p) => p.name.endsWith(`/${name}`) && !p.exited);

  beforeAll(async () => {
    ns = lab.namespace();
    const v = lab.veth(ns, `${LINUX}/24`);
    sh("ip", ["netns", "exec", ns, "ethtool", "-K", v.linux, "tx", "off", "tso", "off", "gso", "off"], {
      check: false,
    });
    rt = await Runtime.boot("tnnode");
    await startPipeManager(rt.kernel);
    await rt.startIoPkt(["-d", "pcap", `if=${v.ours}`]);
    await rt.ok(["ifconfig", "en0", `${OURS}/24`, "up"]);
    await rt.ok(["mkdir", "/tmp/bin"]);
    const install: Program = {
      name: "install",
      usage: "",
      async main(ctx) {
        for (const p of PROGRAMS)
          await ctx.fs.writeFile(`/tmp/bin/${p}`, `#!builtin ${p}\n`, { mode: 0o755 });
        return 0;
      },
    };
    expect((await run(rt.kernel, install, ["install"])).status).toBe(0);
    const k = rt.kernel;
    server = k.spawn({
      name: "telnetd",
      argv: ["telnetd", "-p", "2323"],
      env: { PATH: "/tmp/bin", HOME: "/tmp" },
      cwd: "/",
      uid: 0,
      gid: 0,
      main: async (t) => telnetd.main(await makeContext(k, t)),
    });
  }, T);

  afterAll(async () => {
    tm?.kill();
    await rt?.shutdown();
    lab.cleanup();
    rmSync(cwd, { recursive: true, force: true });
  }, T);

  it(
    "gives a prompt, runs commands, delivers ^C and the window size; disconnect ends the shell",
    async () => {
      // telnet retries until telnetd listens (it starts in parallel with the test).
      tm = new TmuxSession(
        `ip netns exec ${ns} sh -c 'until telnet ${OURS} 2323; do sleep 0.2; done; echo TELNET-ENDED; sleep 600'`,
        { cwd, cols: 100, rows: 30 },
      );
      await tm.waitFor("(ttyp0)", W);
      await tm.waitFor("/tmp #", W);
      const shells = live("ksh");
      expect(shells).toHaveLength(1);
      const shell = shells[0];
      expect(shell.sid).toBe(shell.pid);

      let prompts = tm.count("/tmp #");
      tm.type("echo hi");
      tm.send("Enter");
      await tm.waitForCount("/tmp #", prompts, W);
      expect(tm.screen()).toMatch(/^hi$/m);

      prompts = tm.count("/tmp #");
      tm.type("sleep 600");
      tm.send("Enter");
      await settle(() => live("sleep").length === 1, "sleep running", W);
      tm.send("C-c");
      await tm.waitForCount("/tmp #", prompts, W);
      await settle(() => live("sleep").length === 0, "sleep interrupted", W);
      expect(shell.exited).toBe(false);

      spawnSync("tmux", ["-L", tm.socket, "resize-window", "-x", "90", "-y", "33"]);
      const pane = spawnSync("tmux", ["-L", tm.socket, "display", "-p", "#{pane_height} #{pane_width}"], {
        encoding: "utf8",
      }).stdout.trim();
      prompts = tm.count("/tmp #");
      tm.type("stty size");
      tm.send("Enter");
      await tm.waitForCount("/tmp #", prompts, W);
      expect(tm.screen()).toContain(`\n${pane}\n`);

      // telnet's escape character, then quit: the connection closes and the session ends.
      tm.send("C-]");
      await tm.waitFor("telnet>", W);
      tm.type("quit");
      tm.send("Enter");
      await tm.waitFor("TELNET-ENDED", W);
      await settle(() => shell.exited, "the shell ended", W);
      await settle(() => live("ksh").length === 0, "no shell left", W);
      expect(server.exited).toBe(false);
    },
    T,
  );

  it(
    "reuses the terminal, passes TERM, and a client that dies hangs up the session and its job",
    async () => {
      tm.kill();
      tm = new TmuxSession(`ip netns exec ${ns} telnet ${OURS} 2323`, { cwd, cols: 100, rows: 30 });
      await tm.waitFor("(ttyp0)", W);
      await tm.waitFor("/tmp #", W);
      const term = spawnSync("tmux", ["-L", tm.socket, "show-options", "-gv", "default-terminal"], {
        encoding: "utf8",
      }).stdout.trim();
      let prompts = tm.count("/tmp #");
      tm.type("echo term=$TERM");
      tm.send("Enter");
      await tm.waitForCount("/tmp #", prompts, W);
      expect(tm.screen()).toContain(`\nterm=${term}\n`);
      const shell = live("ksh")[0];
      prompts = tm.count("/tmp #");
      tm.type("sleep 600");
      tm.send("Enter");
      await settle(() => live("sleep").length === 1, "sleep running", W);
      // The telnet client dies with its terminal: the connection closes under a running job.
      tm.kill();
      await settle(() => live("sleep").length === 0 && shell.exited, "the session hung up", W);
      await settle(() => live("ksh").length === 0, "no shell left", W);
      expect(server.exited).toBe(false);
    },
    T,
  );
});
