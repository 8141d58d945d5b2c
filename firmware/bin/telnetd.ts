// telnetd: the shell over TCP. Each connection gets a terminal, /dev/ttypN, served by the
// same TtyDevice and line discipline as the serial console, over a TelnetPort (the telnet
// protocol on the socket, shaped as a UART); the shell runs as the leader of a new session
// with that terminal as its controlling terminal. The client closing hangs up the terminal
// (SIGHUP to the session); the shell exiting closes the connection.
import { TtyDevice } from "../console/tty-manager.ts";
import type { Process } from "../kernel/process.ts";
import type { Duplex } from "node:stream";
import { createServer, type NetSocket } from "../net/socket/net.ts";
import { TelnetPort } from "../net/telnet/telnet-port.ts";
import type { Program, ProgramContext } from "../program.ts";
import { ResourceManager } from "../resmgr/resmgr.ts";
import { UsageError, getopt } from "./lib/getopt.ts";
import { NetUtilError, nodeErrno, runNetUtility } from "./lib/net-errors.ts";

const USAGE = `telnetd - remote console (telnet server)

usage: telnetd [-hn] [-L program] [-p port | -debug [port]]
Options:
 -p port     port to listen on (default 23)
 -debug port the same, as BSD and QNX telnetd spell it
 -L program  the program each connection runs (default: $SHELL, else ksh)
 -h          no banner (host name and terminal) before the shell starts
 -n          no TCP keepalives (a dead client's session then stays until the next write)
Each connection gets a terminal /dev/ttypN and a shell leading its own session.
`;

/** How long the opening negotiation may take before the shell starts anyway. */
const NEGOTIATION_MS = 2000;

export interface TelnetdOptions {
  port: number;
  program: string | null;
  banner: boolean;
  keepAlive: boolean;
}

/** The command line; `-debug [port]` is the BSD spelling of `-p port`. */
export function parseTelnetdArgs(args: readonly string[]): TelnetdOptions {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== "-debug") rest.push(args[i]);
    else if (i + 1 < args.length && /^\d+$/.test(args[i + 1])) rest.push("-p", args[++i]);
  }
  const { opts, operands } = getopt(rest, "hnL:p:");
  if (operands.length > 0) throw new UsageError(`unexpected operand: ${operands[0]}`);
  const portText = opts.findLast((o) => o.opt === "p")?.value ?? "23";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65_535) throw new UsageError(`bad port: ${portText}`);
  return {
    port,
    program: opts.findLast((o) => o.opt === "L")?.value ?? null,
    banner: !opts.some((o) => o.opt === "h"),
    keepAlive: !opts.some((o) => o.opt === "n"),
  };
}

/** What a session needs of its connection (a NetSocket; tests pass a stream of their own). */
export type TelnetConnection = Duplex & {
  remoteAddress?: string;
  remotePort?: number;
  setNoDelay(on?: boolean): unknown;
  setKeepAlive(on?: boolean, initialDelay?: number): unknown;
};

/** The server: one terminal and one shell per connection handed to `session`. */
export class Telnetd {
  private readonly ctx: ProgramContext;
  private readonly opts: TelnetdOptions;
  private readonly rm: ResourceManager;
  private readonly units = new Set<number>();
  private readonly ports = new Set<TelnetPort>();

  constructor(ctx: ProgramContext, opts: TelnetdOptions) {
    this.ctx = ctx;
    this.opts = opts;
    this.rm = new ResourceManager(ctx.thread);
    this.rm.start(1, { maxThreads: 8 });
  }

  /** The lowest /dev/ttypN that neither we nor another server hold. */
  private async allocate(): Promise<number> {
    for (let n = 0; ; n++) {
      if (this.units.has(n)) continue;
      try {
        await this.ctx.fs.stat(`/dev/ttyp${n}`);
      } catch {
        this.units.add(n);
        return n;
      }
    }
  }

  async session(sock: TelnetConnection): Promise<void> {
    const ctx = this.ctx;
    const peer = `${sock.remoteAddress ?? "?"}.${sock.remotePort ?? 0}`;
    sock.setNoDelay(true);
    if (this.opts.keepAlive) sock.setKeepAlive(true);
    const port = new TelnetPort(sock, `tcp:${peer}`);
    this.ports.add(port);
    let unit = -1;
    let dev: TtyDevice | null = null;
    try {
      await port.open();
      await port.settled(NEGOTIATION_MS, (ms, fn) => ctx.kernel.clock.setTimer(ms, fn));
      if (!port.isOpen) return;
      unit = await this.allocate();
      const tty = `ttyp${unit}`;
      dev = new TtyDevice(this.rm, { path: `/dev/${tty}`, port, mode: 0o620 });
      if (this.opts.banner) await port.write(`\r\nnetrino (${ctx.kernel.hostname}) (${tty})\r\n\r\n`);
      const shell = await this.startShell(`/dev/${tty}`, port.terminalType);
      // The client going away hangs up the session: its leader hears SIGHUP (the terminal
      // itself signals the foreground group and ends every read with end of file).
      port.onClose(() => ctx.kernel.signalGroup(shell.pid, "SIGHUP"));
      await shell.wait();
    } catch (e) {
      await port.write(`telnetd: ${e instanceof Error ? e.message : String(e)}\r\n`).catch(() => undefined);
    } finally {
      await port.close();
      if (dev) this.rm.detach(dev.attach);
      this.units.delete(unit);
      this.ports.delete(port);
    }
  }

  private async startShell(tty: string, term: string | null): Promise<Process> {
    const ctx = this.ctx;
    const program = this.opts.program ?? ctx.env.SHELL ?? "ksh";
    const fh = await ctx.fs.open(tty, "r+");
    try {
      const env: Record<string, string> = { ...ctx.env, TERM: term ?? ctx.env.TERM ?? "vt100" };
      const fd = fh.fd;
      return await ctx.exec(program, [program], {
        env,
        cwd: env.HOME ?? "/",
        session: true,
        fds: new Map([
          [0, fd],
          [1, fd],
          [2, fd],
        ]),
      });
    } finally {
      await fh.close();
    }
  }

  /** Hangs up every session and stops serving terminals. */
  async stop(): Promise<void> {
    await Promise.all([...this.ports].map((p) => p.close()));
    this.rm.stop();
  }
}

const program: Program = {
  name: "telnetd",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "telnetd", USAGE, async () => {
      const opts = parseTelnetdArgs(ctx.argv.slice(1));
      const server = new Telnetd(ctx, opts);
      const listener = createServer(ctx.sockets, { noDelay: true }, (s: NetSocket) => void server.session(s));
      try {
        await new Promise<void>((resolve, reject) => {
          listener.once("error", (e: NodeJS.ErrnoException) =>
            reject(new NetUtilError(nodeErrno(e), `port ${opts.port}: ${e.message}`)),
          );
          listener.listen(opts.port, () => resolve());
        });
        await new Promise<void>((resolve) => {
          if (ctx.signal.aborted) resolve();
          else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
        });
      } finally {
        listener.close();
        await server.stop();
      }
      return 0;
    });
  },
};
export default program;
