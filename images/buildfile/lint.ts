// `netrino lint`: every problem of a buildfile in one run — syntax, attributes, host files,
// duplicate targets, io-pkt module options, `${VAR}`, the board — plus warnings for likely
// mistakes in the startup script (a waitfor nothing satisfies, unreachable lines, programs
// missing from the image). `netrino build` runs the same analysis and refuses on errors.
import { posix } from "node:path";
import {
  findDriver,
  findProtocol,
  moduleFileName,
  type ModuleInfo,
} from "../../firmware/net/modules/catalog.ts";
import {
  IoPktUsageError,
  parseIoPktArgs,
  type IoPktArgs,
  type ModuleArg,
} from "../../firmware/net/manager/command-line.ts";
import type { Buildfile, Diagnostic } from "./ast.ts";
import { addError, addWarning } from "./diagnostic.ts";
import { parseBuildfile } from "./parser.ts";
import {
  KNOWN_BUILTINS,
  NEVER_RETURNS,
  RUNTIME_PATHS,
  TREE_PATHS,
  baseName,
  isIoPkt,
  pathsRegisteredBy,
} from "./programs.ts";
import {
  resolveBuildfile,
  type ResolveOptions,
  type ResolvedBuildfile,
  type ResolvedEntry,
} from "./resolve.ts";
import { SCRIPT_BUILTINS, compileScript, type CompiledCommand, type CompiledLine } from "./script-compile.ts";
import { closestName, parseModuleOptions } from "../../firmware/net/module-options.ts";

export interface Analysis {
  readonly ast: Buildfile;
  readonly resolved: ResolvedBuildfile;
  readonly script: CompiledLine[];
  /** Sorted by position; errors and warnings. */
  readonly diagnostics: Diagnostic[];
}

/** QNX's default PATH for the startup script. */
export const DEFAULT_SCRIPT_PATH = "/proc/boot:/bin:/usr/bin:/sbin:/usr/sbin";

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

export interface AnalyzeOptions extends ResolveOptions {
  /** Report notes (accepted-and-ignored constructs, replaced definitions) as warnings. */
  readonly strict?: boolean;
}

export function analyzeBuildfile(source: string, file: string, opts: AnalyzeOptions = {}): Analysis {
  const parsed = parseBuildfile(source, file);
  const { resolved, diagnostics: resolveDiags } = resolveBuildfile(parsed.ast, opts);
  const d: Diagnostic[] = [...parsed.diagnostics, ...resolveDiags];
  const vars = { ...(opts.env ?? {}), ...(opts.defines ?? {}) };
  const script = resolved.script ? compileScript(resolved.script.script, vars, d) : [];
  checkBuiltins(resolved.entries, d);
  if (!resolved.script) {
    d.push({
      severity: "warning",
      code: "no-script",
      pos: { file, line: 1, col: 1, offset: 0 },
      length: 1,
      message: "The buildfile has no startup script; the image boots to nothing",
      hint: "add `[+script] .script = { … }`",
    });
  } else {
    checkScript(script, resolved.entries, d);
  }
  d.sort(
    (a, b) =>
      a.pos.offset - b.pos.offset || (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1),
  );
  const all = dedupe(d);
  return {
    ast: parsed.ast,
    resolved,
    script,
    diagnostics: opts.strict
      ? all.map((x) => (x.severity === "note" ? { ...x, severity: "warning" } : x))
      : all,
  };
}

/** The same diagnostic twice (a sticky attribute re-applied) is reported once. */
function dedupe(d: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return d.filter((x) => {
    const key = `${x.pos.offset}:${x.code}:${x.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkBuiltins(entries: readonly ResolvedEntry[], d: Diagnostic[]): void {
  for (const e of entries) {
    if (e.source.kind === "builtin" && !KNOWN_BUILTINS.includes(e.source.name)) {
      d.push({
        severity: "warning",
        code: "unknown-builtin",
        pos: e.pos,
        length: 1,
        message: `"${e.source.name}" is not a known built-in program`,
        hint: "built-ins are the utilities in firmware/bin; for your own program write /bin/x = path/to/x.ts",
      });
    }
  }
}

/** The image as a pathname space: files, their parent directories and symlinks. */
class ImageView {
  readonly paths = new Set<string>();
  readonly links = new Map<string, string>();

  constructor(entries: readonly ResolvedEntry[]) {
    for (const e of entries) {
      let p = e.target;
      while (p !== "/" && p !== "") {
        this.paths.add(p);
        p = posix.dirname(p);
      }
      if (e.type === "link" && e.linkTarget !== undefined) this.links.set(e.target, e.linkTarget);
    }
  }

  /** Follows symlinks (bounded, as the kernel does with ELOOP). */
  canonical(path: string): string {
    let p = posix.normalize(path);
    for (let i = 0; i < 16; i++) {
      const hit = [...this.links.entries()].find(([l]) => p === l || p.startsWith(l + "/"));
      if (!hit) return p;
      const [link, target] = hit;
      const abs = target.startsWith("/") ? target : posix.join(posix.dirname(link), target);
      p = posix.normalize(abs + p.slice(link.length));
    }
    return p;
  }
}

function isRegistered(path: string, registered: ReadonlySet<string>): boolean {
  if (registered.has(path)) return true;
  for (const r of registered) {
    if (TREE_PATHS.test(r) && path.startsWith(r + "/")) return true;
  }
  return false;
}

function checkScript(
  script: readonly CompiledLine[],
  entries: readonly ResolvedEntry[],
  d: Diagnostic[],
): void {
  const image = new ImageView(entries);
  const registered = new Set<string>([...RUNTIME_PATHS, ...image.paths]);
  let path = DEFAULT_SCRIPT_PATH;
  let blocker: CompiledCommand | undefined;
  let reportedUnreachable = false;
  let reopened = false;
  for (const line of script) {
    if (line.kind === "env") {
      for (const [name, value] of line.env) if (name === "PATH") path = value;
      continue;
    }
    if (blocker) {
      // Reported once; the lines after it are still checked so one run shows every problem.
      addWarning(
        d,
        "unreachable",
        blocker.argvPos[0],
        blocker.argv[0].length,
        `${blocker.argv[0]} in the foreground never returns: the script cannot go on to line ${line.line}`,
        "add & to run it in the background",
      );
      blocker = undefined;
      reportedUnreachable = true;
    }
    if (line.kind === "builtin") {
      checkBuiltinCommand(line, image, registered, d);
      if (line.argv[0] === "reopen") reopened = true;
      continue;
    }
    const name = line.argv[0];
    if (!findProgram(name, path, image)) {
      const builtin = closestName(name, SCRIPT_BUILTINS);
      addWarning(
        d,
        "program-not-found",
        line.argvPos[0],
        name.length,
        `Program "${name}" is not in the image`,
        builtin
          ? `did you mean the script built-in "${builtin}"?`
          : name.includes("/")
            ? undefined
            : `searched PATH=${path}`,
      );
    }
    if (line.modifiers.session && !reopened) {
      addWarning(
        d,
        "session-without-console",
        line.argvPos[0],
        name.length,
        `[+session] ${name} has no console: nothing before it reopens the script's stdio onto a terminal`,
        "add before it: devc-ser -t terminal &, waitfor /dev/ser1, reopen /dev/ser1",
      );
    }
    if (isIoPkt(baseName(name))) checkIoPkt(line, image, d);
    for (const p of pathsRegisteredBy(line.argv)) registered.add(p);
    if (!line.background && !reportedUnreachable && isInteractiveShell(name, line.argv)) blocker = line;
  }
}

/** A shell with no script operand and no -c reads the console until logout: it never returns. */
function isInteractiveShell(name: string, argv: readonly string[]): boolean {
  if (!NEVER_RETURNS.includes(baseName(name))) return false;
  return !argv.slice(1).some((a) => a === "-c" || !a.startsWith("-"));
}

function findProgram(name: string, path: string, image: ImageView): boolean {
  if (name.includes("/")) return image.paths.has(image.canonical(name)) || image.links.has(name);
  return path.split(":").some((dir) => {
    const p = posix.join(dir || "/", name);
    return image.paths.has(p) || image.links.has(p) || image.paths.has(image.canonical(p));
  });
}

function checkBuiltinCommand(
  c: CompiledCommand,
  image: ImageView,
  registered: Set<string>,
  d: Diagnostic[],
): void {
  const [name, ...args] = c.argv;
  const pos = (i: number) => c.argvPos[i] ?? c.pos;
  if (c.background) {
    addWarning(d, "background-builtin", c.pos, 1, `"${name}" is a script built-in; '&' has no effect on it`);
  }
  const checkSeconds = (i: number) => {
    if (args[i] !== undefined && !/^[0-9]+(?:\.[0-9]+)?$/.test(args[i])) {
      addError(
        d,
        "bad-builtin-args",
        pos(i + 1),
        args[i].length,
        `${name}: timeout must be a number of seconds, not "${args[i]}"`,
      );
    }
  };
  const checkPath = (p: string, i: number) => {
    const canonical = image.canonical(p);
    if (!isRegistered(canonical, registered)) {
      addWarning(
        d,
        "unregistered-path",
        pos(i + 1),
        p.length,
        `Nothing in the image registers ${p}${canonical !== p ? ` (→ ${canonical})` : ""} before this ${name}`,
        "devc-ser registers /dev/serN, io-pkt /dev/socket; start the program earlier in the script",
      );
    }
  };
  switch (name) {
    case "display_msg":
      return;
    case "waitfor":
      if (args.length < 1 || args.length > 2) {
        addError(d, "bad-builtin-args", pos(0), name.length, "usage: waitfor path [seconds]");
        return;
      }
      checkSeconds(1);
      checkPath(args[0], 0);
      return;
    case "reopen":
      if (args.length > 2) {
        addError(d, "bad-builtin-args", pos(0), name.length, "usage: reopen [path [seconds]]");
        return;
      }
      checkSeconds(1);
      checkPath(args[0] ?? "/dev/console", 0);
      return;
    case "procmgr_symlink":
      if (args.length !== 2) {
        addError(d, "bad-builtin-args", pos(0), name.length, "usage: procmgr_symlink target link");
        return;
      }
      image.links.set(posix.normalize(args[1]), args[0]);
      registered.add(posix.normalize(args[1]));
      return;
  }
}

/**
 * `io-pkt -d drv opts -p proto opts -t n -P prio -i n -v` (joined forms too): read by the
 * runtime's own parser, then each module and its options checked against the catalog.
 */
function checkIoPkt(c: CompiledCommand, image: ImageView, d: Diagnostic[]): void {
  let args: IoPktArgs;
  try {
    args = parseIoPktArgs(c.argv.slice(1));
  } catch (e) {
    if (!(e instanceof IoPktUsageError)) throw e;
    const i = Math.min(e.arg + 1, c.argv.length - 1);
    addError(d, "io-pkt-usage", c.argvPos[i], c.argv[i].length, `io-pkt: ${e.message}`, IO_PKT_SYNOPSIS);
    return;
  }
  const check = (kind: "driver" | "protocol", m: ModuleArg) => {
    const info: ModuleInfo | undefined = kind === "driver" ? findDriver(m.name) : findProtocol(m.name);
    const file = moduleFileName(kind, m.name);
    const inImage =
      image.paths.has(m.name) ||
      image.paths.has(posix.join("/lib/dll", file)) ||
      image.paths.has(posix.join("/proc/boot", file));
    const at = m.nameAt ?? { arg: 0, offset: 0 };
    const namePos = c.argvPos[at.arg + 1];
    if (!info && !inImage) {
      addError(
        d,
        "unknown-module",
        { ...namePos, col: namePos.col + at.offset, offset: namePos.offset + at.offset },
        m.name.length,
        `io-pkt: ${kind} module "${file}" is neither built in nor in the image`,
        kind === "driver" ? "built-in drivers: pcap, vwire" : "built-in: tcpip, sample",
      );
    }
    if (!info || m.optionsArg === undefined) return; // a user module: its schema is unknown
    const optPos = c.argvPos[m.optionsArg + 1];
    for (const od of parseModuleOptions(info.options, m.options, info.name).diagnostics) {
      addError(
        d,
        "module-option",
        { ...optPos, col: optPos.col + od.offset, offset: optPos.offset + od.offset },
        od.length,
        od.message,
        od.hint,
      );
    }
  };
  for (const m of args.drivers) check("driver", m);
  for (const m of args.protocols) check("protocol", m);
}

const IO_PKT_SYNOPSIS =
  "usage: io-pkt [-d driver [opts]] [-p protocol [opts]] [-t threads] [-P prio] [-i instance] [-v]";
