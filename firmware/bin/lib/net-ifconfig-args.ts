// ifconfig's command line, NetBSD grammar:
//   ifconfig [-a] | -l [-u|-d] | iface [inet] [alias|-alias|delete] [addr[/len]]
//            [netmask m] [broadcast b] [alias|-alias|delete] [up|down] [mtu n]
//            [promisc|-promisc] [destroy]
// Parsing is pure: it yields what to change; ifconfig.ts applies it in order.
import { UsageError } from "./getopt.ts";
import { classfulPrefix, parseAddrOperand, requireIpv4, requireNetmask } from "./net-addr-args.ts";

export type IfconfigCommand =
  | { kind: "list"; all: true }
  | { kind: "names"; only: "all" | "up" | "down" }
  | { kind: "show"; ifname: string }
  | { kind: "change"; ifname: string; change: IfChange };

export interface IfChange {
  /** "set" replaces the primary address, "alias" adds one, "delete" removes one. */
  addrOp: "set" | "alias" | "delete" | null;
  addr: number | null;
  prefixLen: number | null;
  broadcast: number | null;
  up: boolean | null;
  mtu: number | null;
  promisc: boolean | null;
  destroy: boolean;
}

export function parseIfconfigArgs(args: readonly string[]): IfconfigCommand {
  if (args.length === 0 || (args.length === 1 && args[0] === "-a")) return { kind: "list", all: true };
  if (args[0] === "-l") {
    const rest = args.slice(1);
    if (rest.length === 0) return { kind: "names", only: "all" };
    if (rest.length === 1 && rest[0] === "-u") return { kind: "names", only: "up" };
    if (rest.length === 1 && rest[0] === "-d") return { kind: "names", only: "down" };
    throw new UsageError("");
  }
  if (args[0].startsWith("-")) throw new UsageError(`illegal option -- ${args[0].slice(1, 2)}`);
  const ifname = args[0];
  if (args.length === 1) return { kind: "show", ifname };
  const c: IfChange = {
    addrOp: null,
    addr: null,
    prefixLen: null,
    broadcast: null,
    up: null,
    mtu: null,
    promisc: null,
    destroy: false,
  };
  let aliasWord: "alias" | "delete" | null = null;
  const need = (i: number, what: string): string => {
    const v = args[i];
    if (v === undefined) throw new UsageError(`${what} requires an argument`);
    return v;
  };
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case "inet":
        break;
      case "alias":
      case "add":
        aliasWord = "alias";
        break;
      case "-alias":
      case "delete":
      case "remove":
        aliasWord = "delete";
        break;
      case "netmask":
        c.prefixLen = requireNetmask(need(++i, "netmask"));
        break;
      case "broadcast":
        c.broadcast = requireIpv4(need(++i, "broadcast"), "broadcast address");
        break;
      case "up":
        c.up = true;
        break;
      case "down":
        c.up = false;
        break;
      case "mtu": {
        const v = need(++i, "mtu");
        if (!/^\d+$/.test(v) || Number(v) < 68 || Number(v) > 65535)
          throw new UsageError(`${v}: bad value for mtu`);
        c.mtu = Number(v);
        break;
      }
      case "promisc":
        c.promisc = true;
        break;
      case "-promisc":
        c.promisc = false;
        break;
      case "destroy":
        c.destroy = true;
        break;
      default: {
        if (c.addr !== null) throw new UsageError(`${a}: unexpected argument`);
        const parsed = parseAddrOperand(a);
        if (parsed === null || !/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(a))
          throw new UsageError(`${a}: bad value`);
        c.addr = parsed.addr;
        if (parsed.prefixLen !== null) c.prefixLen = parsed.prefixLen;
      }
    }
  }
  if (aliasWord === "delete") {
    c.addrOp = "delete";
  } else if (c.addr !== null) {
    c.addrOp = aliasWord === "alias" ? "alias" : "set";
    if (c.prefixLen === null) c.prefixLen = classfulPrefix(c.addr);
  } else if (aliasWord === "alias" || c.prefixLen !== null || c.broadcast !== null) {
    throw new UsageError("an address is required");
  }
  return { kind: "change", ifname, change: c };
}
