// The interpreter: shell state (variables, functions, aliases, options, jobs) and execution
// of the syntax tree. Pipelines run their external members as processes (one process group
// per job) and their builtin/function/compound members inside the shell; as in ksh the last
// member of a pipeline runs in the current shell, so `echo x | read v` sets v.
import type { Command, List, Redir, SimpleCommand } from "./ast.ts";
import { plainText } from "./ast.ts";
import { BUILTINS, SPECIAL_BUILTINS } from "./builtins.ts";
import {
  ExitRequest,
  IncompleteInput,
  Interrupted,
  LoopControl,
  ReturnRequest,
  ShellError,
  ShellSyntaxError,
} from "./errors.ts";
import type { ExpandHost } from "./expand.ts";
import { evalArith } from "./arith.ts";
import { evalCond } from "./cond.ts";
import { arithVars, expandPattern, expandString, expandWords } from "./expand.ts";
import { FdInput } from "./fd-input.ts";
import { matchPattern, toAbs } from "./glob.ts";
import type { History } from "./history.ts";
import { Job, JobTable } from "./jobs.ts";
import type { JobProc } from "./jobs.ts";
import type { OpenMode, ShellOs } from "./os.ts";
import { Parser } from "./parser.ts";
import { shellQuote } from "./quote.ts";
import { signalNumber } from "./signals.ts";
import { runTrapAction } from "./traps.ts";

/** Shell-level descriptor → the shell process's own descriptor. */
export type Io = Map<number, number>;

export interface ShellOptions {
  errexit: boolean;
  xtrace: boolean;
  nounset: boolean;
  noglob: boolean;
  noclobber: boolean;
  interactive: boolean;
  monitor: boolean;
}

interface Var {
  value: string;
  exported: boolean;
}

/** State shared by a shell and its subshells. */
interface Shared {
  interrupted: boolean;
  /** Wakes waits (`wait`, `read`) that Ctrl-C must cut short. */
  interruptWaiters: Set<() => void>;
  commandsSinceYield: number;
  history: History | null;
  /** Line input per shell-process descriptor, shared so `read` sees what the script reader left. */
  inputs: Map<number, FdInput>;
  /** Clock reading at start, and the value $SECONDS was set to then. */
  secondsBase: { ms: number; value: number };
  /** Descriptors `exec` redirections opened for the shell itself (closed when replaced). */
  execOpened: Set<number>;
}

const YIELD_EVERY = 512;
const SIGINT_STATUS = 128 + signalNumber("SIGINT");
const STOPPED_STATUS = 128 + signalNumber("SIGTSTP");

export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

export class Shell implements ExpandHost {
  readonly os: ShellOs;
  readonly vars: Map<string, Var>;
  positional: string[];
  arg0: string;
  readonly functions: Map<string, Command>;
  readonly aliases: Map<string, string>;
  readonly opts: ShellOptions;
  readonly jobs: JobTable;
  readonly isSubshell: boolean;
  readonly shared: Shared;
  cwd: string;
  lastStatus = 0;
  lastBgPid: number | null = null;
  /** >0 while running a condition (if/while test, && || left side, `!`): set -e ignores it. */
  condDepth = 0;
  loopDepth = 0;
  funcDepth = 0;
  /** >0 while a `.` script runs (return is allowed there). */
  sourcing = 0;
  readonly traps = new Map<string, string>();
  /** Set while the ERR trap runs: a failure inside it does not run it again. */
  private inErrTrap = false;
  /** One frame per running function: the variables `typeset`/`local` made local, and their outer values. */
  localFrames: Map<string, Var | undefined>[] = [];
  /** getopts: the OPTIND it last set, and the position inside a group of letters (`-abc`). */
  getopts = { optind: "", char: 1 };
  /** Status of the last command substitution of the command being expanded. */
  substStatus: number | null = null;

  /** The name error messages start with ("ksh", or "sh" when started as sh). */
  progName: string;

  constructor(
    os: ShellOs,
    init: { env?: Record<string, string>; cwd?: string; arg0?: string; args?: string[]; progName?: string },
  ) {
    this.os = os;
    this.progName = init.progName ?? "ksh";
    this.vars = new Map();
    for (const [k, v] of Object.entries(init.env ?? {})) this.vars.set(k, { value: v, exported: true });
    this.positional = init.args ?? [];
    this.arg0 = init.arg0 ?? "ksh";
    this.functions = new Map();
    this.aliases = new Map();
    this.opts = {
      errexit: false,
      xtrace: false,
      nounset: false,
      noglob: false,
      noclobber: false,
      interactive: false,
      monitor: false,
    };
    this.jobs = new JobTable();
    this.isSubshell = false;
    this.shared = {
      interrupted: false,
      interruptWaiters: new Set(),
      commandsSinceYield: 0,
      history: null,
      inputs: new Map(),
      secondsBase: { ms: os.now(), value: 0 },
      execOpened: new Set(),
    };
    this.cwd = init.cwd ?? this.vars.get("PWD")?.value ?? "/";
    if (!this.vars.has("PWD")) this.vars.set("PWD", { value: this.cwd, exported: true });
    if (!this.vars.has("IFS")) this.vars.set("IFS", { value: " \t\n", exported: false });
    this.vars.set("PPID", { value: String(os.ppid), exported: false });
  }

  /**
   * A subshell: a copy of the state that cannot change this shell's. Every field is carried
   * over as it is; the list below names only what a subshell gets as its own copy or fresh,
   * so a field added to Shell is never left out.
   */
  fork(): Shell {
    const vars = new Map<string, Var>();
    for (const [k, v] of this.vars) vars.set(k, { ...v });
    const own: Partial<Shell> = {
      vars,
      positional: [...this.positional],
      functions: new Map(this.functions),
      aliases: new Map(this.aliases),
      opts: { ...this.opts, interactive: false, monitor: false },
      jobs: new JobTable(),
      isSubshell: true,
      loopDepth: 0,
      funcDepth: 0,
      sourcing: 0,
      traps: new Map<string, string>(),
      localFrames: [],
      getopts: { ...this.getopts },
    };
    return Object.assign(Object.create(Shell.prototype) as Shell, this, own);
  }

  // ---- variables -------------------------------------------------------------------------

  get nounset(): boolean {
    return this.opts.nounset;
  }

  get noglob(): boolean {
    return this.opts.noglob;
  }

  getVar(name: string): string | undefined {
    if (name === "RANDOM") return String(Math.floor(Math.random() * 32768));
    if (name === "SECONDS") {
      const b = this.shared.secondsBase;
      return String(b.value + Math.floor((this.os.now() - b.ms) / 1000));
    }
    return this.vars.get(name)?.value;
  }

  setVar(name: string, value: string, exported?: boolean): void {
    if (name === "SECONDS") this.shared.secondsBase = { ms: this.os.now(), value: Number(value) || 0 };
    const v = this.vars.get(name);
    if (v) {
      v.value = value;
      if (exported) v.exported = true;
    } else this.vars.set(name, { value, exported: exported ?? false });
  }

  unsetVar(name: string): void {
    this.vars.delete(name);
  }

  /** `typeset`/`local` inside a function: the variable's outer value comes back when it returns. */
  makeLocal(name: string): void {
    const frame = this.localFrames.at(-1);
    if (!frame || frame.has(name)) return;
    const v = this.vars.get(name);
    frame.set(name, v ? { ...v } : undefined);
    // A local starts unset (an exported one stays exported, empty).
    if (v?.exported) this.vars.set(name, { value: "", exported: true });
    else this.vars.delete(name);
  }

  // ---- line input -------------------------------------------------------------------------

  /** The shared line reader for one of the shell process's descriptors. */
  async input(osfd: number): Promise<FdInput> {
    let inp = this.shared.inputs.get(osfd);
    if (!inp) {
      inp = new FdInput(this.os, osfd, await this.os.isRegularFile(osfd).catch(() => false));
      this.shared.inputs.set(osfd, inp);
    }
    return inp;
  }

  /** Closes a descriptor of the shell process, dropping any read-ahead (the number is reused). */
  async closeFd(osfd: number): Promise<void> {
    this.shared.inputs.delete(osfd);
    await this.os.close(osfd).catch(() => undefined);
  }

  exportVar(name: string): void {
    const v = this.vars.get(name);
    if (v) v.exported = true;
    else this.vars.set(name, { value: "", exported: true });
  }

  /** The environment children get. */
  environ(extra?: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of this.vars) if (v.exported) env[k] = v.value;
    return { ...env, ...extra };
  }

  special(name: string): string | undefined {
    if (/^\d+$/.test(name)) {
      const n = Number(name);
      return n === 0 ? this.arg0 : this.positional[n - 1];
    }
    switch (name) {
      case "?":
        return String(this.lastStatus);
      case "$":
        return String(this.os.pid);
      case "!":
        return this.lastBgPid === null ? "" : String(this.lastBgPid);
      case "#":
        return String(this.positional.length);
      case "-":
        return this.optionFlags();
      case "@":
        return this.positional.join(" ");
      case "*": {
        const ifs = this.getVar("IFS") ?? " ";
        return this.positional.join(ifs === "" ? "" : ifs[0]);
      }
    }
    return undefined;
  }

  positionalParams(): string[] {
    return this.positional;
  }

  optionFlags(): string {
    let f = "";
    if (this.opts.errexit) f += "e";
    if (this.opts.noglob) f += "f";
    if (this.opts.interactive) f += "i";
    if (this.opts.monitor) f += "m";
    if (this.opts.nounset) f += "u";
    if (this.opts.xtrace) f += "x";
    return f;
  }

  /** $(…): runs `src` in a subshell with stdout on a pipe; trailing newlines are dropped. */
  async commandSubst(src: string): Promise<string> {
    const [rd, wr] = await this.os.pipe();
    const io: Io = new Map([
      [0, 0],
      [1, wr],
      [2, 2],
    ]);
    const reading = (async () => {
      const dec = new TextDecoder();
      let text = "";
      for (;;) {
        const chunk = await this.os.read(rd, 4096);
        if (!chunk || chunk.length === 0) break;
        text += dec.decode(chunk, { stream: true });
      }
      return text + dec.decode();
    })();
    let status: number;
    try {
      status = await this.fork().runSubshell((sub) => sub.runSource(src, io));
    } finally {
      await this.closeFd(wr);
    }
    const text = await reading;
    await this.closeFd(rd);
    this.substStatus = status;
    return text.replace(/\n+$/, "");
  }

  // ---- interrupts ----------------------------------------------------------------------------

  /** SIGINT reached the shell itself: abandon the current command line. */
  interrupt(): void {
    this.shared.interrupted = true;
    for (const w of [...this.shared.interruptWaiters]) w();
  }

  /** Called before each new command line. */
  clearInterrupt(): void {
    this.shared.interrupted = false;
  }

  /** `p`, unless Ctrl-C comes first (then Interrupted is thrown). */
  async interruptible<T>(p: Promise<T>): Promise<T> {
    if (this.shared.interrupted) throw new Interrupted();
    let wake: () => void = () => undefined;
    const cut = new Promise<never>((_, reject) => {
      wake = () => reject(new Interrupted());
    });
    this.shared.interruptWaiters.add(wake);
    try {
      return await Promise.race([p, cut]);
    } finally {
      this.shared.interruptWaiters.delete(wake);
    }
  }

  // ---- output helpers ------------------------------------------------------------------------

  async write(io: Io, fd: number, text: string | Uint8Array): Promise<void> {
    const osfd = io.get(fd);
    if (osfd === undefined) return;
    try {
      await this.os.write(osfd, text);
    } catch {
      // A closed pipe reader (EPIPE) just ends the output, as SIGPIPE would.
    }
  }

  /** `ksh: msg` on the shell-level stderr. */
  async error(io: Io, msg: string): Promise<void> {
    await this.write(io, 2, `${this.progName}: ${msg}\n`);
  }

  // ---- running source --------------------------------------------------------------------

  /**
   * Runs a script line by line (so aliases and functions defined early apply later).
   * A syntax error ends a non-interactive script with status 2, as in ksh.
   */
  async runSource(src: string, io: Io, name?: string): Promise<number> {
    const parser = new Parser(src);
    for (;;) {
      let list: List | null;
      try {
        list = parser.parseLine();
      } catch (e) {
        if (e instanceof ShellSyntaxError) {
          const what = e instanceof IncompleteInput ? "unexpected end of file" : e.detail;
          await this.error(io, `${name ? `${name}: ` : ""}syntax error: line ${e.line}: ${what}`);
          this.lastStatus = 2;
          if (!this.opts.interactive) throw new ExitRequest(2);
          return 2;
        }
        throw e;
      }
      if (!list) return this.lastStatus;
      try {
        await this.runList(list, io);
      } catch (e) {
        // Expansion errors (`${x:?}`, bad arithmetic, set -u) abandon the command line.
        if (!(e instanceof ShellError)) throw e;
        await this.error(io, e.message);
        this.lastStatus = e.status;
        if (e.fatal && !this.opts.interactive) throw new ExitRequest(e.status);
      }
    }
  }

  async runList(list: List, io: Io): Promise<number> {
    let status = this.lastStatus;
    for (const item of list.items) {
      if (item.async) {
        await this.runBackground(item.cmd, io, item.text);
        status = 0;
        this.lastStatus = 0;
        continue;
      }
      status = await this.exec(item.cmd, io);
      this.lastStatus = status;
      if (status !== 0 && this.condDepth === 0 && isErrexitTarget(item.cmd)) {
        // ksh: the ERR trap runs where errexit would fire (with $? the failing status), then -e exits.
        const onErr = this.traps.get("ERR");
        if (onErr && !this.inErrTrap) {
          this.inErrTrap = true;
          try {
            await runTrapAction(this, onErr);
          } finally {
            this.inErrTrap = false;
          }
        }
        if (this.opts.errexit) throw new ExitRequest(status);
      }
    }
    return status;
  }

  private async tick(): Promise<void> {
    if (this.shared.interrupted) throw new Interrupted();
    if (++this.shared.commandsSinceYield >= YIELD_EVERY) {
      this.shared.commandsSinceYield = 0;
      await this.os.yieldNow();
      if (this.shared.interrupted) throw new Interrupted();
    }
  }

  async exec(cmd: Command, io: Io): Promise<number> {
    await this.tick();
    switch (cmd.t) {
      case "simple":
        return this.execSimple(cmd, io);
      case "pipeline":
        return this.execPipeline(cmd.cmds, cmd.bang, io, "");
      case "andor": {
        let status: number;
        this.condDepth++;
        try {
          status = await this.exec(cmd.first, io);
        } finally {
          this.condDepth--;
        }
        for (let i = 0; i < cmd.rest.length; i++) {
          const { op, cmd: next } = cmd.rest[i];
          this.lastStatus = status;
          if ((op === "&&") !== (status === 0)) continue;
          const last = i === cmd.rest.length - 1;
          if (!last) this.condDepth++;
          try {
            status = await this.exec(next, io);
          } finally {
            if (!last) this.condDepth--;
          }
        }
        return status;
      }
      case "list":
        return this.runList(cmd, io);
      case "group":
        return this.withRedirs(cmd.redirs, io, (io2) => this.runList(cmd.body, io2));
      case "subshell":
        // Its own descriptor map: `exec >f` inside must not redirect this shell.
        return this.withRedirs(cmd.redirs, io, (io2) =>
          this.fork().runSubshell((sub) => sub.runList(cmd.body, new Map(io2))),
        );
      case "if":
        return this.withRedirs(cmd.redirs, io, async (io2) => {
          for (const c of cmd.clauses) {
            if ((await this.condition(c.cond, io2)) === 0) return this.runList(c.body, io2);
          }
          return cmd.otherwise ? this.runList(cmd.otherwise, io2) : 0;
        });
      case "loop":
        return this.withRedirs(cmd.redirs, io, (io2) =>
          this.loop(
            async () => {
              const c = await this.condition(cmd.cond, io2);
              return cmd.until ? c !== 0 : c === 0;
            },
            cmd.body,
            io2,
          ),
        );
      case "for":
        return this.withRedirs(cmd.redirs, io, async (io2) => {
          const values = cmd.words ? await expandWords(cmd.words, this) : [...this.positional];
          let i = 0;
          return this.loop(
            async () => {
              if (i >= values.length) return false;
              this.setVar(cmd.name, values[i++]);
              return true;
            },
            cmd.body,
            io2,
          );
        });
      case "case":
        return this.withRedirs(cmd.redirs, io, async (io2) => {
          const word = await expandString(cmd.word, this);
          for (const item of cmd.items) {
            for (const p of item.patterns) {
              if (matchPattern(await expandPattern(p, this), word)) return this.runList(item.body, io2);
            }
          }
          return 0;
        });
      case "func":
        this.functions.set(cmd.name, cmd.body);
        return 0;
      case "arith":
        return this.withRedirs(cmd.redirs, io, async () => {
          const text = await expandString(cmd.expr, this);
          if (this.opts.xtrace) await this.write(io, 2, `+ ((${text}))\n`);
          return evalArith(text, arithVars(this)) !== 0 ? 0 : 1;
        });
      case "cond":
        return this.withRedirs(cmd.redirs, io, () => evalCond(cmd.tokens, this));
    }
  }

  private async condition(list: List, io: Io): Promise<number> {
    this.condDepth++;
    try {
      return await this.runList(list, io);
    } finally {
      this.condDepth--;
    }
  }

  private async loop(next: () => Promise<boolean>, body: List, io: Io): Promise<number> {
    let status = 0;
    this.loopDepth++;
    try {
      while (await next()) {
        try {
          status = await this.runList(body, io);
        } catch (e) {
          if (!(e instanceof LoopControl)) throw e;
          if (e.levels > 1) {
            e.levels--;
            throw e;
          }
          if (e.kind === "break") break;
        }
        await this.tick();
      }
    } finally {
      this.loopDepth--;
    }
    return status;
  }

  /** Runs `fn` as a subshell body: its exit ends only the subshell. */
  async runSubshell(fn: (sub: Shell) => Promise<number>): Promise<number> {
    try {
      return await fn(this);
    } catch (e) {
      if (e instanceof ExitRequest) return e.status;
      if (e instanceof ReturnRequest) return e.status;
      if (e instanceof LoopControl) return this.lastStatus;
      if (e instanceof ShellError) return e.status;
      throw e;
    }
  }

  // ---- redirections -----------------------------------------------------------------------

  private async withRedirs(redirs: Redir[], io: Io, fn: (io: Io) => Promise<number>): Promise<number> {
    if (redirs.length === 0) return fn(io);
    const r = await this.applyRedirs(redirs, io);
    if (!r) return 1;
    try {
      return await fn(r.io);
    } finally {
      await this.closeAll(r.opened);
    }
  }

  /**
   * `exec` without a command: the redirections stay, for the rest of this shell (its descriptor
   * map `io` is changed in place). Descriptors an earlier `exec` opened are closed when replaced.
   */
  private async redirectShell(redirs: Redir[], io: Io): Promise<number> {
    const r = await this.applyRedirs(redirs, io);
    if (!r) return 1;
    const before = new Set(io.values());
    io.clear();
    for (const [k, v] of r.io) io.set(k, v);
    for (const fd of r.opened) this.shared.execOpened.add(fd);
    const inUse = new Set(io.values());
    for (const fd of before) {
      if (!inUse.has(fd) && this.shared.execOpened.delete(fd)) await this.closeFd(fd);
    }
    return 0;
  }

  async closeAll(fds: number[]): Promise<void> {
    for (const fd of fds) await this.closeFd(fd);
  }

  /** A new descriptor map with the redirections applied; null (after an error message) on failure. */
  async applyRedirs(redirs: Redir[], io: Io): Promise<{ io: Io; opened: number[] } | null> {
    const out = new Map(io);
    const opened: number[] = [];
    try {
      for (const r of redirs) {
        const fd = r.fd ?? (r.op.startsWith("<") ? 0 : 1);
        if (r.op === "<<" || r.op === "<<-") {
          const body = r.heredoc ? await expandString(r.heredoc.body, this) : "";
          const [rd, wr] = await this.os.pipe();
          opened.push(rd);
          // The writer runs alongside the reader: a large body would fill the pipe.
          void this.os
            .write(wr, body)
            .catch(() => undefined)
            .finally(() => this.os.close(wr).catch(() => undefined));
          out.set(fd, rd);
          continue;
        }
        const target = await expandString(r.target, this);
        if (r.op === "<&" || r.op === ">&") {
          if (target === "-") {
            out.delete(fd);
            continue;
          }
          if (!/^\d+$/.test(target)) {
            if (r.op === ">&") {
              // `>& file`: stdout and stderr to the file (csh form ksh accepts).
              const f = await this.openFor(target, "w");
              opened.push(f);
              out.set(1, f);
              out.set(2, f);
              continue;
            }
            throw new ShellError(`${target}: bad file descriptor`);
          }
          const src = out.get(Number(target));
          if (src === undefined) throw new ShellError(`${target}: bad file descriptor`);
          out.set(fd, src);
          continue;
        }
        const mode: OpenMode = r.op === "<" ? "r" : r.op === ">>" ? "a" : r.op === "<>" ? "rw" : "w";
        if (r.op === ">" && this.opts.noclobber) {
          const st = await this.os.stat(toAbs(target, this.cwd));
          if (st?.isFile) throw new ShellError(`${target}: file already exists`);
        }
        const f = await this.openFor(target, mode);
        opened.push(f);
        out.set(fd, f);
      }
    } catch (e) {
      await this.closeAll(opened);
      if (e instanceof ShellError) {
        await this.error(io, e.message);
        return null;
      }
      throw e;
    }
    return { io: out, opened };
  }

  private async openFor(target: string, mode: OpenMode): Promise<number> {
    try {
      return await this.os.open(toAbs(target, this.cwd), mode);
    } catch (e) {
      const verb = mode === "r" ? "cannot open" : "cannot create";
      throw new ShellError(`${target}: ${verb} [${describeError(e)}]`);
    }
  }

  // ---- simple commands --------------------------------------------------------------------

  /** Expands alias on the first word (recursively, each alias once). */
  private async commandWords(cmd: SimpleCommand): Promise<string[]> {
    const first = cmd.words[0] ? plainText(cmd.words[0]) : null;
    if (first !== null && this.aliases.has(first)) {
      const seen = new Set<string>();
      let head: string[] = [first];
      while (head.length > 0 && this.aliases.has(head[0]) && !seen.has(head[0])) {
        seen.add(head[0]);
        const value = this.aliases.get(head[0])!;
        const list = new Parser(value).parseAll();
        const c = list.items[0]?.cmd;
        if (list.items.length !== 1 || !c || c.t !== "simple" || c.redirs.length > 0 || c.assigns.length > 0)
          break;
        head = [...(await expandWords(c.words, this)), ...head.slice(1)];
      }
      if (head[0] !== first || head.length !== 1) {
        return [...head, ...(await expandWords(cmd.words.slice(1), this))];
      }
    }
    return expandWords(cmd.words, this);
  }

  private async complexAlias(cmd: SimpleCommand, io: Io): Promise<number | null> {
    const first = cmd.words[0] ? plainText(cmd.words[0]) : null;
    if (first === null || !this.aliases.has(first)) return null;
    const value = this.aliases.get(first)!;
    const list = new Parser(value).parseAll();
    const c = list.items[0]?.cmd;
    if (list.items.length === 1 && c && c.t === "simple" && c.redirs.length === 0 && c.assigns.length === 0)
      return null;
    // An alias with operators (`alias ll='ls -l | more'`): run its text with the arguments appended.
    const args = (await expandWords(cmd.words.slice(1), this)).map(shellQuote).join(" ");
    return this.withRedirs(cmd.redirs, io, (io2) => this.runSource(`${value} ${args}`, io2));
  }

  private async execSimple(cmd: SimpleCommand, io: Io): Promise<number> {
    this.substStatus = null;
    const viaAlias = await this.complexAlias(cmd, io);
    if (viaAlias !== null) return viaAlias;
    const argv = await this.commandWords(cmd);
    const assigns: [string, string][] = [];
    for (const a of cmd.assigns) assigns.push([a.name, await expandString(a.value, this)]);
    if (this.opts.xtrace) {
      const shown = [...assigns.map(([k, v]) => `${k}=${v}`), ...argv].join(" ");
      await this.write(io, 2, `+ ${shown}\n`);
    }
    if (argv.length === 0) {
      for (const [k, v] of assigns) this.setVar(k, v);
      const r = await this.applyRedirs(cmd.redirs, io);
      if (!r) return 1;
      await this.closeAll(r.opened);
      // `x=$(cmd)` keeps cmd's status.
      return this.substStatus ?? 0;
    }
    const name = argv[0];
    if (name === "exec" && argv.length === 1) {
      for (const [k, v] of assigns) this.setVar(k, v);
      return this.redirectShell(cmd.redirs, io);
    }
    const special = SPECIAL_BUILTINS.has(name);
    const fn = special ? undefined : this.functions.get(name);
    const builtin = BUILTINS.get(name);
    if (special || fn || builtin) {
      const saved = special ? [] : assigns.map(([k]) => [k, this.vars.get(k)] as const);
      for (const [k, v] of assigns) this.setVar(k, v);
      try {
        return await this.withRedirs(cmd.redirs, io, async (io2) => {
          if (fn) return this.callFunction(fn, argv, io2);
          return builtin!(this, argv, io2);
        });
      } finally {
        for (const [k, v] of saved) {
          if (v) this.vars.set(k, v);
          else this.vars.delete(k);
        }
      }
    }
    return this.execPipeline([cmd], false, io, "", { argv, assigns });
  }

  async callFunction(body: Command, argv: string[], io: Io): Promise<number> {
    const savedPos = this.positional;
    this.positional = argv.slice(1);
    this.funcDepth++;
    const frame = new Map<string, Var | undefined>();
    this.localFrames.push(frame);
    try {
      return await this.exec(body, io);
    } catch (e) {
      if (e instanceof ReturnRequest) return e.status;
      throw e;
    } finally {
      this.localFrames.pop();
      for (const [k, v] of frame) {
        if (v) this.vars.set(k, v);
        else this.vars.delete(k);
      }
      this.funcDepth--;
      this.positional = savedPos;
    }
  }

  /** Runs argv as an external command (`command`, `exec`), skipping functions and builtins. */
  runArgv(argv: string[], io: Io): Promise<number> {
    const cmd: SimpleCommand = { t: "simple", assigns: [], words: [], redirs: [], line: 0 };
    return this.execPipeline([cmd], false, io, argv.join(" "), { argv, assigns: [] });
  }

  /** PATH search: the absolute path of an executable file, or null. */
  async findCommand(name: string): Promise<string | null> {
    if (name.includes("/")) {
      const p = toAbs(name, this.cwd);
      return (await this.os.stat(p)) ? p : null;
    }
    const path = this.getVar("PATH") ?? "/bin:/usr/bin:/proc/boot";
    for (const dir of path.split(":")) {
      const full = toAbs(`${dir || "."}/${name}`, this.cwd);
      const st = await this.os.stat(full).catch(() => null);
      if (st && !st.isDirectory) return full;
    }
    return null;
  }

  // ---- pipelines and jobs -----------------------------------------------------------------

  /** What a pipeline member is: an external command (expanded already) or shell code. */
  private async classify(
    cmd: Command,
    pre?: { argv: string[]; assigns: [string, string][] },
  ): Promise<{ argv: string[]; assigns: [string, string][]; redirs: Redir[] } | null> {
    if (cmd.t !== "simple") return null;
    if (pre) return { ...pre, redirs: cmd.redirs };
    if (cmd.words.length === 0) return null;
    const first = plainText(cmd.words[0]);
    if (first !== null && (this.aliases.has(first) || this.functions.has(first) || BUILTINS.has(first)))
      return null;
    const argv = await this.commandWords(cmd);
    if (argv.length === 0 || this.functions.has(argv[0]) || BUILTINS.has(argv[0])) return null;
    const assigns: [string, string][] = [];
    for (const a of cmd.assigns) assigns.push([a.name, await expandString(a.value, this)]);
    if (this.opts.xtrace) await this.write(new Map([[2, 2]]), 2, `+ ${argv.join(" ")}\n`);
    return { argv, assigns, redirs: cmd.redirs };
  }

  /** Starts an external command; returns its process or an exit status when it cannot start. */
  private async spawn(
    ext: { argv: string[]; assigns: [string, string][]; redirs: Redir[] },
    io: Io,
    pgid: number | "new" | undefined,
  ): Promise<JobProc | number> {
    const r = await this.applyRedirs(ext.redirs, io);
    if (!r) return 1;
    try {
      const name = ext.argv[0];
      const path = (await this.findCommand(name)) ?? name;
      const env = this.environ(Object.fromEntries(ext.assigns));
      // The child shares our open files: give back what `read` took ahead, so in
      // `{ read a; cat; } < f` cat starts at the second line (ksh and bash lseek back too).
      for (const inp of this.shared.inputs.values()) await inp.giveBack();
      try {
        const proc = await this.os.exec(path, ext.argv, { fds: new Map(r.io), env, cwd: this.cwd, pgid });
        return { pid: proc.pid, proc, status: null, stopped: false };
      } catch (e) {
        const errno = (e as { errno?: string }).errno;
        if (errno === "ENOENT" || errno === undefined) {
          await this.error(io, `${name}: not found`);
          return 127;
        }
        await this.error(io, `${name}: cannot execute - ${describeError(e)}`);
        return 126;
      }
    } finally {
      await this.closeAll(r.opened);
    }
  }

  /**
   * Starts every member of a pipeline, connected by pipes. Returns the job (not yet in the
   * table) whose members settle as the processes and in-shell parts end.
   */
  private async startPipeline(
    cmds: Command[],
    io: Io,
    text: string,
    background: boolean,
    pre?: { argv: string[]; assigns: [string, string][] },
  ): Promise<Job> {
    const procs: JobProc[] = [];
    const internal: { entry: JobProc; run: () => Promise<number> }[] = [];
    let pgid: number | null = null;
    let prevRead: number | null = null;
    const useGroups = this.opts.monitor;
    for (let i = 0; i < cmds.length; i++) {
      const last = i === cmds.length - 1;
      let pipeR: number | null = null;
      let pipeW: number | null = null;
      if (!last) [pipeR, pipeW] = await this.os.pipe();
      const memberIo = new Map(io);
      if (prevRead !== null) memberIo.set(0, prevRead);
      if (pipeW !== null) memberIo.set(1, pipeW);
      const ext = await this.classify(cmds[i], i === 0 ? pre : undefined);
      const mine = [prevRead, pipeW].filter((f): f is number => f !== null);
      if (ext) {
        const r = await this.spawn(ext, memberIo, useGroups ? (pgid ?? "new") : undefined);
        await this.closeAll(mine);
        if (typeof r === "number") procs.push({ pid: 0, proc: null, status: r, stopped: false });
        else {
          if (pgid === null) pgid = r.pid;
          procs.push(r);
        }
      } else {
        const entry: JobProc = { pid: 0, proc: null, status: null, stopped: false };
        procs.push(entry);
        const member = cmds[i];
        // ksh runs the last member in the current shell unless the job is in the background.
        const sh = last && !background ? this : this.fork();
        internal.push({
          entry,
          run: async () => {
            try {
              return sh === this
                ? await this.exec(member, memberIo)
                : await sh.runSubshell((s) => s.exec(member, memberIo));
            } finally {
              await this.closeAll(mine);
            }
          },
        });
      }
      prevRead = pipeR;
    }
    const job = new Job(0, pgid, procs, text);
    for (const p of procs) job.watch(p);
    for (const { entry, run } of internal) {
      const done = run().then(
        (status) => {
          entry.status = status;
          job.changed();
          return status;
        },
        (e: unknown) => {
          entry.status = 1;
          job.changed();
          throw e;
        },
      );
      // Rejections surface in waitForeground; a background job's are dropped.
      done.catch(() => undefined);
      job.internal.push(done);
    }
    return job;
  }

  async execPipeline(
    cmds: Command[],
    bang: boolean,
    io: Io,
    text: string,
    pre?: { argv: string[]; assigns: [string, string][] },
  ): Promise<number> {
    if (bang) this.condDepth++;
    try {
      const job = await this.startPipeline(
        cmds,
        io,
        text || this.describeCommands(cmds, pre?.argv),
        false,
        pre,
      );
      const status = await this.waitForeground(job, io);
      return bang ? (status === 0 ? 1 : 0) : status;
    } finally {
      if (bang) this.condDepth--;
    }
  }

  private describeCommands(cmds: Command[], argv?: string[]): string {
    if (argv) return argv.join(" ");
    return cmds
      .map((c) => (c.t === "simple" ? c.words.map((w) => plainText(w) ?? "…").join(" ") : c.t))
      .join(" | ");
  }

  /** Gives the terminal to the job, waits until it ends or stops, takes the terminal back. */
  async waitForeground(job: Job, io: Io): Promise<number> {
    const tty = this.opts.monitor ? this.os.tty : undefined;
    if (tty && job.pgid !== null) await tty.setForegroundPgid(job.pgid).catch(() => undefined);
    try {
      await job.settle();
      // In-shell members must finish too (their errors surface here).
      if (job.state === "done") await Promise.all(job.internal);
    } finally {
      if (tty && job.pgid !== null) await tty.setForegroundPgid(this.os.pgid).catch(() => undefined);
    }
    if (job.state === "stopped") {
      if (!this.jobs.jobs.includes(job)) this.jobs.adopt(job);
      await this.write(io, 2, `\n${this.jobs.format(job)}\n`);
      return STOPPED_STATUS;
    }
    this.jobs.remove(job);
    const status = job.status;
    if (status === SIGINT_STATUS && this.opts.interactive) {
      await this.write(io, 2, "\n");
      this.shared.interrupted = true;
    }
    return status;
  }

  private async runBackground(cmd: Command, io: Io, text: string): Promise<void> {
    const cmds = cmd.t === "pipeline" && !cmd.bang ? cmd.cmds : [cmd];
    const job = this.jobs.adopt(await this.startPipeline(cmds, io, text, true));
    this.lastBgPid = job.lastPid || this.os.pid;
    if (this.opts.interactive) await this.write(io, 2, `[${job.id}] ${this.lastBgPid}\n`);
  }
}

export { shellQuote } from "./quote.ts";

function isErrexitTarget(cmd: Command): boolean {
  return cmd.t !== "andor" && !(cmd.t === "pipeline" && cmd.bang);
}
