// Turns the parsed startup script into the structured commands stored in the image: `${VAR}`
// substituted, sticky modifier lines folded into each command, built-ins told apart.
import type { Diagnostic, Script, SourcePos } from "./ast.ts";
import { FROM_HOST, SCRIPT_MODIFIERS, parsePriority } from "./attributes.ts";
import { applyAttributes } from "./resolve.ts";
import { substitute, type Variables } from "./substitute.ts";
import type { ScriptModifiers } from "../image/format.ts";

/** Commands the script runner itself implements (QNX startup-script built-ins). */
export const SCRIPT_BUILTINS = ["display_msg", "waitfor", "reopen", "procmgr_symlink"] as const;

export interface CompiledCommand {
  readonly kind: "exec" | "builtin";
  readonly argv: string[];
  readonly env: Array<[name: string, value: string]>;
  readonly background: boolean;
  readonly modifiers: ScriptModifiers;
  readonly line: number;
  /** Source positions of argv words (lint only; not stored in the image). */
  readonly argvPos: SourcePos[];
  readonly pos: SourcePos;
}

export interface CompiledEnv {
  readonly kind: "env";
  readonly env: Array<[name: string, value: string]>;
  readonly line: number;
  readonly pos: SourcePos;
}

export type CompiledLine = CompiledCommand | CompiledEnv;

type ModState = Parameters<typeof applyAttributes>[1];

function modifiersOf(state: ModState): ScriptModifiers {
  const get = (n: string) => state.get(n)?.value;
  const pri = typeof get("pri") === "string" ? parsePriority(get("pri") as string) : undefined;
  const cpu = get("cpu");
  return {
    priority: pri?.priority,
    policy: pri?.policy,
    session: get("session") === true,
    argv0: typeof get("argv0") === "string" ? (get("argv0") as string) : undefined,
    cpu: typeof cpu === "string" && cpu !== FROM_HOST ? Number(cpu) : undefined,
    external: get("external") === true,
  };
}

export function compileScript(script: Script, vars: Variables, d: Diagnostic[]): CompiledLine[] {
  const out: CompiledLine[] = [];
  const sticky: ModState = new Map();
  for (const line of script.lines) {
    if (line.kind === "modifiers") {
      applyAttributes(line.group, sticky, SCRIPT_MODIFIERS, vars, d, "modifier");
      continue;
    }
    if (line.kind === "env") {
      const env = line.env.map((e): [string, string] => [e.name, substitute(e.value, vars, d)]);
      out.push({ kind: "env", env, line: line.pos.line, pos: line.pos });
      continue;
    }
    if (line.kind !== "command") continue;
    const state: ModState = new Map(sticky);
    applyAttributes(line.modifiers, state, SCRIPT_MODIFIERS, vars, d, "modifier");
    const modifiers = modifiersOf(state);
    // As in the shell, an unquoted word that expands to nothing is no argument at all
    // (`devc-ser ${CONSOLE_DEVICE:-}` without a device), so argvPos stays aligned with argv.
    const words = line.argv.filter((w, i) => {
      if (i === 0 || w.quoted) return true;
      const problems: Diagnostic[] = [];
      return substitute(w, vars, problems) !== "" || problems.length > 0;
    });
    const argv = words.map((w) => substitute(w, vars, d));
    const env = line.env.map((e): [string, string] => [e.name, substitute(e.value, vars, d)]);
    const isBuiltin = (SCRIPT_BUILTINS as readonly string[]).includes(argv[0]) && !modifiers.external;
    out.push({
      kind: isBuiltin ? "builtin" : "exec",
      argv,
      env,
      background: line.background,
      modifiers,
      line: line.pos.line,
      argvPos: words.map((w) => w.pos),
      pos: line.pos,
    });
  }
  return out;
}
