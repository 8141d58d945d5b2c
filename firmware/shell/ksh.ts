// ksh: the console shell as a Program. `runKsh` holds the session logic (options, profiles,
// the interactive read-parse-run loop with PS1/PS2, job notices, history) over a ShellOs, so
// tests can drive it with a fake system; `main` wires it to the runtime.
import type { Program, ProgramContext } from "../program.ts";
import { shellCompleter } from "./completion.ts";
import { ExitRequest, IncompleteInput, Interrupted, ShellSyntaxError } from "./errors.ts";
import { expandString } from "./expand.ts";
import { History } from "./history.ts";
import { describeError, Shell } from "./interp.ts";
import type { Io } from "./interp.ts";
import { Lexer } from "./lexer.ts";
import { LineEditor } from "./line-editor.ts";
import type { ShellOs } from "./os.ts";
import { createRuntimeOs } from "./os-runtime.ts";
import { Parser } from "./parser.ts";
import { installTrap, runTrapAction } from "./traps.ts";

const USAGE = `ksh - the netrino command shell (a Korn shell subset)

usage: ksh [-eilxu] [-c command [arg0 [arg ...]]]
       ksh [-eilxu] [script [arg ...]]

 -c command  run command and exit
 -i          interactive (default when stdin is a terminal)
 -l          login shell: read /etc/profile and $HOME/.profile
 -e -x -u    set -e (errexit), -x (xtrace), -u (nounset)

An argv[0] that starts with '-' also makes a login shell. Type 'help' for the builtins.
`;

export interface KshOptions {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

interface Parsed {
  command: string | null;
  script: string | null;
  args: string[];
  arg0: string;
  interactive: boolean | null;
  login: boolean;
  flags: string;
}

function parseArgs(argv: string[]): Parsed | string {
  const p: Parsed = {
    command: null,
    script: null,
    args: [],
    arg0: argv[0] ?? "ksh",
    interactive: null,
    login: (argv[0] ?? "").startsWith("-"),
    flags: "",
  };
  let i = 1;
  let wantCommand = false;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      i++;
      break;
    }
    if (!/^[-+][a-zA-Z]+$/.test(a)) break;
    for (const f of a.slice(1)) {
      if (f === "c") wantCommand = true;
      else if (f === "i") p.interactive = true;
      else if (f === "l") p.login = true;
      else if (f === "s") p.interactive = p.interactive ?? null;
      else if ("exufC".includes(f)) p.flags += f;
      else return `ksh: -${f}: unknown option\n`;
    }
  }
  const rest = argv.slice(i);
  if (wantCommand) {
    if (rest.length === 0) return "ksh: -c: argument expected\n";
    p.command = rest[0];
    if (rest.length > 1) p.arg0 = rest[1];
    p.args = rest.slice(2);
  } else if (rest.length > 0) {
    p.script = rest[0];
    p.arg0 = rest[0];
    p.args = rest.slice(1);
  }
  return p;
}

const STDIO: () => Io = () =>
  new Map([
    [0, 0],
    [1, 1],
    [2, 2],
  ]);

async function sourceIfExists(sh: Shell, path: string, io: Io): Promise<void> {
  if (!(await sh.os.stat(path))?.isFile) return;
  let src: string;
  try {
    src = await sh.os.readFile(path);
  } catch {
    return;
  }
  sh.sourcing++;
  try {
    await sh.runSource(src, io, path);
  } finally {
    sh.sourcing--;
  }
}

/** PS1/PS2 as ksh shows them: parameter and command substitution, `!` is the history number. */
export async function expandPrompt(sh: Shell, ps: string): Promise<string> {
  try {
    const word = new Lexer(ps).readTemplate();
    const s = await expandString(word, sh);
    const n = String((sh.shared.history?.list().at(-1)?.n ?? 0) + 1);
    return s.replace(/!!|!/g, (m) => (m === "!!" ? "!" : n));
  } catch {
    return ps;
  }
}

export async function runKsh(os: ShellOs, opts: KshOptions): Promise<number> {
  const parsed = parseArgs(opts.argv);
  if (typeof parsed === "string") {
    await os.write(2, parsed);
    return 2;
  }
  const env = { ...opts.env };
  if (!env.PATH) env.PATH = "/bin:/usr/bin:/proc/boot";
  if (!env.HOME) env.HOME = "/";
  env.PWD = opts.cwd;
  const progName = (opts.argv[0] ?? "ksh").replace(/^-/, "").replace(/^.*\//, "") || "ksh";
  const sh = new Shell(os, { env, cwd: opts.cwd, arg0: parsed.arg0, args: parsed.args, progName });
  if (!sh.getVar("HOSTNAME")) sh.setVar("HOSTNAME", os.hostname);
  if (!sh.getVar("PS1")) sh.setVar("PS1", os.uid === 0 ? "$PWD # " : "$PWD $ ");
  if (!sh.getVar("PS2")) sh.setVar("PS2", "> ");
  for (const f of parsed.flags) {
    if (f === "e") sh.opts.errexit = true;
    if (f === "x") sh.opts.xtrace = true;
    if (f === "u") sh.opts.nounset = true;
    if (f === "f") sh.opts.noglob = true;
    if (f === "C") sh.opts.noclobber = true;
  }
  const interactive =
    parsed.command === null && parsed.script === null && (parsed.interactive ?? os.isatty(0));
  sh.opts.interactive = interactive;
  sh.opts.monitor = interactive && os.tty !== undefined;
  const history = new History(Number(sh.getVar("HISTSIZE")) || 500);
  sh.shared.history = history;
  const io = STDIO();
  let status = 0;
  try {
    if (parsed.login) {
      await sourceIfExists(sh, "/etc/profile", io);
      await sourceIfExists(sh, `${sh.getVar("HOME") ?? "/"}/.profile`.replace(/^\/\//, "/"), io);
    }
    if (parsed.command !== null) status = await sh.runSource(parsed.command, io);
    else if (parsed.script !== null) {
      const path = parsed.script.includes("/")
        ? parsed.script
        : ((await sh.findCommand(parsed.script)) ?? parsed.script);
      let src: string;
      try {
        src = await os.readFile(path.startsWith("/") ? path : `${sh.cwd.replace(/\/$/, "")}/${path}`);
      } catch (e) {
        await sh.error(io, `${parsed.script}: cannot open [${describeError(e)}]`);
        return 127;
      }
      status = await sh.runSource(src.replace(/^#![^\n]*/, ""), io, parsed.script);
    } else if (interactive) {
      const env = sh.getVar("ENV");
      if (env) await sourceIfExists(sh, await expandPrompt(sh, env), io);
      status = await interactiveLoop(sh, history, io);
    } else {
      status = await scriptFromStdin(sh, io);
    }
  } catch (e) {
    if (!(e instanceof ExitRequest)) throw e;
    status = e.status;
  }
  await runExitTrap(sh, io);
  await saveHistory(sh, history);
  return status;
}

async function runExitTrap(sh: Shell, io: Io): Promise<void> {
  const action = sh.traps.get("EXIT") ?? sh.traps.get("0");
  if (!action) return;
  sh.traps.delete("EXIT");
  sh.traps.delete("0");
  await sh.runSource(action, io).catch(() => undefined);
}

async function loadHistory(sh: Shell, history: History): Promise<void> {
  const file = sh.getVar("HISTFILE");
  if (!file) return;
  try {
    history.load((await sh.os.readFile(file)).split("\n"));
  } catch {
    // No history yet.
  }
}

async function saveHistory(sh: Shell, history: History): Promise<void> {
  const file = sh.getVar("HISTFILE");
  if (!file || !sh.opts.interactive) return;
  try {
    const fd = await sh.os.open(file, "w");
    try {
      await sh.os.write(
        fd,
        history
          .list()
          .map((h) => h.line)
          .join("\n") + "\n",
      );
    } finally {
      await sh.os.close(fd);
    }
  } catch {
    // A read-only file system just loses the history.
  }
}

/** Commands from a non-terminal stdin: read and run complete commands as they arrive. */
async function scriptFromStdin(sh: Shell, io: Io): Promise<number> {
  // Shared with `read`: a script piped in can read its own following lines.
  const reader = await sh.input(0);
  let src = "";
  for (;;) {
    const line = (await reader.readLine())?.line.replace(/\r$/, "") ?? null;
    if (line === null) {
      if (src) await sh.runSource(src, io);
      return sh.lastStatus;
    }
    src += line + "\n";
    if (needsMore(src)) continue;
    await sh.runSource(src, io);
    src = "";
  }
}

function needsMore(src: string): boolean {
  try {
    new Parser(src).parseAll();
    return false;
  } catch (e) {
    return e instanceof IncompleteInput;
  }
}

/** Reads lines at the terminal: raw mode and the line editor when it is one, plain lines otherwise. */
interface PromptInput {
  /** Shows `prompt` and reads one line: null at end of input, "interrupt" after Ctrl-C. */
  read(prompt: string): Promise<string | null | "interrupt">;
  /** SIGINT while the prompt is up: abandon the line being read; false when there is no editor to tell. */
  interrupt(): boolean;
}

function terminalInput(sh: Shell, history: History): PromptInput {
  const os = sh.os;
  const tty = os.tty;
  if (!tty) {
    return {
      async read(prompt) {
        await os.write(2, prompt);
        const r = await (await sh.input(0)).readLine();
        return r ? r.line.replace(/\r$/, "") : null;
      },
      interrupt: () => false,
    };
  }
  const editor = new LineEditor({
    io: { read: () => os.read(0, 4096), write: (s) => os.write(2, s) },
    history,
    completer: shellCompleter(sh),
  });
  const read = async (prompt: string): Promise<string | null | "interrupt"> => {
    const saved = await tty.getAttr().catch(() => null);
    try {
      const size = await tty.getSize().catch(() => null);
      editor.width = size?.cols || Number(sh.getVar("COLUMNS")) || 80;
      // `stty -echo` hides what is typed at the prompt too (as readline does), e.g. a password.
      editor.echo = saved?.echo ?? true;
      await tty.setAttr({ icanon: false, echo: false, isig: false, onlcr: false }).catch(() => undefined);
      const r = await editor.readLine(prompt);
      if (r.kind === "eof") return null;
      if (r.kind === "interrupt") return "interrupt";
      return r.line;
    } finally {
      // Commands run with the terminal as the user configured it.
      if (saved)
        await tty
          .setAttr({ icanon: saved.icanon, echo: saved.echo, isig: saved.isig, onlcr: saved.onlcr })
          .catch(() => undefined);
    }
  };
  return {
    read,
    interrupt: () => {
      editor.interrupt();
      return true;
    },
  };
}

async function interactiveLoop(sh: Shell, history: History, io: Io): Promise<number> {
  const os = sh.os;
  await loadHistory(sh, history);
  const input = terminalInput(sh, history);
  // From one prompt until a command runs: the terminal is cooked for a moment between two
  // prompts, so a Ctrl-C typed then arrives as SIGINT, not as a key, and must still cancel.
  let atPrompt = false;
  // SIGINT abandons the command line; `trap '' INT` ignores it, `trap cmd INT` runs cmd first.
  os.onSignal("SIGINT", () => {
    const action = sh.traps.get("INT");
    if (action === "") return;
    // At the prompt the editor reports the interrupt and the loop below runs the trap.
    const editorReports = atPrompt && input.interrupt();
    if (action && !editorReports) void runTrapAction(sh, action);
    sh.interrupt();
  });
  os.onSignal("SIGTSTP", "ignore");
  installTrap(sh, "QUIT");
  installTrap(sh, "TERM");
  if (sh.opts.monitor) await os.tty?.setForegroundPgid(os.pgid).catch(() => undefined);
  let warnedStopped = false;
  for (;;) {
    atPrompt = true;
    for (const notice of sh.jobs.reap()) await sh.write(io, 2, notice + "\n");
    sh.clearInterrupt();
    let src = "";
    let prompt = await expandPrompt(sh, sh.getVar("PS1") ?? "$ ");
    let cancelled = false;
    for (;;) {
      const line = await input.read(prompt);
      if (line === "interrupt") {
        // Ctrl-C at the prompt (the editor's, the terminal's isig is off) runs the INT trap too.
        const action = sh.traps.get("INT");
        if (action) await runTrapAction(sh, action);
        cancelled = true;
        break;
      }
      if (line === null) {
        if (src) {
          cancelled = true;
          break;
        }
        if (sh.jobs.jobs.some((j) => j.state === "stopped") && !warnedStopped) {
          warnedStopped = true;
          await sh.write(io, 2, "You have stopped jobs\n");
          cancelled = true;
          break;
        }
        return sh.lastStatus;
      }
      src += line + "\n";
      try {
        new Parser(src).parseAll();
        break;
      } catch (e) {
        if (e instanceof IncompleteInput) {
          prompt = await expandPrompt(sh, sh.getVar("PS2") ?? "> ");
          continue;
        }
        if (e instanceof ShellSyntaxError) break;
        throw e;
      }
    }
    if (cancelled) continue;
    atPrompt = false;
    history.add(src.replace(/\n$/, ""));
    warnedStopped = false;
    try {
      await sh.runSource(src, io);
    } catch (e) {
      if (e instanceof ExitRequest) {
        if (sh.jobs.jobs.some((j) => j.state === "stopped") && !warnedStopped) {
          warnedStopped = true;
          await sh.write(io, 2, "You have stopped jobs\n");
          continue;
        }
        throw e;
      }
      if (e instanceof Interrupted) {
        sh.lastStatus = 130;
        continue;
      }
      // A bug in a builtin must not kill the console: report it and carry on.
      await sh.error(io, `internal error: ${describeError(e)}`);
    }
  }
}

const ksh: Program = {
  name: "ksh",
  usage: USAGE,
  main(ctx: ProgramContext): Promise<number> {
    return runKsh(createRuntimeOs(ctx), { argv: ctx.argv, env: ctx.env, cwd: ctx.cwd });
  },
};

export default ksh;
