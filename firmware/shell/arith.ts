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
  "**": 11,
};
const ASSIGN = ["**=", "<<=", ">>=", "+=", "-=", "*=", "/=", "%=", "&=", "^=", "|=", "="];
// Sticky regexps carry lastIndex, so each tokenize() builds its own from this source.
const TOKEN_SRC =
  /\s*(?:(\d+#[0-9A-Za-z@_]+|0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*=|<<=|>>=|\*\*|\+\+|--|\|\||&&|==|!=|<=|>=|<<|>>|[+\-*/%&^|]=|[-+*/%<>&^|!~?:=(),]))/
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
      out.push({ num: parseNumber(t, src) });
    } else if (m[2] !== undefined) out.push({ name: m[2] });
    else out.push({ op: m[3] });
  }
  return out;
}

/** ksh digits: 0-9, a-z, A-Z, then @ and _ (bases up to 64; case matters only above 36). */
function digitValue(c: string, base: number): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (c === "@") return 62;
  if (c === "_") return 63;
  const lower = code >= 97 && code <= 122;
  if (base <= 36) return lower ? code - 87 : code - 55;
  return lower ? code - 87 : code - 29;
}

/** A numeric literal: `base#digits`, `0x…`, octal `0…`, or decimal. */
function parseNumber(t: string, src: string): number {
  const bad = (): never => {
    throw new ShellError(`${src.trim()}: arithmetic syntax error`);
  };
  const hash = t.indexOf("#");
  if (hash >= 0) {
    const base = Number(t.slice(0, hash));
    if (base < 2 || base > 64) bad();
    let n = 0n;
    for (const c of t.slice(hash + 1)) {
      const d = digitValue(c, base);
      if (d >= base) bad();
      n = BigInt.asIntN(64, n * BigInt(base) + BigInt(d));
    }
    return Number(n);
  }
  if (/^0[xX]/.test(t)) return parseInt(t, 16);
  if (/^0\d+$/.test(t)) return /^0[0-7]+$/.test(t) ? parseInt(t, 8) : bad();
  return Number(t);
}

/** a**b in 64-bit wrap-around arithmetic, by squaring (a huge exponent stays cheap). */
function power(a: number, b: number): number {
  let result = 1n;
  let base = BigInt(a);
  for (let e = BigInt(b); e > 0n; e >>= 1n) {
    if (e & 1n) result = BigInt.asIntN(64, result * base);
    base = BigInt.asIntN(64, base * base);
  }
  return Number(result);
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
        // `**` groups to the right: 2**3**2 is 2**9.
        const r = binary(op === "**" ? prec : prec + 1, live);
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
      case "**":
        if (b < 0) throw new ShellError(`${src.trim()}: exponent less than 0`);
        return power(a, b);
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
