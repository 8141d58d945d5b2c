// stty's vocabulary: BSD words (raw, -echo, cs8, 115200, intr ^C) and QNX's key=value forms
// (baud=115200 bits=8 par=none stopb=1), turned into a termios change; and the `stty -a` report.
import type { Termios } from "../../program.ts";
import { UsageError } from "./getopt.ts";
import { DEFAULT_TERMIOS } from "../../resmgr/devctl-codes.ts";

type BoolFlag = "icanon" | "echo" | "isig" | "icrnl" | "onlcr" | "cstopb" | "crtscts" | "ixon";
type CharName = "verase" | "vkill" | "vintr" | "vsusp" | "veof" | "vquit";

const BOOL_FLAGS: readonly BoolFlag[] = [
  "icanon",
  "echo",
  "isig",
  "icrnl",
  "onlcr",
  "cstopb",
  "crtscts",
  "ixon",
];
const CHARS: ReadonlyArray<readonly [word: string, key: CharName]> = [
  ["eof", "veof"],
  ["erase", "verase"],
  ["intr", "vintr"],
  ["kill", "vkill"],
  ["quit", "vquit"],
  ["susp", "vsusp"],
];

export const BAUD_RATES = [
  50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400,
  460800, 921600,
];

/** What `stty sane` restores: the defaults of a terminal line, keeping the current speed. */
export const SANE: Omit<Termios, "baud"> = (({ baud: _baud, ...rest }) => rest)(DEFAULT_TERMIOS);

/** `^C` for 3, `^?` for DEL, `<undef>` for 0. */
export function formatControlChar(c: number): string {
  if (c === 0) return "<undef>";
  if (c === 0x7f) return "^?";
  if (c < 0x20) return `^${String.fromCharCode(c + 0x40)}`;
  return String.fromCharCode(c);
}

/** `^C`, `^?`, `^-`/`undef` (disabled), a single character, or a number. */
export function parseControlChar(text: string): number {
  if (text === "undef" || text === "^-" || text === "<undef>") return 0;
  if (text === "^?") return 0x7f;
  if (/^\^[@A-Za-z[\\\]^_]$/.test(text)) return text.toUpperCase().charCodeAt(1) - 0x40;
  if (text.length === 1) return text.charCodeAt(0);
  if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) return Number(text);
  throw new UsageError(`invalid control character: ${text}`);
}

function parseBaud(text: string): number {
  const n = Number(text);
  if (!BAUD_RATES.includes(n)) throw new UsageError(`unsupported baud rate: ${text}`);
  return n;
}

/** Applies stty operands to a termios change. Throws UsageError for an unknown word. */
export function parseSttyArgs(args: readonly string[]): Partial<Termios> {
  const t: Partial<Termios> = {};
  const need = (i: number, word: string): string => {
    if (i >= args.length) throw new UsageError(`missing argument to ${word}`);
    return args[i];
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const neg = a.startsWith("-");
    const word = neg ? a.slice(1) : a;
    const eq = a.indexOf("=");
    if (eq > 0) {
      applyKeyValue(t, a.slice(0, eq), a.slice(eq + 1));
    } else if ((BOOL_FLAGS as readonly string[]).includes(word)) {
      t[word as BoolFlag] = !neg;
    } else if (word === "raw" || word === "cooked") {
      const cooked = (word === "cooked") !== neg;
      Object.assign(t, { icanon: cooked, isig: cooked, icrnl: cooked, onlcr: cooked, ixon: cooked });
    } else if (a === "sane") {
      Object.assign(t, SANE);
    } else if (word === "parenb") {
      t.parity = neg ? "none" : t.parity === "odd" ? "odd" : "even";
    } else if (word === "parodd") {
      t.parity = neg ? "even" : "odd";
    } else if (/^cs[5-8]$/.test(a)) {
      t.csize = Number(a.slice(2)) as Termios["csize"];
    } else if (/^\d+$/.test(a)) {
      t.baud = parseBaud(a);
    } else if (a === "speed" || a === "ispeed" || a === "ospeed") {
      t.baud = parseBaud(need(++i, a));
    } else {
      const ch = CHARS.find(([w]) => w === a);
      if (!ch) throw new UsageError(`illegal option -- ${a}`);
      t[ch[1]] = parseControlChar(need(++i, a));
    }
  }
  return t;
}

/** QNX stty's `baud=` `bits=` `par=` `stopb=` and `intr=^C` forms. */
function applyKeyValue(t: Partial<Termios>, key: string, value: string): void {
  switch (key) {
    case "baud":
      t.baud = parseBaud(value);
      return;
    case "bits":
      if (!/^[5-8]$/.test(value)) throw new UsageError(`invalid bits: ${value}`);
      t.csize = Number(value) as Termios["csize"];
      return;
    case "par":
      if (value !== "none" && value !== "even" && value !== "odd")
        throw new UsageError(`invalid par: ${value}`);
      t.parity = value;
      return;
    case "stopb":
      if (value !== "1" && value !== "2") throw new UsageError(`invalid stopb: ${value}`);
      t.cstopb = value === "2";
      return;
  }
  const ch = CHARS.find(([w]) => w === key);
  if (!ch) throw new UsageError(`illegal option -- ${key}`);
  t[ch[1]] = parseControlChar(value);
}

const flag = (on: boolean, name: string): string => (on ? name : `-${name}`);

/** `stty -a` (all) or `stty` (the speed and what differs from sane), BSD style. */
export function formatStty(t: Termios, size: { rows: number; cols: number } | null, all: boolean): string {
  const lines: string[] = [];
  lines.push(`speed ${t.baud} baud;${size ? ` ${size.rows} rows; ${size.cols} columns;` : ""}`);
  const groups: Array<[string, Array<[boolean, boolean, string]>]> = [
    [
      "lflags",
      [
        [t.icanon, SANE.icanon, "icanon"],
        [t.isig, SANE.isig, "isig"],
        [t.echo, SANE.echo, "echo"],
      ],
    ],
    [
      "iflags",
      [
        [t.icrnl, SANE.icrnl, "icrnl"],
        [t.ixon, SANE.ixon, "ixon"],
      ],
    ],
    ["oflags", [[t.onlcr, SANE.onlcr, "onlcr"]]],
    [
      "cflags",
      [
        [t.parity !== "none", false, "parenb"],
        [t.parity === "odd", false, "parodd"],
        [t.cstopb, SANE.cstopb, "cstopb"],
        [t.crtscts, SANE.crtscts, "crtscts"],
      ],
    ],
  ];
  for (const [label, flags] of groups) {
    const shown = flags.filter(([on, sane]) => all || on !== sane).map(([on, , name]) => flag(on, name));
    if (label === "cflags" && (all || t.csize !== SANE.csize)) shown.unshift(`cs${t.csize}`);
    if (shown.length) lines.push(`${label}: ${shown.join(" ")}`);
  }
  const chars = CHARS.filter(([, key]) => all || t[key] !== SANE[key]).map(
    ([w, key]) => `${w} = ${formatControlChar(t[key])};`,
  );
  if (chars.length) lines.push(`cchars: ${chars.join(" ")}`);
  return lines.join("\n") + "\n";
}
