// tcpdump filter expressions (the pcap-filter language, the useful part) compiled once into a
// synchronous predicate over an Ethernet frame. Supported primitives:
//   [src|dst|src or dst|src and dst] host A | net A/len | net A mask M | net A.B (classful)
//   [tcp|udp] [src|dst] port N | portrange N-M
//   ether [src|dst|host] MAC | ether broadcast | ether multicast | broadcast | multicast
//   ip | ip6 | arp | tcp | udp | icmp | vlan [id] | proto N | ip proto N | less N | greater N
//   relations: proto[off:size] op value, len, arithmetic (tcpdump-relation.ts)
// combined with and/&&, or/||, not/!, parentheses; a bare address or number after and/or
// reuses the previous qualifiers (`host 10.0.0.1 or 10.0.0.2`), as tcpdump does.
import { KernelError } from "../../kernel/errno.ts";
import { parseCidr, parseIpv4, prefixToMask } from "../wire/ipv4-addr.ts";
import { MAC_BROADCAST, parseMac, readMac } from "../wire/mac.ts";
import type { BpfPredicate } from "./bpf.ts";
import { mayStartRelation, parseRelation } from "./tcpdump-relation.ts";

type Dir = "src" | "dst" | "either" | "both";
type Pred = BpfPredicate;

interface Qual {
  proto: "tcp" | "udp" | "ip" | "arp" | null;
  dir: Dir;
  kind: "host" | "net" | "port";
}

function syntax(msg: string): KernelError {
  return new KernelError("EINVAL", `syntax error in filter expression: ${msg}`);
}

function tokenize(text: string): string[] {
  const toks: string[] = [];
  const re = /\s*(\(|\)|\[|\]|&&|\|\||!=|==|<=|>=|<<|>>|[!<>=&|^+*%]|[A-Za-z0-9_.:/\\-]+)/y;
  let i = 0;
  let brackets = 0;
  while (i < text.length) {
    if (/^\s*$/.test(text.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(text);
    if (m === null) throw syntax(`unexpected '${text.slice(i).trim()[0]}'`);
    const t = m[1];
    if (t === "[") brackets++;
    if (t === "]") brackets--;
    // Inside `tcp[13:1]` a colon is the size separator, not part of a MAC address.
    if (brackets > 0 && t.includes(":") && t !== ":") {
      for (const [k, part] of t.split(":").entries()) {
        if (k > 0) toks.push(":");
        if (part !== "") toks.push(part);
      }
    } else toks.push(t);
    i = re.lastIndex;
  }
  return toks;
}

// ---- frame accessors (all bounds-checked; a short frame simply does not match) ----

const ETH = 14;
function etype(b: Uint8Array, off: number, len: number): number {
  return len >= ETH ? (b[off + 12] << 8) | b[off + 13] : -1;
}
function isIp(b: Uint8Array, off: number, len: number): boolean {
  return len >= ETH + 20 && etype(b, off, len) === 0x0800 && b[off + ETH] >>> 4 === 4;
}
function isArp(b: Uint8Array, off: number, len: number): boolean {
  return len >= ETH + 28 && etype(b, off, len) === 0x0806;
}
/** Offset of the transport header of an unfragmented-or-first IPv4 fragment, else -1. */
function l4(b: Uint8Array, off: number, len: number): number {
  if (!isIp(b, off, len)) return -1;
  if (((b[off + 20] << 8) | b[off + 21]) & 0x1fff) return -1;
  const o = off + ETH + ((b[off + ETH] & 0x0f) << 2);
  return o + 4 <= off + len ? o : -1;
}

const TRUE: Pred = () => true;

function hostPred(dir: Dir, addr: number, mask: number, proto: Qual["proto"]): Pred {
  const a = (addr & mask) >>> 0;
  const m = (x: number) => (x & mask) >>> 0 === a;
  const pick = (s: boolean, d: boolean): boolean =>
    dir === "src" ? s : dir === "dst" ? d : dir === "both" ? s && d : s || d;
  const ipP: Pred = (b, v, off, len) =>
    isIp(b, off, len) && pick(m(v.getUint32(off + 26)), m(v.getUint32(off + 30)));
  const arpP: Pred = (b, v, off, len) =>
    isArp(b, off, len) && pick(m(v.getUint32(off + 28)), m(v.getUint32(off + 38)));
  if (proto === "ip") return ipP;
  if (proto === "arp") return arpP;
  return (b, v, off, len) => ipP(b, v, off, len) || arpP(b, v, off, len);
}

function portPred(dir: Dir, lo: number, hi: number, proto: Qual["proto"]): Pred {
  const protos = proto === "tcp" ? [6] : proto === "udp" ? [17] : [6, 17];
  return (b, _v, off, len) => {
    const o = l4(b, off, len);
    if (o < 0 || !protos.includes(b[off + 23])) return false;
    const s = (b[o] << 8) | b[o + 1];
    const d = (b[o + 2] << 8) | b[o + 3];
    const sm = s >= lo && s <= hi;
    const dm = d >= lo && d <= hi;
    return dir === "src" ? sm : dir === "dst" ? dm : dir === "both" ? sm && dm : sm || dm;
  };
}

function protoPred(n: number): Pred {
  return (b, _v, off, len) => isIp(b, off, len) && b[off + 23] === n;
}

function macPred(dir: Dir, mac: number): Pred {
  return (b, _v, off, len) => {
    if (len < ETH) return false;
    const d = readMac(b, off) === mac;
    const s = readMac(b, off + 6) === mac;
    return dir === "src" ? s : dir === "dst" ? d : dir === "both" ? s && d : s || d;
  };
}

/** A classful or CIDR network: `10`, `10.1`, `10.1.2`, `10.1.2.0/24`. */
function parseNet(text: string): { addr: number; prefixLen: number } | null {
  if (text.includes("/")) return parseCidr(text);
  const parts = text.split(".");
  if (parts.length < 1 || parts.length > 4) return null;
  const addr = parseIpv4([...parts, "0", "0", "0"].slice(0, 4).join("."));
  return addr === null ? null : { addr, prefixLen: parts.length * 8 };
}

class Parser {
  private readonly toks: string[];
  private i = 0;
  private last: Qual | null = null;

  constructor(toks: string[]) {
    this.toks = toks;
  }

  private peek(): string | undefined {
    return this.toks[this.i];
  }
  private next(): string {
    const t = this.toks[this.i++];
    if (t === undefined) throw syntax("unexpected end of expression");
    return t;
  }
  private accept(...words: string[]): boolean {
    if (words.includes(this.peek() ?? "")) {
      this.i++;
      return true;
    }
    return false;
  }

  parse(): Pred {
    if (this.toks.length === 0) return TRUE;
    const p = this.or();
    if (this.i < this.toks.length) throw syntax(`unexpected '${this.toks[this.i]}'`);
    return p;
  }

  private or(): Pred {
    let p = this.and();
    while (this.accept("or", "||")) {
      const l = p;
      const r = this.and();
      p = (b, v, o, n) => l(b, v, o, n) || r(b, v, o, n);
    }
    return p;
  }

  private and(): Pred {
    let p = this.not();
    while (this.accept("and", "&&")) {
      const l = p;
      const r = this.not();
      p = (b, v, o, n) => l(b, v, o, n) && r(b, v, o, n);
    }
    return p;
  }

  private not(): Pred {
    if (this.accept("not", "!")) {
      const p = this.not();
      return (b, v, o, n) => !p(b, v, o, n);
    }
    if (mayStartRelation(this.toks, this.i)) {
      const r = parseRelation(this.toks, this.i);
      if (r !== null) {
        this.i = r.next;
        return r.pred;
      }
    }
    if (this.accept("(")) {
      const p = this.or();
      if (!this.accept(")")) throw syntax("missing ')'");
      return p;
    }
    return this.primitive();
  }

  private dir(): Dir | null {
    if (this.accept("src")) {
      if (this.peek() === "or" && this.toks[this.i + 1] === "dst") {
        this.i += 2;
        return "either";
      }
      if (this.peek() === "and" && this.toks[this.i + 1] === "dst") {
        this.i += 2;
        return "both";
      }
      return "src";
    }
    if (this.accept("dst")) return "dst";
    return null;
  }

  private number(t: string, max: number): number {
    if (!/^\d+$/.test(t) || Number(t) > max) throw syntax(`bad number '${t}'`);
    return Number(t);
  }

  private primitive(): Pred {
    const t = this.peek();
    if (t === undefined) throw syntax("unexpected end of expression");
    switch (t) {
      case "ether":
        return this.ether();
      case "broadcast":
        this.i++;
        return macPred("dst", MAC_BROADCAST);
      case "multicast":
        this.i++;
        return (b, _v, off, len) => len >= ETH && (b[off] & 1) === 1;
      case "ip6":
        this.i++;
        return (b, _v, off, len) => etype(b, off, len) === 0x86dd;
      case "icmp":
        this.i++;
        return protoPred(1);
      case "vlan": {
        this.i++;
        const id =
          this.peek() !== undefined && /^\d+$/.test(this.peek() as string)
            ? this.number(this.next(), 4095)
            : -1;
        return (b, _v, off, len) =>
          etype(b, off, len) === 0x8100 &&
          len >= 18 &&
          (id < 0 || (((b[off + 14] << 8) | b[off + 15]) & 0xfff) === id);
      }
      case "less":
      case "greater": {
        this.i++;
        const n = this.number(this.next(), 1 << 20);
        return t === "less" ? (_b, _v, _o, len) => len <= n : (_b, _v, _o, len) => len >= n;
      }
      case "proto": {
        this.i++;
        return protoPred(this.protoNumber(this.next()));
      }
    }
    // [ip|arp|tcp|udp] [src|dst] [host|net|port|portrange] value
    let proto: Qual["proto"] = null;
    if (t === "ip" || t === "arp" || t === "tcp" || t === "udp") {
      this.i++;
      proto = t;
      if (t === "ip" && this.accept("proto")) return protoPred(this.protoNumber(this.next()));
    }
    const dir = this.dir();
    const kw = this.peek();
    if (kw === "host" || kw === "net" || kw === "port" || kw === "portrange") {
      this.i++;
      return this.value(kw, proto, dir ?? "either");
    }
    if (dir !== null || (kw !== undefined && this.isValue(kw))) {
      // `src 10.0.0.1`, `tcp src 80`, or a bare value inheriting the previous qualifiers.
      const q = this.last;
      const kind: Qual["kind"] =
        dir === null && q !== null
          ? q.kind
          : /^\d+$/.test(kw ?? "")
            ? "port"
            : (kw ?? "").includes("/")
              ? "net"
              : "host";
      if (dir === null && proto === null && q === null)
        throw syntax(`'${kw}' needs a qualifier (host, net, port)`);
      return this.value(kind, proto ?? (dir === null ? (q?.proto ?? null) : null), dir ?? q?.dir ?? "either");
    }
    if (proto === "ip") return (b, _v, off, len) => isIp(b, off, len);
    if (proto === "arp") return (b, _v, off, len) => isArp(b, off, len);
    if (proto === "tcp") return protoPred(6);
    if (proto === "udp") return protoPred(17);
    throw syntax(`unknown primitive '${t}'`);
  }

  private isValue(t: string): boolean {
    return /^[\d.]+(\/\d+)?$/.test(t);
  }

  private protoNumber(t: string): number {
    const named: Record<string, number> = {
      icmp: 1,
      igmp: 2,
      tcp: 6,
      udp: 17,
      "\\icmp": 1,
      "\\tcp": 6,
      "\\udp": 17,
    };
    if (t in named) return named[t];
    return this.number(t, 255);
  }

  private value(kind: string, proto: Qual["proto"], dir: Dir): Pred {
    const t = this.next();
    if (kind === "port" || kind === "portrange") {
      this.last = { proto, dir, kind: "port" };
      if (kind === "portrange") {
        const m = /^(\d+)-(\d+)$/.exec(t);
        if (m === null) throw syntax(`bad port range '${t}'`);
        return portPred(dir, this.number(m[1], 65535), this.number(m[2], 65535), proto);
      }
      const n = this.number(t, 65535);
      return portPred(dir, n, n, proto);
    }
    if (proto === "tcp" || proto === "udp") throw syntax(`'${proto} ${kind}' is not valid`);
    if (kind === "host") {
      const a = parseIpv4(t);
      if (a === null) throw syntax(`bad host address '${t}'`);
      this.last = { proto, dir, kind: "host" };
      return hostPred(dir, a, 0xffffffff, proto);
    }
    const net = parseNet(t);
    if (net === null) throw syntax(`bad network '${t}'`);
    let prefix = net.prefixLen;
    if (this.accept("mask")) {
      const m = parseIpv4(this.next());
      if (m === null) throw syntax("bad mask");
      this.last = { proto, dir, kind: "net" };
      return hostPred(dir, net.addr, m, proto);
    }
    if (prefix < 0) prefix = 32;
    this.last = { proto, dir, kind: "net" };
    return hostPred(dir, net.addr, prefixToMask(prefix), proto);
  }

  private ether(): Pred {
    this.i++;
    if (this.accept("broadcast")) return macPred("dst", MAC_BROADCAST);
    if (this.accept("multicast")) return (b, _v, off, len) => len >= ETH && (b[off] & 1) === 1;
    if (this.accept("proto")) {
      const t = this.next();
      const named: Record<string, number> = {
        ip: 0x800,
        arp: 0x806,
        ip6: 0x86dd,
        "\\ip": 0x800,
        "\\arp": 0x806,
      };
      const n =
        t in named ? named[t] : /^0x[0-9a-f]{1,4}$/i.test(t) ? parseInt(t, 16) : this.number(t, 0xffff);
      return (b, _v, off, len) => etype(b, off, len) === n;
    }
    const dir: Dir = this.dir() ?? "either";
    this.accept("host"); // `ether host M` = `ether M`
    const mac = parseMac(this.next());
    if (mac === null) throw syntax("bad MAC address");
    return macPred(dir, mac);
  }
}

/** Compiles a filter expression; throws KernelError(EINVAL) with a tcpdump-like message. */
export function compileFilter(text: string): BpfPredicate {
  return new Parser(tokenize(text)).parse();
}
