// `[[ … ]]`: words are expanded without field splitting or globbing, the right side of `==`
// and `!=` is a pattern (quoted parts literal), `<`/`>` compare strings, `&&`/`||` short-circuit.
// Unary and integer tests reuse `test`'s, one primary at a time.
import type { CondToken } from "./ast.ts";
import { ShellError } from "./errors.ts";
import type { ExpandHost } from "./expand.ts";
import { evalArith } from "./arith.ts";
import { arithVars, expandPattern, expandString } from "./expand.ts";
import { matchPattern } from "./glob.ts";
import { evalTest } from "./test-builtin.ts";

const UNARY = new Set([
  "-e",
  "-f",
  "-d",
  "-r",
  "-w",
  "-x",
  "-s",
  "-L",
  "-h",
  "-c",
  "-p",
  "-b",
  "-S",
  "-n",
  "-z",
  "-t",
]);
const BINARY = new Set(["=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge"]);

function opOf(t: CondToken | undefined): string | null {
  if (!t) return null;
  return "op" in t ? t.op : t.text;
}

/** Exit status of the condition: 0 true, 1 false; a malformed one throws ShellError (status 2). */
export async function evalCond(tokens: CondToken[], host: ExpandHost): Promise<number> {
  let i = 0;
  const fail = (what: string): never => {
    throw new ShellError(`[[: ${what}`, 2);
  };
  const word = async (live: boolean): Promise<string> => {
    const t = tokens[i++];
    if (!t || "op" in t) return fail("argument expected");
    return live ? expandString(t.word, host) : "";
  };
  const orExpr = async (live: boolean): Promise<boolean> => {
    let v = await andExpr(live);
    while (opOf(tokens[i]) === "||" && "op" in tokens[i]) {
      i++;
      const r = await andExpr(live && !v);
      v = v || r;
    }
    return v;
  };
  const andExpr = async (live: boolean): Promise<boolean> => {
    let v = await notExpr(live);
    while (opOf(tokens[i]) === "&&" && "op" in tokens[i]) {
      i++;
      const r = await notExpr(live && v);
      v = v && r;
    }
    return v;
  };
  const notExpr = async (live: boolean): Promise<boolean> => {
    const t = tokens[i];
    if (t && !("op" in t) && t.text === "!" && tokens.length > i + 1) {
      i++;
      return !(await notExpr(live));
    }
    return primary(live);
  };
  const primary = async (live: boolean): Promise<boolean> => {
    const t = tokens[i];
    if (!t) return fail("argument expected");
    if ("op" in t && t.op === "(") {
      i++;
      const v = await orExpr(live);
      if (opOf(tokens[i]) !== ")") fail("')' expected");
      i++;
      return v;
    }
    const first = opOf(t);
    // A unary operator followed by an operand that is not itself a binary operator.
    if (first !== null && UNARY.has(first) && !("op" in t) && tokens[i + 1] && !isBinaryAt(i + 1)) {
      i++;
      const arg = await word(live);
      return live ? (await evalTest([first, arg], host.os, host.cwd)) === 0 : false;
    }
    const left = await word(live);
    if (!isBinaryAt(i)) return left !== "";
    const op = opOf(tokens[i])!;
    i++;
    const rt = tokens[i++];
    if (!rt || "op" in rt) return fail("argument expected");
    if (!live) return false;
    if (op === "=" || op === "==" || op === "!=") {
      const matched = matchPattern(await expandPattern(rt.word, host), left);
      return op === "!=" ? !matched : matched;
    }
    const right = await expandString(rt.word, host);
    if (op === "<") return left < right;
    if (op === ">") return left > right;
    // As in ksh, integer operands are arithmetic expressions (`[[ x+1 -gt 2 ]]`).
    const vars = arithVars(host);
    const a = evalArith(left, vars);
    const c = evalArith(right, vars);
    const cmp: Record<string, boolean> = {
      "-eq": a === c,
      "-ne": a !== c,
      "-lt": a < c,
      "-le": a <= c,
      "-gt": a > c,
      "-ge": a >= c,
    };
    return cmp[op];
  };
  const isBinaryAt = (k: number): boolean => {
    const t = tokens[k];
    if (!t) return false;
    if ("op" in t) return t.op === "<" || t.op === ">";
    return t.text !== null && BINARY.has(t.text);
  };
  const v = await orExpr(true);
  if (i < tokens.length) fail(`${opOf(tokens[i]) ?? "word"}: unexpected`);
  return v ? 0 : 1;
}
