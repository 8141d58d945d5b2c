// Tab completion for the line editor: command names in command position (builtins,
// functions, aliases, PATH entries), file names everywhere else.
import { BUILTINS } from "./builtins.ts";
import { toAbs } from "./glob.ts";
import type { Shell } from "./interp.ts";
import type { Completer } from "./line-editor.ts";

const WORD_BREAK = new Set([" ", "\t", ";", "|", "&", "(", ")", "<", ">"]);
const COMMAND_KEYWORDS = new Set(["then", "do", "else", "elif", "if", "while", "until", "!", "{", "time"]);

/** Start of the word the cursor is in (a backslash-escaped break character belongs to it). */
export function wordStart(line: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && !(WORD_BREAK.has(line[i - 1]) && line[i - 2] !== "\\")) i--;
  return i;
}

/** Whether the word at `start` names a command. */
export function inCommandPosition(line: string, start: number): boolean {
  const before = line.slice(0, start).trimEnd();
  if (before === "" || /[;|&(]$/.test(before)) return true;
  const lastWord = before.slice(before.search(/\S+$/));
  return COMMAND_KEYWORDS.has(lastWord);
}

async function commandNames(sh: Shell, prefix: string): Promise<string[]> {
  const names = new Set<string>();
  for (const n of [...BUILTINS.keys(), ...sh.functions.keys(), ...sh.aliases.keys()])
    if (n.startsWith(prefix)) names.add(n);
  for (const dir of (sh.getVar("PATH") ?? "").split(":")) {
    if (!dir) continue;
    const entries = await sh.os.readdir(toAbs(dir, sh.cwd)).catch(() => [] as string[]);
    for (const e of entries) if (e.startsWith(prefix) && e !== "." && e !== "..") names.add(e);
  }
  return [...names].sort();
}

async function pathNames(sh: Shell, word: string): Promise<string[]> {
  const unescaped = word.replace(/\\(.)/g, "$1");
  const slash = unescaped.lastIndexOf("/");
  const dirPart = slash >= 0 ? unescaped.slice(0, slash + 1) : "";
  const prefix = unescaped.slice(slash + 1);
  let dir = dirPart || ".";
  if (dir.startsWith("~/") || dir === "~/") dir = (sh.getVar("HOME") ?? "/") + dir.slice(1);
  const abs = toAbs(dir, sh.cwd);
  const entries = await sh.os.readdir(abs).catch(() => [] as string[]);
  const out: string[] = [];
  for (const e of entries.sort()) {
    if (!e.startsWith(prefix) || e === "." || e === "..") continue;
    if (e.startsWith(".") && !prefix.startsWith(".")) continue;
    const st = await sh.os.stat(`${abs.endsWith("/") ? abs : abs + "/"}${e}`).catch(() => null);
    const name = (dirPart + e).replace(/([ \t;|&()<>'"\\$`*?[\]])/g, "\\$1");
    out.push(st?.isDirectory ? name + "/" : name);
  }
  return out;
}

export function shellCompleter(sh: Shell): Completer {
  return async (line, cursor) => {
    const start = wordStart(line, cursor);
    const word = line.slice(start, cursor);
    if (inCommandPosition(line, start) && !word.includes("/")) {
      return { start, candidates: await commandNames(sh, word) };
    }
    return { start, candidates: await pathNames(sh, word) };
  };
}
