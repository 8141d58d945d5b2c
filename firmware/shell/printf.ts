// printf(1) formatting: %s %b %c %d %i %u %o %x %X %f %e %g %% with flags, width and precision;
// the format is reused while arguments remain, as POSIX asks.
import { ShellError } from "./errors.ts";
import { shellQuote } from "./quote.ts";

/** Single-character backslash escapes shared by printf and echo. */
export const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "\\": "\\",
  e: "\x1b",
};

/** Backslash escapes of the format (and of %b): \n …, octal, \xHH, \uHHHH, \UHHHHHHHH. */
function unescape(s: string): string {
  return s.replace(
    /\\(0[0-7]{0,3}|[0-7]{1,3}|x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|.)/gs,
    (_m, c: string) => {
      if (/^[0-7]/.test(c)) return String.fromCharCode(parseInt(c, 8));
      if (/^[xuU]./.test(c)) return String.fromCodePoint(Math.min(parseInt(c.slice(1), 16), 0x10ffff));
      if (c === '"' || c === "'") return c;
      return ESCAPES[c] ?? "\\" + c;
    },
  );
}

/** %g: the shorter of %e and %f as C chooses it, trailing zeros dropped unless `#`. */
function formatG(n: number, prec: number, alt: boolean): string {
  const p = prec === 0 ? 1 : prec;
  if (n === 0) return alt ? (0).toFixed(p - 1) : "0";
  const exp = Math.floor(Math.log10(Math.abs(Number(n.toPrecision(p)))));
  let s = exp < -4 || exp >= p ? n.toExponential(p - 1) : n.toFixed(Math.max(0, p - 1 - exp));
  if (!alt) s = s.replace(/\.?0+(e|$)/, "$1").replace(/(\.\d*?)0+(e|$)/, "$1$2");
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

function toInt(s: string | undefined): number {
  if (s === undefined || s === "") return 0;
  if (/^['"]/.test(s)) return s.codePointAt(1) ?? 0;
  const n = /^[-+]?0[xX][0-9a-fA-F]+$/.test(s)
    ? parseInt(s, 16)
    : /^[-+]?0[0-7]+$/.test(s)
      ? parseInt(s, 8)
      : Number(s);
  if (!Number.isFinite(n)) throw new ShellError(`${s}: invalid number`);
  return Math.trunc(n);
}

function pad(s: string, flags: string, width: number, numeric: boolean): string {
  if (s.length >= width) return s;
  if (flags.includes("-")) return s.padEnd(width);
  if (numeric && flags.includes("0")) {
    const sign = /^[-+ ]/.test(s) ? s[0] : "";
    return sign + s.slice(sign.length).padStart(width - sign.length, "0");
  }
  return s.padStart(width);
}

export function printfFormat(format: string, args: string[]): string {
  let outText = "";
  let ai = 0;
  const re =
    /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])|\\(?:0[0-7]{0,3}|[0-7]{1,3}|x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|.)|[^%\\]+|[%\\]/gs;
  do {
    let usedArg = false;
    for (const m of format.matchAll(re)) {
      const tok = m[0];
      if (!tok.startsWith("%") || tok === "%") {
        outText += tok.startsWith("\\") ? unescape(tok) : tok;
        continue;
      }
      const [, flags, w, p, conv] = m;
      if (conv === "%") {
        outText += "%";
        continue;
      }
      let width = w === "*" ? toInt(args[ai++]) : Number(w ?? 0);
      // A negative `*` width means left-justified.
      let flagSet = flags;
      if (width < 0) [width, flagSet] = [-width, flags + "-"];
      const prec = p === undefined ? undefined : p === "*" ? toInt(args[ai++]) : Number(p);
      const arg = args[ai++];
      usedArg = true;
      let s: string;
      let numeric = true;
      switch (conv) {
        case "s":
          s = arg ?? "";
          if (prec !== undefined) s = s.slice(0, prec);
          numeric = false;
          break;
        case "b": {
          // `\c` in a %b argument ends all output.
          const raw = arg ?? "";
          const stop = /(^|[^\\])(\\\\)*\\c/.exec(raw);
          s = unescape(stop ? raw.slice(0, stop.index + stop[0].length - 2) : raw);
          if (prec !== undefined) s = s.slice(0, prec);
          if (stop) return outText + pad(s, flagSet, width, false);
          numeric = false;
          break;
        }
        case "q":
          s = shellQuote(arg ?? "");
          numeric = false;
          break;
        case "c":
          s = (arg ?? "").slice(0, 1);
          numeric = false;
          break;
        case "d":
        case "i":
        case "u": {
          const n = toInt(arg);
          s = String(Math.abs(n));
          if (prec !== undefined) s = s.padStart(prec, "0");
          s = (n < 0 ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "") + s;
          break;
        }
        case "o":
        case "x":
        case "X": {
          const n = toInt(arg);
          s = BigInt.asUintN(64, BigInt(n)).toString(conv === "o" ? 8 : 16);
          if (prec !== undefined) s = s.padStart(prec, "0");
          if (conv === "X") s = s.toUpperCase();
          if (flags.includes("#") && n !== 0) s = (conv === "o" ? "0" : conv === "x" ? "0x" : "0X") + s;
          break;
        }
        case "f":
        case "F":
        case "e":
        case "E":
        case "g":
        case "G": {
          const n = Number(arg ?? 0);
          if (Number.isNaN(n)) throw new ShellError(`${arg}: invalid number`);
          const lower = conv.toLowerCase();
          s =
            lower === "f"
              ? n.toFixed(prec ?? 6)
              : lower === "e"
                ? n.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, "e$10$2")
                : formatG(n, prec ?? 6, flags.includes("#"));
          if (conv !== lower) s = s.toUpperCase();
          if (n >= 0 && flags.includes("+")) s = "+" + s;
          else if (n >= 0 && flags.includes(" ")) s = " " + s;
          break;
        }
        default:
          throw new ShellError(`%${conv}: invalid conversion`);
      }
      outText += pad(s, flagSet, width, numeric);
    }
    if (!usedArg) break;
  } while (ai < args.length);
  return outText;
}
