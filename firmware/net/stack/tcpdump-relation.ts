// tcpdump's arithmetic relations: `proto[off:size] op value`, as in pcap-filter(7):
//   icmp[icmptype] != icmp-echo        tcp[tcpflags] & (tcp-syn|tcp-fin) != 0
//   ip[8] < 5    len > 100    ether[0] & 1 = 1    (tcp[12] >> 4) * 4 > 20
// `proto` is ether, ip, arp (from their headers) or tcp, udp, icmp (from the transport header
// of an unfragmented or first-fragment IPv4 packet of that protocol). A byte outside the
// frame, or a division by zero, makes the relation false, as in BPF. Values are unsigned 32-bit.
import { KernelError } from "../../kernel/errno.ts";
import type { BpfPredicate } from "./bpf.ts";

/** Evaluates to a number, or -1 when a load falls outside the frame (the filter rejects). */
type Arith = (b: Uint8Array, off: number, len: number) => number;

const ETH = 14;

/** pcap-filter's named offsets and field values. */
const CONSTANTS: Readonly<Record<string, number>> = {
  icmptype: 0,
  icmpcode: 1,
  "icmp-echoreply": 0,
  "icmp-unreach": 3,
  "icmp-sourcequench": 4,
  "icmp-redirect": 5,
  "icmp-echo": 8,
  "icmp-routeradvert": 9,
  "icmp-routersolicit": 10,
  "icmp-timxceed": 11,
  "icmp-paramprob": 12,
  "icmp-tstamp": 13,
  "icmp-tstampreply": 14,
  "icmp-ireq": 15,
  "icmp-ireqreply": 16,
  "icmp-maskreq": 17,
  "icmp-maskreply": 18,
  tcpflags: 13,
  "tcp-fin": 0x01,
  "tcp-syn": 0x02,
  "tcp-rst": 0x04,
  "tcp-push": 0x08,
  "tcp-ack": 0x10,
  "tcp-urg": 0x20,
  "tcp-ece": 0x40,
  "tcp-cwr": 0x80,
};

const LAYERS = new Set(["ether", "ip", "arp", "tcp", "udp", "icmp"]);
const RELOPS = new Set(["=", "==", "!=", "<", "<=", ">", ">="]);
/** Binary operators by precedence, loosest first (pcap's grammar). */
const LEVELS: readonly (readonly string[])[] = [
  ["|"],
  ["^"],
  ["&"],
  ["<<", ">>"],
  ["+", "-"],
  ["*", "/", "%"],
];

function syntax(msg: string): KernelError {
  return new KernelError("EINVAL", `syntax error in filter expression: ${msg}`);
}

/** Start of `layer`'s header in the frame at `off`, or -1 when the frame is not of that layer. */
function layerStart(layer: string, b: Uint8Array, off: number, len: number): number {
  if (layer === "ether") return off;
  if (len < ETH) return -1;
  const type = (b[off + 12] << 8) | b[off + 13];
  if (layer === "arp") return type === 0x0806 ? off + ETH : -1;
  if (type !== 0x0800 || len < ETH + 20 || b[off + ETH] >>> 4 !== 4) return -1;
  if (layer === "ip") return off + ETH;
  const want = layer === "tcp" ? 6 : layer === "udp" ? 17 : 1;
  if (b[off + ETH + 9] !== want) return -1;
  if (((b[off + ETH + 6] << 8) | b[off + ETH + 7]) & 0x1fff) return -1; // not the first fragment
  return off + ETH + ((b[off + ETH] & 0x0f) << 2);
}

function load(layer: string, index: Arith, size: number): Arith {
  return (b, off, len) => {
    const i = index(b, off, len);
    if (i < 0) return -1;
    const start = layerStart(layer, b, off, len);
    if (start < 0) return -1;
    const at = start + i;
    if (at + size > off + len) return -1;
    if (size === 1) return b[at];
    if (size === 2) return (b[at] << 8) | b[at + 1];
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  };
}

function binary(op: string, l: Arith, r: Arith): Arith {
  const f = (x: number, y: number): number => {
    switch (op) {
      case "|":
        return (x | y) >>> 0;
      case "^":
        return (x ^ y) >>> 0;
      case "&":
        return (x & y) >>> 0;
      case "<<":
        return y > 31 ? 0 : (x << y) >>> 0;
      case ">>":
        return y > 31 ? 0 : x >>> y;
      case "+":
        return (x + y) >>> 0;
      case "-":
        return (x - y) >>> 0;
      case "*":
        return Math.imul(x, y) >>> 0;
      case "/":
        return y === 0 ? -1 : Math.floor(x / y);
      default:
        return y === 0 ? -1 : x % y;
    }
  };
  return (b, off, len) => {
    const x = l(b, off, len);
    if (x < 0) return -1;
    const y = r(b, off, len);
    return y < 0 ? -1 : f(x, y);
  };
}

function relation(op: string, l: Arith, r: Arith): BpfPredicate {
  return (b, _v, off, len) => {
    const x = l(b, off, len);
    if (x < 0) return false;
    const y = r(b, off, len);
    if (y < 0) return false;
    switch (op) {
      case "=":
      case "==":
        return x === y;
      case "!=":
        return x !== y;
      case "<":
        return x < y;
      case "<=":
        return x <= y;
      case ">":
        return x > y;
      default:
        return x >= y;
    }
  };
}

function numberOf(t: string): number | null {
  if (/^0x[0-9a-f]{1,8}$/i.test(t)) return parseInt(t, 16);
  if (/^\d{1,10}$/.test(t) && Number(t) <= 0xffffffff) return Number(t);
  return Object.hasOwn(CONSTANTS, t) ? CONSTANTS[t] : null;
}

/** Parses arithmetic over `toks` from `pos`; `next` is where it stopped. */
class ArithParser {
  pos: number;
  private readonly toks: readonly string[];
  constructor(toks: readonly string[], pos: number) {
    this.toks = toks;
    this.pos = pos;
  }

  private peek(): string | undefined {
    return this.toks[this.pos];
  }

  expr(level = 0): Arith {
    if (level === LEVELS.length) return this.factor();
    let l = this.expr(level + 1);
    for (let op = this.peek(); op !== undefined && LEVELS[level].includes(op); op = this.peek()) {
      this.pos++;
      l = binary(op, l, this.expr(level + 1));
    }
    return l;
  }

  private factor(): Arith {
    const t = this.toks[this.pos++];
    if (t === undefined) throw syntax("unexpected end of expression");
    if (t === "(") {
      const e = this.expr();
      if (this.toks[this.pos++] !== ")") throw syntax("missing ')'");
      return e;
    }
    if (t === "len") return (_b, _o, len) => len;
    if (LAYERS.has(t) && this.peek() === "[") {
      this.pos++;
      const index = this.expr();
      let size = 1;
      if (this.peek() === ":") {
        this.pos++;
        const s = this.toks[this.pos++];
        if (s !== "1" && s !== "2" && s !== "4") throw syntax(`bad size '${s ?? ""}' (1, 2 or 4)`);
        size = Number(s);
      }
      if (this.toks[this.pos++] !== "]") throw syntax("missing ']'");
      return load(t, index, size);
    }
    const n = numberOf(t);
    if (n === null) throw syntax(`unexpected '${t}' in arithmetic`);
    return () => n;
  }
}

/**
 * A relation at `toks[pos]`, or null when the tokens there are not one (then the caller parses
 * a primitive instead: `port 80 or 443` is not arithmetic). Syntax errors inside a started
 * load (`tcp[13`) are thrown.
 */
export function parseRelation(
  toks: readonly string[],
  pos: number,
): { pred: BpfPredicate; next: number } | null {
  const p = new ArithParser(toks, pos);
  let left: Arith;
  try {
    left = p.expr();
  } catch (e) {
    if (toks[pos + 1] === "[") throw e;
    return null;
  }
  const op = toks[p.pos];
  if (op === undefined || !RELOPS.has(op)) {
    if (toks[pos + 1] === "[")
      throw syntax(`expected a comparison after '${toks.slice(pos, p.pos).join("")}'`);
    return null;
  }
  p.pos++;
  const right = p.expr();
  return { pred: relation(op, left, right), next: p.pos };
}

/** Whether a token can begin a relation (tried before the primitives). */
export function mayStartRelation(toks: readonly string[], pos: number): boolean {
  const t = toks[pos];
  if (t === undefined) return false;
  return t === "(" || t === "len" || numberOf(t) !== null || (LAYERS.has(t) && toks[pos + 1] === "[");
}
