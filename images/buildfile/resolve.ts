// From the syntax tree to the list of image entries: applies sticky and per-line attributes
// (with the `?` conditional form), substitutes `${VAR}`, places relative targets under the
// prefix, finds host files on the search path and expands host directories. Never throws.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, posix, resolve as resolvePath } from "node:path";
import { DEFAULT_BOARD } from "../../boards/index.ts";
import { closestName } from "../../firmware/net/module-options.ts";
import type {
  Attribute,
  AttributeGroup,
  Buildfile,
  Diagnostic,
  FileLine,
  Script,
  SourcePos,
  Word,
} from "./ast.ts";
import {
  FILE_ATTRIBUTES,
  FROM_HOST,
  findAttribute,
  type AttributeSpec,
  type FileType,
} from "./attributes.ts";
import { isScriptFile } from "./parser.ts";
import { addError, addNote } from "./diagnostic.ts";
import { parsePerms } from "./perms.ts";
import { inlineText } from "./scanner.ts";
import { substitute, type Variables } from "./substitute.ts";

export type EntrySource =
  | { readonly kind: "inline"; readonly text: string }
  | { readonly kind: "host"; readonly path: string }
  | { readonly kind: "builtin"; readonly name: string }
  | { readonly kind: "program"; readonly entry: string }
  | { readonly kind: "none" };

export interface ResolvedEntry {
  /** Absolute, normalized path in the image. */
  readonly target: string;
  readonly type: "file" | "dir" | "link" | "fifo";
  readonly perms: number;
  readonly uid: number;
  readonly gid: number;
  readonly source: EntrySource;
  readonly linkTarget?: string;
  readonly compress: boolean;
  /** `+dupignore`: a later definition of this target is ignored. */
  readonly dupignore?: boolean;
  readonly pos: SourcePos;
}

export interface ResolvedScript {
  readonly script: Script;
  readonly pos: SourcePos;
}

export interface ResolvedBuildfile {
  readonly board: string;
  readonly boardPos?: SourcePos;
  readonly entries: ResolvedEntry[];
  readonly script?: ResolvedScript;
  /** Directory host paths are relative to. */
  readonly baseDir: string;
}

export interface ResolveOptions {
  /** `-D NAME=VALUE` definitions; they win over the environment. */
  readonly defines?: Variables;
  readonly env?: Variables;
  /** Directory for relative host paths; default: the buildfile's directory. */
  readonly baseDir?: string;
}

interface AttrValue {
  readonly value: string | boolean;
  readonly attr: Attribute;
}

export type AttrState = Map<string, AttrValue>;

const PROGRAM_EXT = /\.(?:ts|mts|tsx|js|mjs)$/;
const DEFAULT_PREFIX = "/proc/boot";

/** Applies one bracket group onto `state`, reporting unknown names and bad values. */
export function applyAttributes(
  group: AttributeGroup | undefined,
  state: AttrState,
  specs: readonly AttributeSpec[],
  vars: Variables,
  d: Diagnostic[],
  noun = "attribute",
): void {
  if (!group) return;
  for (const a of group.attrs) {
    const spec = findAttribute(specs, a.name);
    if (spec?.ignored) {
      addNote(
        d,
        `ignored-${noun}`,
        a.pos,
        a.raw.length,
        `${cap(noun)} "${a.name}" is accepted and ignored: ${spec.ignored}`,
      );
      continue;
    }
    if (!spec) {
      const guess = closestName(
        a.name,
        specs.map((s) => s.name),
      );
      const valid = `valid: ${specs.map((s) => s.name).join(", ")}`;
      addError(
        d,
        `unknown-${noun}`,
        a.pos,
        a.raw.length,
        `Unknown ${noun} "${a.name}"`,
        guess ? `did you mean "${guess}"? ${valid}` : valid,
      );
      continue;
    }
    if (spec.kind === "bool" && a.form === "value") {
      addError(
        d,
        "bad-attribute-value",
        a.pos,
        a.raw.length,
        `${cap(noun)} "${a.name}" is a flag: write +${a.name} or -${a.name}`,
      );
      continue;
    }
    if (spec.kind === "value" && a.form !== "value") {
      addError(
        d,
        "bad-attribute-value",
        a.pos,
        a.raw.length,
        `${cap(noun)} "${a.name}" needs a value: ${a.name}=…`,
        spec.description,
      );
      continue;
    }
    if (a.conditional && state.has(a.name)) continue;
    if (spec.kind === "bool" || (spec.kind === "either" && a.form !== "value")) {
      state.set(a.name, { value: a.form === "set", attr: a });
      continue;
    }
    const text = a.value ? substitute(a.value, vars, d) : "";
    const problem = spec.check?.(text);
    if (problem) {
      const code =
        a.name === "perms" || a.name === "dperms"
          ? "bad-perms"
          : a.name === "board"
            ? "unknown-board"
            : "bad-attribute-value";
      const at = a.value?.pos ?? a.pos;
      addError(d, code, at, a.value?.raw.length ?? a.raw.length, problem);
      continue;
    }
    state.set(a.name, { value: text, attr: a });
  }
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

function str(state: AttrState, name: string): string | undefined {
  const v = state.get(name)?.value;
  return typeof v === "string" ? v : undefined;
}

function flag(state: AttrState, name: string): boolean {
  return state.get(name)?.value === true;
}

function targetPath(target: string, state: AttrState): string {
  const prefix = str(state, "prefix") ?? DEFAULT_PREFIX;
  const abs = target.startsWith("/") ? target : posix.join(prefix || "/", target);
  const norm = posix.normalize(abs);
  return norm.length > 1 && norm.endsWith("/") ? norm.slice(0, -1) : norm;
}

function defaultPerms(type: FileType | "program", hostMode?: number): number {
  if (type === "dir" || type === "builtin" || type === "program") return 0o755;
  if (type === "link") return 0o777;
  if (hostMode !== undefined) return hostMode & 0o100 ? 0o755 : 0o644;
  return 0o644;
}

/** A host tree larger than this is almost certainly a mistake (`/opt=/`), not an image. */
export const MAX_HOST_TREE_ENTRIES = 10000;

/** Walks a host directory: every file and directory below it, sorted (determinism). */
function walkHostDir(dir: string): Array<{ rel: string; isDir: boolean; mode: number }> | string {
  const out: Array<{ rel: string; isDir: boolean; mode: number }> = [];
  const pending = [""];
  while (pending.length > 0) {
    const rel = pending.shift() as string;
    let names: string[];
    try {
      names = readdirSync(join(dir, rel)).sort();
    } catch (e) {
      return `cannot read host directory ${join(dir, rel)}: ${(e as Error).message}`;
    }
    const subdirs: string[] = [];
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      let st;
      try {
        st = statSync(join(dir, childRel));
      } catch {
        continue; // a dangling symlink: nothing to copy
      }
      out.push({ rel: childRel, isDir: st.isDirectory(), mode: st.mode });
      if (out.length > MAX_HOST_TREE_ENTRIES) {
        return `host directory ${dir} has more than ${MAX_HOST_TREE_ENTRIES} entries`;
      }
      if (st.isDirectory()) subdirs.push(childRel);
    }
    pending.unshift(...subdirs);
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

export function resolveBuildfile(
  ast: Buildfile,
  opts: ResolveOptions = {},
): { resolved: ResolvedBuildfile; diagnostics: Diagnostic[] } {
  const d: Diagnostic[] = [];
  const vars: Variables = { ...(opts.env ?? {}), ...(opts.defines ?? {}) };
  const baseDir = opts.baseDir ?? dirname(resolvePath(ast.file));
  const sticky: AttrState = new Map();
  const entries: ResolvedEntry[] = [];
  let script: ResolvedScript | undefined;
  let board: { name: string; pos: SourcePos } | undefined;

  const noteBoard = (state: AttrState) => {
    const b = state.get("board");
    if (!b || typeof b.value !== "string") return;
    if (board && board.name !== b.value && b.attr.pos !== board.pos) {
      addError(
        d,
        "conflicting-board",
        b.attr.pos,
        b.attr.raw.length,
        `Board "${b.value}" conflicts with board "${board.name}" set at line ${board.pos.line}`,
        "an image is for one board",
      );
      return;
    }
    board ??= { name: b.value, pos: b.attr.pos };
  };

  for (const line of ast.lines) {
    if (line.kind === "attributes") {
      applyAttributes(line.group, sticky, FILE_ATTRIBUTES, vars, d);
      noteBoard(sticky);
      continue;
    }
    if (line.kind !== "file") continue;
    if (line.bootstrap) {
      addNote(
        d,
        "bootstrap",
        line.target.pos,
        line.target.raw.length,
        `The bootstrap block ${line.target.text} is parsed and ignored: netrino has no startup program or procnto to place; the runtime is the kernel`,
      );
      continue;
    }
    const state: AttrState = new Map(sticky);
    applyAttributes(line.group, state, FILE_ATTRIBUTES, vars, d);
    noteBoard(state);
    if (isScriptFile(line.group, line.target) && line.inline) {
      // mkifs: a second [+script] file appends to the startup script.
      if (line.script) {
        script = script
          ? { script: { lines: [...script.script.lines, ...line.script.lines] }, pos: script.pos }
          : { script: line.script, pos: line.pos };
      }
      continue;
    }
    resolveFile(line, state, vars, baseDir, entries, d);
  }
  return {
    resolved: {
      board: board?.name ?? DEFAULT_BOARD,
      boardPos: board?.pos,
      entries: lastDefinitionWins(entries, d),
      script,
      baseDir,
    },
    diagnostics: d,
  };
}

/**
 * mkifs: a later definition of a target replaces the earlier one (a note; a warning under
 * --strict), unless the earlier one is marked +dupignore. Directories merge.
 */
function lastDefinitionWins(entries: readonly ResolvedEntry[], d: Diagnostic[]): ResolvedEntry[] {
  const kept = new Map<string, ResolvedEntry>();
  for (const e of entries) {
    const prev = kept.get(e.target);
    if (prev && !(prev.type === "dir" && e.type === "dir")) {
      if (prev.dupignore) continue;
      addNote(
        d,
        "duplicate-target",
        e.pos,
        1,
        `${e.target} is defined again; this definition replaces the one at line ${prev.pos.line}`,
        "mkifs keeps the last definition; mark the first [+dupignore] to keep it instead",
      );
      kept.delete(e.target); // the replacement takes the later place in the listing
    }
    if (!prev || prev.type !== "dir" || e.type !== "dir") kept.set(e.target, e);
  }
  return [...kept.values()];
}

function hostLookup(name: string, state: AttrState, baseDir: string): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  const search = str(state, "search");
  const dirs = search ? search.split(":").filter(Boolean) : ["."];
  const cd = resolvePath(baseDir, str(state, "cd") ?? ".");
  for (const dir of dirs) {
    const p = resolvePath(cd, dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function resolveFile(
  line: FileLine,
  state: AttrState,
  vars: Variables,
  baseDir: string,
  entries: ResolvedEntry[],
  d: Diagnostic[],
): void {
  const targetText = substitute(line.target, vars, d);
  const hostText = line.host ? substitute(line.host, vars, d) : undefined;
  if (targetText === "") {
    addError(d, "syntax", line.target.pos, line.target.raw.length, "Empty file name");
    return;
  }
  const explicitType = str(state, "type") as FileType | undefined;
  const idOf = (name: string) => {
    const v = str(state, name);
    return v === undefined || v === FROM_HOST ? 0 : Number(v);
  };
  const uid = idOf("uid");
  const gid = idOf("gid");
  const c = state.get("compress")?.value;
  const compress = c === true || (typeof c === "string" && c !== "0");
  const optional = flag(state, "optional");
  const dupignore = flag(state, "dupignore");
  const permsFor = (type: FileType | "program", hostMode?: number) => {
    const p = str(state, "perms");
    const base = defaultPerms(type, hostMode);
    if (p === FROM_HOST) return hostMode === undefined ? base : hostMode & 0o7777;
    if (p === undefined) return base;
    const r = parsePerms(p, base);
    return "mode" in r ? r.mode : base;
  };
  // uid=* / gid=*: the host file's owner (only when asked: by default it never leaks in).
  const owner = (hostPath: string) => {
    if (str(state, "uid") !== FROM_HOST && str(state, "gid") !== FROM_HOST) return {};
    const st = statSync(hostPath);
    return {
      ...(str(state, "uid") === FROM_HOST ? { uid: st.uid } : {}),
      ...(str(state, "gid") === FROM_HOST ? { gid: st.gid } : {}),
    };
  };
  const common = { uid, gid, compress, dupignore, pos: line.pos };
  // A lone host file name (`devc-ser`, `/usr/lib/x.so`) goes to <prefix>/<basename>, as in
  // mkifs; every other target is placed as written (relative ones under the prefix).
  const hostLookupForm =
    !line.host && !line.inline && (explicitType === undefined || explicitType === "file");
  const target = targetPath(hostLookupForm ? (targetText.split("/").pop() ?? targetText) : targetText, state);

  if (explicitType === "link") {
    if (hostText === undefined) {
      addError(
        d,
        "bad-link",
        line.target.pos,
        line.target.raw.length,
        "A link needs a target",
        "write `[type=link] /bin/sh=/proc/boot/ksh`",
      );
      return;
    }
    entries.push({
      ...common,
      target,
      type: "link",
      perms: permsFor("link"),
      linkTarget: hostText,
      source: { kind: "none" },
    });
    return;
  }
  if (explicitType === "dir") {
    entries.push({
      ...common,
      target,
      type: "dir",
      perms: dirPerms(state, permsFor("dir")),
      source: { kind: "none" },
    });
    return;
  }
  if (explicitType === "fifo") {
    entries.push({ ...common, target, type: "fifo", perms: permsFor("file"), source: { kind: "none" } });
    return;
  }
  if (explicitType === "builtin") {
    const name = hostText ?? targetText.split("/").pop() ?? targetText;
    entries.push({
      ...common,
      target,
      type: "file",
      perms: permsFor("builtin"),
      source: { kind: "builtin", name },
    });
    return;
  }
  if (line.inline) {
    const text = inlineText(line.inline.raw);
    entries.push({
      ...common,
      target,
      type: "file",
      perms: permsFor("file"),
      source: { kind: "inline", text },
    });
    return;
  }
  const hostName = hostText ?? targetText;
  const hostWord: Word = line.host ?? line.target;
  const found = hostLookup(hostName, state, baseDir);
  if (!found) {
    if (optional) return;
    const search = str(state, "search");
    addError(
      d,
      "missing-host-file",
      hostWord.pos,
      hostWord.raw.length,
      `Host file "${hostName}" not found`,
      search
        ? `searched ${search} (relative to ${baseDir})`
        : `relative to ${baseDir}; mark it [+optional] if it may be missing`,
    );
    return;
  }
  let st;
  try {
    st = statSync(found);
  } catch (e) {
    addError(
      d,
      "missing-host-file",
      hostWord.pos,
      hostWord.raw.length,
      `Cannot read host file "${hostName}": ${(e as Error).message}`,
    );
    return;
  }
  if (st.isDirectory()) {
    const tree = walkHostDir(found);
    if (typeof tree === "string") {
      addError(
        d,
        "host-tree",
        hostWord.pos,
        hostWord.raw.length,
        tree,
        "name a smaller directory, or list the files",
      );
      return;
    }
    entries.push({ ...common, target, type: "dir", perms: dirPerms(state, 0o755), source: { kind: "none" } });
    for (const child of tree) {
      const childTarget = posix.join(target, child.rel);
      if (child.isDir) {
        entries.push({
          ...common,
          target: childTarget,
          type: "dir",
          perms: dirPerms(state, 0o755),
          source: { kind: "none" },
        });
      } else {
        const source: EntrySource = { kind: "host", path: join(found, child.rel) };
        entries.push({
          ...common,
          ...owner(source.path),
          target: childTarget,
          type: "file",
          perms: permsFor("file", child.mode),
          source,
        });
      }
    }
    return;
  }
  if (PROGRAM_EXT.test(found) && explicitType !== "file") {
    entries.push({
      ...common,
      target,
      type: "file",
      perms: permsFor("program"),
      source: { kind: "program", entry: found },
    });
    return;
  }
  entries.push({
    ...common,
    ...owner(found),
    target,
    type: "file",
    perms: permsFor("file", st.mode),
    source: { kind: "host", path: found },
  });
}

function dirPerms(state: AttrState, fallback: number): number {
  const p = str(state, "dperms");
  if (p === undefined) return fallback;
  const r = parsePerms(p, 0o755);
  return "mode" in r ? r.mode : fallback;
}
