// $(( … )) arithmetic: C integer expressions over shell variables, evaluated while parsing
// (precedence climbing). Short-circuit operators parse their right side without side effects.
import { ShellError } from "./errors.ts";

export interface ArithVars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

const BINARY: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "|": 3,
  "^": 4,
  "&": 5,
  "==": 6,
  "!=": 6,
  "<": 7,
  "<=": 7,
  ">": 7,
  ">=": 7,
  "<<": 8,
  ">>": 8,
  "+": 9,
  "-": 9,
  "*": 10,
  "/": 10,
  "%": 10,
};
const ASSIGN = ["<<=", ">>=", "+=", "-=", "*=", "/=", "%=", "&=", "^=", "|=", "="];
// Sticky regexps carry lastIndex, so each tokenize() builds its own from this source.
const TOKEN_SRC =
  /\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|(<<=|>>=|\+\+|--|\|\||&&|==|!=|<=|>=|<<|>>|[+\-*/%&^|]=|[-+*/%<>&^|!~?:=(),]))/
    .source;

type Tok = { num: number } | { name: string } | { op: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const TOKEN_RE = new RegExp(TOKEN_SRC, "y");
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN_RE.lastIndex = pos;
    const m = TOKEN_RE.exec(src);
    if (!m) throw new ShellError(`${src.trim()}: arithmetic syntax error`);
    pos = TOKEN_RE.lastIndex;
    if (m[1] !== undefined) {
      const t = m[1];
      const n = /^0[xX]/.test(t) ? parseInt(t, 16) : /^0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t);
      out.push({ num: n });
    } else if (m[2] !== undefined) out.push({ name: m[2] });
    else out.push({ op: m[3] });
  }
  return out;
}

function int(n: number): number {
  return Number(BigInt.asIntN(64, BigInt(Math.trunc(Number.isFinite(n) ? n : 0))));
}

/** Evaluates `src`; a depth limit keeps recursive variable references from looping. */
export function evalArith(src: string, vars: ArithVars, depth = 0): number {
  if (depth > 32) throw new ShellError(`${src.trim()}: expression recurses too deeply`);
  const toks = tokenize(src);
  if (toks.length === 0) return 0;
  let i = 0;
  const fail = (): never => {
    throw new ShellError(`${src.trim()}: arithmetic syntax error`);
  };
  const peekOp = (): string | null => {
    const t = toks[i];
    return t && "op" in t ? t.op : null;
  };
  const valueOf = (name: string): number => {
    const v = vars.get(name);
    if (v === undefined || v.trim() === "") return 0;
    if (/^\s*-?\d+\s*$/.test(v)) return Number(v);
    return evalArith(v, vars, depth + 1);
  };
  // `live` false: parse only (the unevaluated side of && || ?:).
  const assignExpr = (live: boolean): number => {
    const t = toks[i];
    const t1 = toks[i + 1];
    if (t && "name" in t && t1 && "op" in t1 && ASSIGN.includes(t1.op)) {
      i += 2;
      const rhs = assignExpr(live);
      if (!live) return 0;
      const op = t1.op;
      const v = op === "=" ? rhs : binop(op.slice(0, -1), valueOf(t.name), rhs);
      vars.set(t.name, String(v));
      return v;
    }
    return ternary(live);
  };
  const ternary = (live: boolean): number => {
    const c = binary(1, live);
    if (peekOp() !== "?") return c;
    i++;
    const a = assignExpr(live && c !== 0);
    if (peekOp() !== ":") fail();
    i++;
    const b = assignExpr(live && c === 0);
    return c !== 0 ? a : b;
  };
  const binary = (minPrec: number, live: boolean): number => {
    let left = unary(live);
    for (;;) {
      const op = peekOp();
      const prec = op ? BINARY[op] : undefined;
      if (!op || prec === undefined || prec < minPrec) return left;
      i++;
      if (op === "&&") {
        const r = binary(prec + 1, live && left !== 0);
        left = left !== 0 && r !== 0 ? 1 : 0;
      } else if (op === "||") {
        const r = binary(prec + 1, live && left === 0);
        left = left !== 0 || r !== 0 ? 1 : 0;
      } else {
        const r = binary(prec + 1, live);
        left = live ? binop(op, left, r) : 0;
      }
    }
  };
  const unary = (live: boolean): number => {
    const t = toks[i];
    if (!t) return fail();
    if ("op" in t) {
      if (t.op === "++" || t.op === "--") {
        const n = toks[i + 1];
        if (!n || !("name" in n)) return fail();
        i += 2;
        if (!live) return 0;
        const v = valueOf(n.name) + (t.op === "++" ? 1 : -1);
        vars.set(n.name, String(v));
        return v;
      }
      i++;
      if (t.op === "(") {
        const v = commaExpr(live);
        if (peekOp() !== ")") fail();
        i++;
        return v;
      }
      const v = unary(live);
      if (t.op === "-") return int(-v);
      if (t.op === "+") return v;
      if (t.op === "!") return v === 0 ? 1 : 0;
      if (t.op === "~") return int(Number(~BigInt(v)));
      return fail();
    }
    i++;
    if ("num" in t) return int(t.num);
    const post = peekOp();
    if (post === "++" || post === "--") {
      i++;
      if (!live) return 0;
      const v = valueOf(t.name);
      vars.set(t.name, String(v + (post === "++" ? 1 : -1)));
      return v;
    }
    return live ? valueOf(t.name) : 0;
  };
  const commaExpr = (live: boolean): number => {
    let v = assignExpr(live);
    while (peekOp() === ",") {
      i++;
      v = assignExpr(live);
    }
    return v;
  };
  const binop = (op: string, a: number, b: number): number => {
    switch (op) {
      case "+":
        return int(a + b);
      case "-":
        return int(a - b);
      case "*":
        return int(Number(BigInt(a) * BigInt(b)));
      case "/":
      case "%":
        if (b === 0) throw new ShellError(`${src.trim()}: divide by zero`);
        return op === "/" ? int(a / b) : int(a % b);
      case "<<":
        return int(Number(BigInt.asIntN(64, BigInt(a) << BigInt(b & 63))));
      case ">>":
        return int(Number(BigInt(a) >> BigInt(b & 63)));
      case "&":
        return int(Number(BigInt(a) & BigInt(b)));
      case "|":
        return int(Number(BigInt(a) | BigInt(b)));
      case "^":
        return int(Number(BigInt(a) ^ BigInt(b)));
      case "<":
        return a < b ? 1 : 0;
      case "<=":
        return a <= b ? 1 : 0;
      case ">":
        return a > b ? 1 : 0;
      case ">=":
        return a >= b ? 1 : 0;
      case "==":
        return a === b ? 1 : 0;
      case "!=":
        return a !== b ? 1 : 0;
      default:
        return fail();
    }
  };
  const v = commaExpr(true);
  if (i < toks.length) fail();
  return v;
}
