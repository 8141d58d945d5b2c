// Runs an image's startup script with QNX semantics: a foreground command blocks the script
// until it exits (or detaches, as drivers do once they are ready); `&` does not wait;
// `VAR=val` lines set the environment of later commands; a command that cannot start prints
// `Unable to start "cmd" (reason)` and the script goes on; the built-ins display_msg,
// waitfor, reopen and procmgr_symlink; the modifiers pri=, argv0= and +session.
// The system is reached through the small ScriptRuntime interface, so this file is tested
// with fakes and a manual clock.
import type { ImageScriptLine } from "../../images/image/format.ts";
import { KernelError, strerror } from "../kernel/errno.ts";
import type { Process } from "../kernel/process.ts";
import { BUILTIN_PROGRAMS } from "../bin/index.ts";

/** What to add to the buildfile for a program the image lacks. */
export function missingProgramHint(name: string): string {
  const base = name.split("/").pop() ?? name;
  return Object.hasOwn(BUILTIN_PROGRAMS, base)
    ? `  add it to the buildfile: [type=builtin] ${base}\n`
    : `  add it to the buildfile: ${base}=path/on/host (or /proc/boot/${base} = ${base}.ts for your own program)\n`;
}

/** The console shell cannot talk to anyone until something reopened stdio onto a terminal. */
export function noConsoleHint(name: string): string {
  return (
    `[+session] ${name} has no console: nothing reopened the script's stdio onto a terminal\n` +
    `  add before it in the startup script: devc-ser -t terminal &, waitfor /dev/ser1, reopen /dev/ser1\n`
  );
}

export interface ScriptExecOptions {
  env: Record<string, string>;
  priority?: number;
  argv0?: string;
  /** +session: the command leads a new session and process group, and gets the console. */
  session: boolean;
}

export interface ScriptRuntime {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Text for the console (the script's stdout, or stderr for errors). */
  write(fd: 1 | 2, text: string): Promise<void>;
  /** Throws a KernelError when the path does not exist (yet). */
  stat(path: string): Promise<void>;
  /** Opens `path` read-write and makes it the script's (and later commands') fds 0, 1 and 2. */
  reopen(path: string): Promise<void>;
  symlink(target: string, path: string): void;
  /** Starts a program (argv[0] is searched on env.PATH). */
  exec(argv: readonly string[], opts: ScriptExecOptions): Promise<Process>;
}

export interface ScriptResult {
  /** Every process the script started, in order. */
  started: Process[];
  /** The last +session command (the console shell), if any. */
  sessionLeader: Process | null;
}

export const WAITFOR_POLL_MS = 100;
export const WAITFOR_DEFAULT_S = 5;

function reason(e: unknown): string {
  if (e instanceof KernelError) return strerror(e.errno);
  return e instanceof Error ? e.message : String(e);
}

/** Polls `path` every 100 ms until it exists or `seconds` pass; returns the last error or null. */
export async function waitForPath(rt: ScriptRuntime, path: string, seconds: number): Promise<unknown> {
  const deadline = rt.now() + seconds * 1000;
  for (;;) {
    try {
      await rt.stat(path);
      return null;
    } catch (e) {
      if (rt.now() >= deadline) return e;
    }
    await rt.sleep(Math.min(WAITFOR_POLL_MS, Math.max(1, deadline - rt.now())));
  }
}

function parseSeconds(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** Waits for a foreground command: it exits, or detaches (procmgr_daemon) once it is ready. */
async function waitForeground(p: Process): Promise<void> {
  for (;;) {
    if (p.detached || p.exited) return;
    const ev = await p.waitChange();
    if (ev === "exited" || ev === "detached") return;
  }
}

/** Runs a script built-in; true when a `reopen` gave the script a terminal. */
async function runBuiltin(rt: ScriptRuntime, argv: readonly string[]): Promise<boolean | void> {
  const [name, ...args] = argv;
  switch (name) {
    case "display_msg":
      await rt.write(1, args.join(" ") + "\n");
      return;
    case "waitfor": {
      if (args.length === 0) return;
      const err = await waitForPath(rt, args[0], parseSeconds(args[1], WAITFOR_DEFAULT_S));
      if (err) await rt.write(2, `Unable to access "${args[0]}" (${reason(err)})\n`);
      return;
    }
    case "reopen": {
      const path = args[0] ?? "/dev/console";
      const err = await waitForPath(rt, path, parseSeconds(args[1], WAITFOR_DEFAULT_S));
      try {
        if (err) throw err;
        await rt.reopen(path);
        return true;
      } catch (e) {
        await rt.write(2, `Unable to access "${path}" (${reason(e)})\n`);
      }
      return;
    }
    case "procmgr_symlink":
      try {
        if (args.length !== 2) throw new KernelError("EINVAL");
        rt.symlink(args[0], args[1]);
      } catch (e) {
        await rt.write(2, `procmgr_symlink: ${args.join(" ")}: ${reason(e)}\n`);
      }
      return;
    default:
      await rt.write(2, `Unable to start "${name}" (${strerror("ENOSYS")})\n`);
  }
}

/** Runs every line in order. Never throws: problems are printed and the script goes on. */
export async function runStartupScript(
  rt: ScriptRuntime,
  lines: readonly ImageScriptLine[],
  baseEnv: Record<string, string>,
): Promise<ScriptResult> {
  const env: Record<string, string> = { ...baseEnv };
  const result: ScriptResult = { started: [], sessionLeader: null };
  let reopened = false;
  for (const line of lines) {
    if (line.kind === "env") {
      for (const [k, v] of line.env) env[k] = v;
      continue;
    }
    if (line.argv.length === 0) continue;
    try {
      if (line.kind === "builtin") {
        if ((await runBuiltin(rt, line.argv)) === true) reopened = true;
        continue;
      }
      if (line.session && !reopened) await rt.write(2, noConsoleHint(line.argv[0]));
      let p: Process;
      try {
        p = await rt.exec(line.argv, {
          env: { ...env, ...Object.fromEntries(line.env) },
          priority: line.priority,
          argv0: line.argv0,
          session: line.session,
        });
      } catch (e) {
        await rt.write(2, `Unable to start "${line.argv[0]}" (${reason(e)})\n`);
        if (KernelError.from(e).errno === "ENOENT") await rt.write(2, missingProgramHint(line.argv[0]));
        continue;
      }
      result.started.push(p);
      if (line.session) result.sessionLeader = p;
      if (!line.background) await waitForeground(p);
    } catch (e) {
      // Writing to a console that went away must not stop the boot.
      void e;
    }
  }
  return result;
}
