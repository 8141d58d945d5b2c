// route's command line, NetBSD grammar (the subset io-pkt's routing table supports):
//   route [-n] show
//   route [-n] get dest
//   route [-n] add [-net | -host] dest [gateway] [-netmask mask] [-ifp if | -iface] [-mtu n]
//                  [-reject | -blackhole]
//   route [-n] delete [-net | -host] dest [gateway] [-netmask mask]
//   route [-n] flush
//   route [-n] monitor [-c count]
// dest: `default`, `a.b.c.d`, `a.b.c.d/len`, or the short network forms `10/8`, `10.1`.
import { UsageError } from "./getopt.ts";
import { parseAddrOperand, requireIpv4, requireNetmask } from "./net-addr-args.ts";

export interface RouteTarget {
  dst: number;
  prefixLen: number;
  /** Only for printing: `net` or `host`. */
  isHost: boolean;
  /** As the user wrote it: `default`, `10.2.0.0`. */
  text: string;
}

export type RouteCommand =
  | { kind: "show"; numeric: boolean }
  | { kind: "flush"; numeric: boolean }
  | { kind: "get"; numeric: boolean; dst: number; text: string }
  | {
      kind: "add";
      numeric: boolean;
      target: RouteTarget;
      gateway: number;
      ifname: string;
      mtu: number;
      reject: boolean;
      blackhole: boolean;
    }
  | { kind: "delete"; numeric: boolean; target: RouteTarget; gateway: number }
  /** Print routing messages until interrupted (or `count` of them; 0: for ever). */
  | { kind: "monitor"; numeric: boolean; count: number };

function parseTarget(text: string, forced: "net" | "host" | null, maskLen: number | null): RouteTarget {
  if (text === "default") return { dst: 0, prefixLen: 0, isHost: false, text: "default" };
  const p = parseAddrOperand(text);
  if (p === null) throw new UsageError(`${text}: bad address`);
  let prefixLen = maskLen ?? p.prefixLen;
  if (forced === "host") prefixLen = 32;
  if (prefixLen === null) {
    if (forced === "net") {
      // BSD infers a network's length from its trailing zero octets (10.2.0.0 -> /16).
      let len = 32;
      while (len > 8 && ((p.addr >>> (32 - len)) & 0xff) === 0) len -= 8;
      prefixLen = len;
    } else {
      prefixLen = 32;
    }
  }
  const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  const dst = (p.addr & mask) >>> 0;
  const shown = [dst >>> 24, (dst >>> 16) & 0xff, (dst >>> 8) & 0xff, dst & 0xff].join(".");
  return { dst, prefixLen, isHost: prefixLen === 32, text: shown };
}

export function parseRouteArgs(args: readonly string[]): RouteCommand {
  let i = 0;
  let numeric = false;
  for (; i < args.length && args[i].startsWith("-"); i++) {
    if (args[i] === "-n") numeric = true;
    else if (args[i] === "-v" || args[i] === "-q") continue;
    else throw new UsageError(`illegal option -- ${args[i].slice(1, 2)}`);
  }
  const verb = args[i++];
  const rest = args.slice(i);
  switch (verb) {
    case undefined:
      throw new UsageError("");
    case "show":
    case "list":
      if (rest.length) throw new UsageError(`${rest[0]}: unexpected argument`);
      return { kind: "show", numeric };
    case "flush":
      return { kind: "flush", numeric };
    case "monitor": {
      if (rest.length === 0) return { kind: "monitor", numeric, count: 0 };
      if (rest.length !== 2 || rest[0] !== "-c" || !/^\d+$/.test(rest[1]))
        throw new UsageError("monitor takes only -c count");
      return { kind: "monitor", numeric, count: Number(rest[1]) };
    }
    case "get": {
      const t = rest.filter((a) => a !== "-net" && a !== "-host" && a !== "-inet");
      if (t.length !== 1) throw new UsageError("get needs one destination");
      const dst = t[0] === "default" ? 0 : requireIpv4(t[0], "address");
      return { kind: "get", numeric, dst, text: t[0] };
    }
    case "add":
    case "delete":
    case "del":
    case "change":
      return parseModify(verb === "del" ? "delete" : verb === "change" ? "add" : verb, numeric, rest);
    default:
      throw new UsageError(`${verb}: unknown command`);
  }
}

function parseModify(verb: "add" | "delete", numeric: boolean, rest: readonly string[]): RouteCommand {
  let forced: "net" | "host" | null = null;
  let maskLen: number | null = null;
  let ifname = "";
  let mtu = 0;
  let reject = false;
  let blackhole = false;
  let iface = false;
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const need = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} requires an argument`);
      return v;
    };
    switch (a) {
      case "-net":
        forced = "net";
        break;
      case "-host":
        forced = "host";
        break;
      case "-inet":
      case "-static":
        break;
      case "-netmask":
        maskLen = requireNetmask(need());
        break;
      case "-ifp":
        ifname = need();
        break;
      case "-iface":
      case "-interface":
        iface = true;
        break;
      case "-mtu": {
        const v = need();
        if (!/^\d+$/.test(v)) throw new UsageError(`${v}: bad mtu`);
        mtu = Number(v);
        break;
      }
      case "-reject":
        reject = true;
        break;
      case "-blackhole":
        blackhole = true;
        break;
      default:
        if (a.startsWith("-")) throw new UsageError(`${a}: unknown modifier`);
        words.push(a);
    }
  }
  if (words.length === 0) throw new UsageError("a destination is required");
  if (words.length > 2) throw new UsageError(`${words[2]}: unexpected argument`);
  const target = parseTarget(words[0], forced, maskLen);
  let gateway = 0;
  if (words.length === 2) {
    // With -iface the "gateway" names the interface (`route add 10/8 en1 -iface`).
    if (iface && !/^\d/.test(words[1])) ifname = words[1];
    else gateway = requireIpv4(words[1], "gateway");
  }
  if (verb === "delete") return { kind: "delete", numeric, target, gateway };
  if (gateway === 0 && ifname === "" && !reject && !blackhole) throw new UsageError("a gateway is required");
  return { kind: "add", numeric, target, gateway, ifname, mtu, reject, blackhole };
}
