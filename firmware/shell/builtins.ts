// The builtin table and the builtins that manage the shell itself (cd, set, export, read …).
// Job-control builtins live in builtins-jobs.ts.
import type { Builtin } from "./builtin-types.ts";
import { err, out } from "./builtin-types.ts";
import { bgBuiltin, fgBuiltin, jobsBuiltin, killBuiltin, waitBuiltin } from "./builtins-jobs.ts";
import { getoptsBuiltin, localBuiltin, typesetBuiltin } from "./builtins-vars.ts";
import { evalArith } from "./arith.ts";
import { ExitRequest, LoopControl, ReturnRequest, ShellError } from "./errors.ts";
import { normalizePath, toAbs } from "./glob.ts";
import type { Io, Shell } from "./interp.ts";
import { shellQuote } from "./interp.ts";
import { isName } from "./lexer.ts";
import { ESCAPES, printfFormat } from "./printf.ts";
import { evalTest } from "./test-builtin.ts";
import { installTrap, TRAPPABLE } from "./traps.ts";
import { signalName } from "./signals.ts";

const KEYWORDS = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "case",
  "esac",
  "for",
  "while",
  "until",
  "do",
  "done",
  "function",
  "{",
  "}",
  "!",
  "in",
]);

/** Echo's escapes (ksh's echo interprets them by default); `\c` ends the output. */
function echoEscapes(s: string): { text: string; stop: boolean } {
  let text = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\" || i + 1 >= s.length) {
      text += c;
      continue;
    }
    const n = s[++i];
    if (n === "c") return { text, stop: true };
    if (n in ESCAPES) text += ESCAPES[n];
    else if (n === "0") {
      let j = i + 1;
      while (j < s.length && j < i + 4 && s[j] >= "0" && s[j] <= "7") j++;
      text += String.fromCharCode(parseInt(s.slice(i + 1, j) || "0", 8));
      i = j - 1;
    } else text += "\\" + n;
  }
  return { text, stop: false };
}

const echo: Builtin = async (sh, argv, io) => {
  let i = 1;
  let newline = true;
  let escapes = true;
  for (; i < argv.length && /^-[neE]+$/.test(argv[i]); i++) {
    for (const f of argv[i].slice(1)) {
      if (f === "n") newline = false;
      else if (f === "e") escapes = true;
      else escapes = false;
    }
  }
  let text = argv.slice(i).join(" ");
  let stop = false;
  if (escapes) ({ text, stop } = echoEscapes(text));
  await out(sh, io, text + (newline && !stop ? "\n" : ""));
  return 0;
};

async function changeDir(sh: Shell, io: Io, target: string, print: boolean): Promise<number> {
  const abs = normalizePath(toAbs(target, sh.cwd));
  const st = await sh.os.stat(abs).catch(() => null);
  if (!st) return err(sh, io, "cd", `${target} - No such file or directory`);
  if (!st.isDirectory) return err(sh, io, "cd", `${target} - Not a directory`);
  sh.setVar("OLDPWD", sh.cwd);
  sh.cwd = abs;
  sh.setVar("PWD", abs);
  if (!sh.isSubshell) sh.os.chdir(abs);
  if (print) await out(sh, io, abs + "\n");
  return 0;
}

const cd: Builtin = async (sh, argv, io) => {
  const args = argv.slice(1).filter((a) => a !== "-L" && a !== "-P");
  if (args.length > 1) return err(sh, io, "cd", "too many arguments");
  let target = args[0];
  if (target === undefined) {
    target = sh.getVar("HOME") ?? "";
    if (!target) return err(sh, io, "cd", "no home directory (HOME not set)");
  }
  if (target === "-") {
    const old = sh.getVar("OLDPWD");
    if (!old) return err(sh, io, "cd", "no OLDPWD");
    return changeDir(sh, io, old, true);
  }
  const cdpath = sh.getVar("CDPATH");
  if (cdpath && !target.startsWith("/") && !/^\.\.?(\/|$)/.test(target)) {
    for (const dir of cdpath.split(":")) {
      if (!dir) continue;
      const cand = normalizePath(toAbs(`${dir}/${target}`, sh.cwd));
      const st = await sh.os.stat(cand).catch(() => null);
      if (st?.isDirectory) return changeDir(sh, io, cand, true);
    }
  }
  return changeDir(sh, io, target, false);
};

const pwd: Builtin = async (sh, _argv, io) => {
  await out(sh, io, sh.cwd + "\n");
  return 0;
};

const exportBuiltin: Builtin = async (sh, argv, io) => {
  const args = argv.slice(1).filter((a) => a !== "-p");
  if (args.length === 0) {
    const names = [...sh.vars.entries()].filter(([, v]) => v.exported).map(([k]) => k);
    let text = "";
    for (const k of names.sort()) text += `export ${k}=${shellQuote(sh.vars.get(k)!.value)}\n`;
    await out(sh, io, text);
    return 0;
  }
  let status = 0;
  for (const a of args) {
    const eq = a.indexOf("=");
    const name = eq < 0 ? a : a.slice(0, eq);
    if (!isName(name)) {
      status = await err(sh, io, "export", `${name}: is not an identifier`);
      continue;
    }
    if (eq >= 0) sh.setVar(name, a.slice(eq + 1), true);
    else sh.exportVar(name);
  }
  return status;
};

const readonlyBuiltin: Builtin = async (sh, argv, io) => {
  for (const a of argv.slice(1)) {
    const eq = a.indexOf("=");
    if (eq >= 0) sh.setVar(a.slice(0, eq), a.slice(eq + 1));
  }
  if (argv.length === 1) await out(sh, io, "");
  return 0;
};

const unset: Builtin = async (sh, argv) => {
  let funcs = false;
  for (const a of argv.slice(1)) {
    if (a === "-f") funcs = true;
    else if (a === "-v") funcs = false;
    else if (funcs) sh.functions.delete(a);
    else sh.unsetVar(a);
  }
  return 0;
};

const OPTION_LETTERS: Record<string, keyof Shell["opts"]> = {
  e: "errexit",
  x: "xtrace",
  u: "nounset",
  f: "noglob",
  C: "noclobber",
  m: "monitor",
};
const OPTION_NAMES: Record<string, keyof Shell["opts"]> = {
  errexit: "errexit",
  xtrace: "xtrace",
  nounset: "nounset",
  noglob: "noglob",
  noclobber: "noclobber",
  monitor: "monitor",
};

const set: Builtin = async (sh, argv, io) => {
  if (argv.length === 1) {
    let text = "";
    for (const k of [...sh.vars.keys()].sort()) text += `${k}=${shellQuote(sh.vars.get(k)!.value)}\n`;
    await out(sh, io, text);
    return 0;
  }
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      sh.positional = argv.slice(i + 1);
      return 0;
    }
    if (a === "-o" || a === "+o") {
      const name = argv[i + 1];
      if (name === undefined) {
        // `set -o` lists states; `set +o` prints commands that restore them.
        let text = "";
        for (const [n, k] of Object.entries(OPTION_NAMES))
          text +=
            a === "-o"
              ? `${n.padEnd(16)}${sh.opts[k] ? "on" : "off"}\n`
              : `set ${sh.opts[k] ? "-" : "+"}o ${n}\n`;
        await out(sh, io, text);
        return 0;
      }
      const opt = OPTION_NAMES[name];
      if (!opt) return err(sh, io, "set", `${name}: bad option`);
      sh.opts[opt] = a === "-o";
      i++;
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(a)) {
      for (const letter of a.slice(1)) {
        const opt = OPTION_LETTERS[letter];
        if (!opt) return err(sh, io, "set", `-${letter}: bad option`);
        sh.opts[opt] = a[0] === "-";
      }
      continue;
    }
    sh.positional = argv.slice(i);
    return 0;
  }
  return 0;
};

const shift: Builtin = async (sh, argv, io) => {
  const n = argv[1] === undefined ? 1 : Number(argv[1]);
  if (!Number.isInteger(n) || n < 0) return err(sh, io, "shift", `${argv[1]}: bad number`);
  if (n > sh.positional.length) return err(sh, io, "shift", "nothing to shift");
  sh.positional = sh.positional.slice(n);
  return 0;
};

const exit: Builtin = async (sh, argv) => {
  const n = argv[1] === undefined ? sh.lastStatus : Number(argv[1]);
  throw new ExitRequest(Number.isFinite(n) ? n & 255 : 1);
};

const returnBuiltin: Builtin = async (sh, argv, io) => {
  if (sh.funcDepth === 0 && !sh.sourcing)
    return err(sh, io, "return", "can only `return' from a function or sourced script");
  const n = argv[1] === undefined ? sh.lastStatus : Number(argv[1]);
  throw new ReturnRequest(Number.isFinite(n) ? n & 255 : 1);
};

function loopControl(kind: "break" | "continue"): Builtin {
  return async (sh, argv, io) => {
    const n = argv[1] === undefined ? 1 : Number(argv[1]);
    if (!Number.isInteger(n) || n < 1) return err(sh, io, kind, `${argv[1]}: bad number`);
    if (sh.loopDepth === 0) return err(sh, io, kind, "cannot " + kind);
    throw new LoopControl(kind, Math.min(n, sh.loopDepth));
  };
}

const historyBuiltin: Builtin = async (sh, _argv, io) => {
  const h = sh.shared.history;
  if (!h) return 0;
  let text = "";
  for (const { n, line } of h.list()) text += `${String(n).padEnd(8)}${line}\n`;
  await out(sh, io, text);
  return 0;
};

const alias: Builtin = async (sh, argv, io) => {
  const args = argv.slice(1);
  if (args.length === 0) {
    let text = "";
    for (const k of [...sh.aliases.keys()].sort()) text += `${k}=${shellQuote(sh.aliases.get(k)!)}\n`;
    await out(sh, io, text);
    return 0;
  }
  let status = 0;
  for (const a of args) {
    const eq = a.indexOf("=");
    if (eq > 0) sh.aliases.set(a.slice(0, eq), a.slice(eq + 1));
    else if (sh.aliases.has(a)) await out(sh, io, `${a}=${shellQuote(sh.aliases.get(a)!)}\n`);
    else status = await err(sh, io, "alias", `${a}: not found`);
  }
  return status;
};

const unalias: Builtin = async (sh, argv, io) => {
  let status = 0;
  for (const a of argv.slice(1)) {
    if (a === "-a") sh.aliases.clear();
    else if (!sh.aliases.delete(a)) status = await err(sh, io, "unalias", `${a}: not found`);
  }
  return status;
};

/** What a name means to the shell, as `type` and `command -v` describe it. */
export async function describeName(sh: Shell, name: string): Promise<{ kind: string; text: string } | null> {
  if (sh.aliases.has(name))
    return { kind: "alias", text: `${name} is an alias for ${shellQuote(sh.aliases.get(name)!)}` };
  if (KEYWORDS.has(name)) return { kind: "keyword", text: `${name} is a reserved word` };
  if (sh.functions.has(name)) return { kind: "function", text: `${name} is a function` };
  if (SPECIAL_BUILTINS.has(name)) return { kind: "builtin", text: `${name} is a special shell builtin` };
  if (BUILTINS.has(name)) return { kind: "builtin", text: `${name} is a shell builtin` };
  const path = await sh.findCommand(name);
  if (path) return { kind: "file", text: `${name} is ${path}` };
  return null;
}

const type: Builtin = async (sh, argv, io) => {
  let status = 0;
  for (const name of argv.slice(1)) {
    const d = await describeName(sh, name);
    if (d) await out(sh, io, d.text + "\n");
    else status = await err(sh, io, "type", `${name}: not found`);
  }
  return status;
};

const command: Builtin = async (sh, argv, io) => {
  if (argv[1] === "-v" || argv[1] === "-V") {
    let status = 0;
    for (const name of argv.slice(2)) {
      const d = await describeName(sh, name);
      if (!d) status = 1;
      else if (argv[1] === "-V") await out(sh, io, d.text + "\n");
      else if (d.kind === "file") await out(sh, io, (await sh.findCommand(name)) + "\n");
      else await out(sh, io, name + "\n");
    }
    return status;
  }
  const args = argv.slice(1);
  if (args.length === 0) return 0;
  const b = BUILTINS.get(args[0]);
  if (b) return b(sh, args, io);
  return sh.runArgv(args, io);
};

const readBuiltin: Builtin = async (sh, argv, io) => {
  let raw = false;
  let shellFd = 0;
  let i = 1;
  for (; i < argv.length && argv[i].startsWith("-"); i++) {
    const a = argv[i];
    if (a === "--") {
      i++;
      break;
    }
    const m = /^-(r*)(?:u(\d*))?$/.exec(a);
    if (!m) return err(sh, io, "read", `${a}: unknown option`, 2);
    if (m[1]) raw = true;
    if (m[2] !== undefined) {
      const n = m[2] || argv[++i];
      if (n === undefined || !/^\d+$/.test(n)) return err(sh, io, "read", "-u: argument expected", 2);
      shellFd = Number(n);
    }
  }
  const names = argv.slice(i);
  if (names.length > 0 && names[0].includes("?")) {
    const [n, prompt] = [names[0].slice(0, names[0].indexOf("?")), names[0].slice(names[0].indexOf("?") + 1)];
    names[0] = n;
    if (sh.os.isatty(io.get(0) ?? -1)) await sh.write(io, 2, prompt);
  }
  if (names.length === 0) names.push("REPLY");
  const fd = io.get(shellFd);
  if (fd === undefined) return err(sh, io, "read", `${shellFd}: bad file descriptor`);
  const input = await sh.input(fd);
  const wrap = <T>(p: Promise<T>): Promise<T> => sh.interruptible(p);
  let line = "";
  let eof = false;
  for (;;) {
    const r = await input.readLine(wrap);
    if (!r) {
      eof = true;
      break;
    }
    line += r.line;
    if (!r.complete) {
      eof = true;
      break;
    }
    // Without -r a backslash-newline continues the line.
    if (!raw && /(^|[^\\])(\\\\)*\\$/.test(r.line)) {
      line = line.slice(0, -1);
      continue;
    }
    break;
  }
  if (eof && line === "") {
    for (const n of names) sh.setVar(n, "");
    return 1;
  }
  if (!raw) line = line.replace(/\\(.)/g, "$1");
  const ifs = sh.getVar("IFS") ?? " \t\n";
  const white = [...ifs].filter((c) => " \t\n".includes(c)).join("");
  const trimRe = white ? new RegExp(`^[${escapeClass(white)}]+|[${escapeClass(white)}]+$`, "g") : null;
  let rest = trimRe ? line.replace(trimRe, "") : line;
  for (let k = 0; k < names.length; k++) {
    if (k === names.length - 1 || ifs === "") {
      sh.setVar(names[k], rest);
      rest = "";
      continue;
    }
    let j = 0;
    while (j < rest.length && !ifs.includes(rest[j])) j++;
    sh.setVar(names[k], rest.slice(0, j));
    rest = rest.slice(j);
    if (white) rest = rest.replace(new RegExp(`^[${escapeClass(white)}]+`), "");
    if (rest && ifs.includes(rest[0]) && !white.includes(rest[0])) rest = rest.slice(1);
    if (white) rest = rest.replace(new RegExp(`^[${escapeClass(white)}]+`), "");
  }
  return eof ? 1 : 0;
};

function escapeClass(s: string): string {
  return s
    .replace(/[\\\]^-]/g, (c) => "\\" + c)
    .replace(/\t/g, "\\t")
    .replace(/\n/g, "\\n");
}

const testBuiltin: Builtin = async (sh, argv, io) => {
  let args = argv.slice(1);
  if (argv[0] === "[") {
    if (args[args.length - 1] !== "]") return err(sh, io, "[", "missing ]", 2);
    args = args.slice(0, -1);
  }
  try {
    return await evalTest(args, sh.os, sh.cwd);
  } catch (e) {
    return err(sh, io, argv[0], String(e instanceof Error ? e.message : e), 2);
  }
};

const evalBuiltin: Builtin = async (sh, argv, io) => {
  const src = argv.slice(1).join(" ");
  if (!src.trim()) return 0;
  return sh.runSource(src, io);
};

const dot: Builtin = async (sh, argv, io) => {
  const file = argv[1];
  if (file === undefined) return err(sh, io, argv[0], "filename argument required", 2);
  let path: string | null = null;
  if (file.includes("/")) path = toAbs(file, sh.cwd);
  else {
    path = await sh.findCommand(file);
    if (!path && (await sh.os.stat(toAbs(file, sh.cwd)))) path = toAbs(file, sh.cwd);
  }
  let src: string;
  try {
    if (!path) throw new Error("not found");
    src = await sh.os.readFile(path);
  } catch {
    return err(sh, io, argv[0], `${file}: not found`);
  }
  const savedPos = sh.positional;
  if (argv.length > 2) sh.positional = argv.slice(2);
  sh.sourcing++;
  try {
    return await sh.runSource(src, io, file);
  } catch (e) {
    if (e instanceof ReturnRequest) return e.status;
    throw e;
  } finally {
    sh.sourcing--;
    if (argv.length > 2) sh.positional = savedPos;
  }
};

const execBuiltin: Builtin = async (sh, argv, io) => {
  if (argv.length === 1) return 0;
  const status = await sh.runArgv(argv.slice(1), io);
  throw new ExitRequest(status);
};

const letBuiltin: Builtin = async (sh, argv) => {
  let v = 0;
  for (const e of argv.slice(1))
    v = evalArith(e, { get: (n) => sh.getVar(n), set: (n, x) => sh.setVar(n, x) });
  return v === 0 ? 1 : 0;
};

const trap: Builtin = async (sh, argv, io) => {
  if (argv.length === 1) {
    let text = "";
    for (const [sig, action] of sh.traps) text += `trap -- ${shellQuote(action)} ${sig}\n`;
    await out(sh, io, text);
    return 0;
  }
  // `trap n …` with a number first resets those signals, as `trap - …` does.
  const reset = argv[1] === "-" || /^\d+$/.test(argv[1]);
  const action = argv[1];
  let status = 0;
  for (const raw of argv.slice(reset && argv[1] !== "-" ? 1 : 2)) {
    let sig = raw.toUpperCase().replace(/^SIG/, "");
    if (sig === "0") sig = "EXIT";
    if (/^\d+$/.test(sig)) sig = signalName(sig)?.slice(3) ?? sig;
    if (sig !== "EXIT" && !TRAPPABLE.has(sig) && sig !== "ERR") {
      status = await err(sh, io, "trap", `${raw}: bad trap`);
      continue;
    }
    if (reset) sh.traps.delete(sig);
    else sh.traps.set(sig, action);
    installTrap(sh, sig);
  }
  return status;
};

const printf: Builtin = async (sh, argv, io) => {
  if (argv.length < 2) return err(sh, io, "printf", "usage: printf format [arguments]", 2);
  try {
    await out(sh, io, printfFormat(argv[1], argv.slice(2)));
    return 0;
  } catch (e) {
    if (e instanceof ShellError) return err(sh, io, "printf", e.message);
    throw e;
  }
};

const HELP: [string, string][] = [
  [". file [args]", "run a script in this shell"],
  ["alias [name[=value] ...]", "define or list aliases"],
  ["bg [%job ...]", "continue stopped jobs in the background"],
  ["break [n] / continue [n]", "leave / restart enclosing loops"],
  ["cd [-|dir]", "change the working directory (HOME, OLDPWD, CDPATH)"],
  ["command [-v|-V] name [args]", "run or describe a command, ignoring functions"],
  ["echo [-neE] [arg ...]", "print arguments"],
  ["eval [arg ...]", "run the arguments as a command"],
  ["exec [command [args]] [redirs]", "replace the shell with a command, or redirect the shell"],
  ["getopts optstring name [args]", "parse options (OPTIND, OPTARG)"],
  ["exit [n]", "leave the shell"],
  ["export [name[=value] ...]", "give variables to child processes"],
  ["false / true / :", "fail / succeed"],
  ["fg [%job]", "bring a job to the foreground"],
  ["help", "this list"],
  ["history", "list the command history"],
  ["jobs [-l|-p]", "list jobs"],
  ["kill [-sig] pid|%job ... / kill -l", "send a signal / list signals"],
  ["let expr ... / (( expr ))", "arithmetic"],
  ["local / typeset [-xilu] name[=v]", "variables (local inside a function)"],
  ["printf format [args]", "formatted output"],
  ["pwd", "print the working directory"],
  ["read [-r] [name?prompt] [name ...]", "read a line into variables"],
  ["return [n]", "return from a function or sourced script"],
  ["set [-efmuxC] [-o opt] [-- args]", "options and positional parameters"],
  ["shift [n]", "shift positional parameters"],
  ["test expr / [ expr ]", "file, string and number tests"],
  ["trap [action sig ...]", "set signal actions (minimal)"],
  ["type name ...", "how a name would be interpreted"],
  ["unalias [-a] name ...", "remove aliases"],
  ["unset [-f|-v] name ...", "remove variables or functions"],
  ["wait [%job|pid ...]", "wait for background jobs"],
];

const help: Builtin = async (sh, _argv, io) => {
  let text = "ksh builtins:\n";
  for (const [cmd, what] of HELP) text += `  ${cmd.padEnd(36)}${what}\n`;
  await out(sh, io, text);
  return 0;
};

/** Builtins whose variable assignments persist and that functions cannot override (POSIX). */
export const SPECIAL_BUILTINS = new Set([
  ":",
  ".",
  "break",
  "continue",
  "eval",
  "exec",
  "exit",
  "export",
  "readonly",
  "return",
  "set",
  "shift",
  "trap",
  "unset",
]);

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  [":", async () => 0],
  ["true", async () => 0],
  ["false", async () => 1],
  ["echo", echo],
  ["cd", cd],
  ["pwd", pwd],
  ["export", exportBuiltin],
  ["readonly", readonlyBuiltin],
  ["unset", unset],
  ["set", set],
  ["shift", shift],
  ["exit", exit],
  ["return", returnBuiltin],
  ["break", loopControl("break")],
  ["continue", loopControl("continue")],
  ["history", historyBuiltin],
  ["alias", alias],
  ["unalias", unalias],
  ["type", type],
  ["whence", type],
  ["command", command],
  ["read", readBuiltin],
  ["test", testBuiltin],
  ["[", testBuiltin],
  ["eval", evalBuiltin],
  [".", dot],
  ["source", dot],
  ["exec", execBuiltin],
  ["let", letBuiltin],
  ["trap", trap],
  ["printf", printf],
  ["help", help],
  ["jobs", jobsBuiltin],
  ["fg", fgBuiltin],
  ["bg", bgBuiltin],
  ["kill", killBuiltin],
  ["wait", waitBuiltin],
  ["typeset", typesetBuiltin],
  ["local", localBuiltin],
  ["getopts", getoptsBuiltin],
]);
