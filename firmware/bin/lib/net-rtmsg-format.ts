// `route monitor` output: one routing message as BSD's route(8) prints it (print_rtmsg):
//   got message of size 124 on Sat Dec  5 16:30:00 2026
//   RTM_ADD: Add Route: len 124, pid: 123, seq 1, errno 0, flags:<UP,GATEWAY,DONE,STATIC>
//   locks:  inits:
//   sockaddrs: <DST,GATEWAY,NETMASK>
//    10.2.0.0 10.0.0.1 255.255.0.0
import { KernelError } from "../../kernel/errno.ts";
import { ifFlagNames } from "../../net/stack/ifnet.ts";
import { routeFlagWords } from "../../net/stack/route.ts";
import {
  LINK_STATE_DOWN,
  LINK_STATE_UP,
  RTAX_MAX,
  RTM_ADD,
  RTM_CHANGE,
  RTM_DELADDR,
  RTM_DELETE,
  RTM_GET,
  RTM_IFINFO,
  RTM_MISS,
  RTM_NEWADDR,
  RTM_REDIRECT,
  decodeRtMsg,
  type RoutingMessage,
  type RtAddrs,
  type RtSockaddr,
} from "../../net/socket/rtmsg.ts";
import { AF_INET } from "../../net/socket/constants.ts";
import { formatIpv4 } from "../../net/wire/ipv4-addr.ts";
import { strftime } from "./date-format.ts";

const MSG_TYPES = new Map<number, string>([
  [RTM_ADD, "RTM_ADD: Add Route"],
  [RTM_DELETE, "RTM_DELETE: Delete Route"],
  [RTM_CHANGE, "RTM_CHANGE: Change Metrics or flags"],
  [RTM_GET, "RTM_GET: Report Metrics"],
  [RTM_REDIRECT, "RTM_REDIRECT: Told to use different route"],
  [RTM_MISS, "RTM_MISS: Lookup failed on this address"],
  [RTM_NEWADDR, "RTM_NEWADDR: address being added to iface"],
  [RTM_DELADDR, "RTM_DELADDR: address being removed from iface"],
  [RTM_IFINFO, "RTM_IFINFO: iface status change"],
]);

const METRIC_NAMES = [
  "mtu",
  "hopcount",
  "expire",
  "recvpipe",
  "sendpipe",
  "ssthresh",
  "rtt",
  "rttvar",
  "pksent",
];
const ADDR_NAMES = ["DST", "GATEWAY", "NETMASK", "GENMASK", "IFP", "IFA", "AUTHOR", "BRD"];

/** BSD's bprintf: `<a,b>` of the bits set, nothing at all for none. */
function bits(value: number, names: readonly string[]): string {
  const set = names.filter((_, i) => value & (1 << i));
  return set.length === 0 ? "" : `<${set.join(",")}>`;
}

const routeFlags = (f: number): string => (f === 0 ? "" : routeFlagWords(f));
const ifFlags = (f: number): string => (f === 0 ? "" : `<${ifFlagNames(f)}>`);

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");

/** routename(): `default` for 0.0.0.0, dotted quads, `en0:02:00:…` or `link#2` for interfaces. */
export function sockaddrText(sa: RtSockaddr): string {
  if (sa.family === AF_INET) return sa.addr === 0 ? "default" : formatIpv4(sa.addr);
  if (sa.name === "" && sa.mac.byteLength === 0) return `link#${sa.index}`;
  const mac = [...sa.mac].map(hex2).join(":");
  return sa.name === "" ? mac : mac === "" ? sa.name : `${sa.name}:${mac}`;
}

function addrsText(addrs: RtAddrs): string {
  let mask = 0;
  const shown: string[] = [];
  for (let i = 0; i < RTAX_MAX; i++) {
    const sa = addrs[i];
    if (sa === undefined) continue;
    mask |= 1 << i;
    shown.push(` ${sockaddrText(sa)}`);
  }
  if (mask === 0) return "\n";
  return `\nsockaddrs: ${bits(mask, ADDR_NAMES)}\n${shown.join("")}\n`;
}

function linkState(state: number): string {
  if (state === LINK_STATE_UP) return "carrier: active";
  if (state === LINK_STATE_DOWN) return "carrier: no carrier";
  return "carrier: unknown";
}

/** print_rtmsg for a decoded message of `size` bytes. */
export function formatRtMsg(m: RoutingMessage, size: number): string {
  const head = `${MSG_TYPES.get(m.type) ?? `#${m.type}`}: len ${size}, `;
  switch (m.kind) {
    case "if":
      return `${head}if# ${m.index}, ${linkState(m.data.linkState)}, flags:${ifFlags(m.flags)}${addrsText(m.addrs)}`;
    case "ifa":
      return `${head}metric ${m.metric}, flags:${routeFlags(m.flags)}${addrsText(m.addrs)}`;
    case "route":
      return (
        `${head}pid: ${m.pid}, seq ${m.seq}, errno ${m.errno}, flags:${routeFlags(m.flags)}\n` +
        `locks: ${bits(m.rmx.locks, METRIC_NAMES)} inits: ${bits(m.inits, METRIC_NAMES)}${addrsText(m.addrs)}`
      );
  }
}

/** One message as `route monitor` prints it: the "got message" line, then print_rtmsg. */
export function formatMonitorMessage(data: Uint8Array, whenMs: number, utc: boolean): string {
  const when = strftime("%a %b %e %H:%M:%S %Y", whenMs, utc);
  let body: string;
  try {
    body = formatRtMsg(decodeRtMsg(data), data.byteLength);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    body = `routing message not understood: ${e.message}\n`;
  }
  return `\ngot message of size ${data.byteLength} on ${when}\n${body}`;
}
