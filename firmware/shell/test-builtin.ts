// `test` / `[`: the common POSIX forms (files, strings, integers, ! -a -o and parentheses).
import type { ShellOs } from "./os.ts";
import { toAbs } from "./glob.ts";

const UNARY_FILE = new Set(["-e", "-f", "-d", "-r", "-w", "-x", "-s", "-L", "-h", "-c", "-p", "-b", "-S"]);
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;
const S_IFBLK = 0o060000;
const S_IFSOCK = 0o140000;

/** Exit status of the test (0 true, 1 false); throws a message string on a syntax error. */
export async function evalTest(args: string[], os: ShellOs, cwd: string): Promise<number> {
  let i = 0;
  const peek = (): string | undefined => args[i];
  const fileTest = async (op: string, path: string): Promise<boolean> => {
    const st = await os.stat(toAbs(path, cwd)).catch(() => null);
    if (!st) return false;
    const fmt = st.mode & S_IFMT;
    switch (op) {
      case "-e":
        return true;
      case "-f":
        return st.isFile;
      case "-d":
        return st.isDirectory;
      case "-s":
        return st.isFile || st.isDirectory;
      case "-L":
      case "-h":
        return fmt === S_IFLNK;
      case "-c":
        return fmt === S_IFCHR;
      case "-p":
        return fmt === S_IFIFO;
      case "-b":
        return fmt === S_IFBLK;
      case "-S":
        return fmt === S_IFSOCK;
      case "-r":
        return (st.mode & 0o444) !== 0;
      case "-w":
        return (st.mode & 0o222) !== 0;
      case "-x":
        return (st.mode & 0o111) !== 0 || st.isDirectory;
    }
    return false;
  };
  const int = (s: string): number => {
    if (!/^\s*[-+]?\d+\s*$/.test(s)) throw `${s}: bad number`;
    return Number(s);
  };
  const primary = async (): Promise<boolean> => {
    const a = args[i];
    if (a === undefined) throw "argument expected";
    if (a === "!") {
      i++;
      return !(await primary());
    }
    if (a === "(" && args.length - i > 2) {
      i++;
      const v = await orExpr();
      if (args[i] !== ")") throw "')' expected";
      i++;
      return v;
    }
    const b = args[i + 1];
    const c = args[i + 2];
    if (b !== undefined && c !== undefined && isBinary(b)) {
      i += 3;
      switch (b) {
        case "=":
        case "==":
          return a === c;
        case "!=":
          return a !== c;
        case "<":
          return a < c;
        case ">":
          return a > c;
        case "-eq":
          return int(a) === int(c);
        case "-ne":
          return int(a) !== int(c);
        case "-lt":
          return int(a) < int(c);
        case "-le":
          return int(a) <= int(c);
        case "-gt":
          return int(a) > int(c);
        case "-ge":
          return int(a) >= int(c);
      }
    }
    if (b !== undefined && (UNARY_FILE.has(a) || a === "-n" || a === "-z" || a === "-t")) {
      i += 2;
      if (a === "-n") return b !== "";
      if (a === "-z") return b === "";
      if (a === "-t") return os.isatty(int(b));
      return fileTest(a, b);
    }
    i++;
    return a !== "";
  };
  const andExpr = async (): Promise<boolean> => {
    let v = await primary();
    while (peek() === "-a") {
      i++;
      const r = await primary();
      v = v && r;
    }
    return v;
  };
  const orExpr = async (): Promise<boolean> => {
    let v = await andExpr();
    while (peek() === "-o") {
      i++;
      const r = await andExpr();
      v = v || r;
    }
    return v;
  };
  if (args.length === 0) return 1;
  const v = await orExpr();
  if (i < args.length) throw `${args[i]}: unexpected operator`;
  return v ? 0 : 1;
}

function isBinary(op: string): boolean {
  return ["=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge"].includes(op);
}
