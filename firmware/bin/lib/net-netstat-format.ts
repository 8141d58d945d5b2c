// `netstat -i` and `netstat -s`, NetBSD style.
//   Name  Mtu   Network       Address              Ipkts Ierrs Idrop    Opkts Oerrs Colls
//   en0   1500  <Link>        02:00:00:00:00:01        12     0     0       10     0     0
//   en0   1500  10.0.0/24     10.0.0.1                 12     0     0       10     0     0
// Idrop (FreeBSD's column) counts every input drop: the stack's and those below it (host
// ring, host interface, port, receive queue), so a flood's losses show here.
import { IFF_UP } from "../../net/stack/ifnet.ts";
import { formatIpv4, formatNetShort, prefixToMask } from "../../net/wire/ipv4-addr.ts";
import { formatMac } from "../../net/wire/mac.ts";
import type { IfView, NetStatsView } from "./net-view.ts";

const fit = (s: string, w: number): string => (s.length > w ? s.slice(0, w) : s.padEnd(w));

export function netstatIfHeader(): string {
  return `${fit("Name", 5)} ${fit("Mtu", 5)} ${fit("Network", 13)} ${fit("Address", 17)} ${"Ipkts".padStart(8)} ${"Ierrs".padStart(5)} ${"Idrop".padStart(5)} ${"Opkts".padStart(8)} ${"Oerrs".padStart(5)} ${"Colls".padStart(5)}\n`;
}

/** One interface: its link line, then one line per IPv4 address. A down interface is `name*`. */
export function netstatIfLines(ifv: IfView): string {
  const name = (ifv.flags & IFF_UP) === 0 ? `${ifv.name}*` : ifv.name;
  const c = ifv.counters;
  const tail = `${String(c.ipackets).padStart(8)} ${String(c.ierrors).padStart(5)} ${String(c.iqdrops).padStart(5)} ${String(c.opackets).padStart(8)} ${String(c.oerrors).padStart(5)} ${String(c.collisions).padStart(5)}`;
  const row = (net: string, addr: string) =>
    `${fit(name, 5)} ${fit(String(ifv.mtu), 5)} ${fit(net, 13)} ${fit(addr, 17)} ${tail}\n`;
  let out = row("<Link>", ifv.mac !== 0 ? formatMac(ifv.mac) : "");
  for (const a of ifv.addrs) {
    const net = (a.addr & prefixToMask(a.prefixLen)) >>> 0;
    out += row(formatNetShort(net, a.prefixLen), formatIpv4(a.addr));
  }
  return out;
}

export function formatNetstatInterfaces(ifs: readonly IfView[]): string {
  return netstatIfHeader() + ifs.map(netstatIfLines).join("");
}

const plural = (n: number, one = "", many = "s"): string => (n === 1 ? one : many);

/** `<n> <what>` lines; `%s` in the text becomes the plural suffix, `%y` becomes y or ies. */
function lines(stats: Record<string, unknown>, table: ReadonlyArray<readonly [string, string]>): string {
  let out = "";
  for (const [key, text] of table) {
    const v = stats[key];
    if (typeof v !== "number") continue;
    out += `\t${v} ${text.replace("%s", plural(v)).replace("%y", plural(v, "y", "ies"))}\n`;
  }
  return out;
}

const IP_LINES: ReadonlyArray<readonly [string, string]> = [
  ["total", "total packet%s received"],
  ["badsum", "bad header checksum%s"],
  ["toosmall", "with size smaller than minimum"],
  ["tooshort", "with data size < data length"],
  ["badhlen", "with header length < data size"],
  ["badlen", "with data length < header length"],
  ["badvers", "with incorrect version number"],
  ["badaddr", "with bad source address"],
  ["fragments", "fragment%s received"],
  ["fragdropped", "fragment%s dropped (dup or out of space)"],
  ["fragtimeout", "fragment%s dropped after timeout"],
  ["reassembled", "packet%s reassembled ok"],
  ["toolong", "with length > max ip packet size"],
  ["delivered", "packet%s for this host"],
  ["noproto", "packet%s for unknown/unsupported protocol"],
  ["forward", "packet%s forwarded"],
  ["cantforward", "packet%s not forwardable"],
  ["redirectsent", "redirect%s sent"],
  ["noroute", "packet%s no route"],
  ["notmember", "multicast packet%s which we don't join"],
  ["localout", "packet%s sent from this host"],
  ["odropped", "output packet%s dropped due to no bufs, etc."],
  ["fragmented", "output datagram%s fragmented"],
  ["ofragments", "fragment%s created"],
  ["cantfrag", "datagram%s that can't be fragmented"],
  ["pfildrops", "datagram%s dropped by IP filters"],
  ["badoptions", "packet%s with bad options"],
];

/** NetBSD's icmpnames: the histogram labels. */
export const ICMP_NAMES: readonly string[] = [
  "echo reply",
  "#1",
  "#2",
  "destination unreachable",
  "source quench",
  "routing redirect",
  "alternate host address",
  "#7",
  "echo",
  "router advertisement",
  "router solicitation",
  "time exceeded",
  "parameter problem",
  "time stamp",
  "time stamp reply",
  "information request",
  "information request reply",
  "address mask request",
  "address mask reply",
];

function histogram(title: string, hist: unknown): string {
  if (!Array.isArray(hist)) return "";
  let out = "";
  hist.forEach((n: unknown, type) => {
    if (typeof n === "number" && n > 0) out += `\t\t${ICMP_NAMES[type] ?? `#${type}`}: ${n}\n`;
  });
  return out ? `\t${title}:\n${out}` : "";
}

const ICMP_LINES_A: ReadonlyArray<readonly [string, string]> = [
  ["error", "call%s to icmp_error"],
  ["oldicmp", "error%s not generated because old message was icmp"],
  ["ratelimited", "error%s not generated because of rate limitation"],
];
const ICMP_LINES_B: ReadonlyArray<readonly [string, string]> = [
  ["badcode", "message%s with bad code fields"],
  ["tooshort", "message%s < minimum length"],
  ["checksum", "bad checksum%s"],
  ["badlen", "message%s with bad length"],
  ["bmcastecho", "broadcast/multicast echo request%s ignored"],
  ["badredirect", "bad routing redirect%s"],
  ["rtdynamic", "dynamically created route%s"],
  ["rtnewgateway", "new gateway%s due to redirects"],
];

/** NetBSD's udp section of netstat -s. */
const UDP_LINES: ReadonlyArray<readonly [string, string]> = [
  ["ipackets", "datagram%s received"],
  ["hdrops", "with incomplete header"],
  ["badlen", "with bad data length field"],
  ["badsum", "with bad checksum"],
  ["noport", "dropped due to no socket"],
  ["noportbcast", "broadcast/multicast datagram%s dropped due to no socket"],
  ["fullsock", "dropped due to full socket buffers"],
  ["delivered", "delivered"],
  ["opackets", "datagram%s output"],
  ["oerrors", "output error%s"],
];

const IGMP_LINES: ReadonlyArray<readonly [string, string]> = [
  ["rcvtotal", "message%s received"],
  ["rcvtooshort", "message%s received with too few bytes"],
  ["rcvbadsum", "message%s received with bad checksum"],
  ["rcvqueries", "membership quer%y received"],
  ["rcvreports", "membership report%s received"],
  ["sndreports", "membership report%s sent"],
  ["sndleaves", "leave message%s sent"],
];

/** One line of netstat -a's socket list, as NetBSD prints it (addresses numeric, `*` for any). */
export function formatSocketLine(s: {
  proto: string;
  recvQ: number;
  sendQ: number;
  local: string;
  foreign: string;
  state: string;
}): string {
  return `${s.proto.padEnd(5)} ${String(s.recvQ).padStart(6)} ${String(s.sendQ).padStart(6)}  ${s.local.padEnd(22)} ${s.foreign.padEnd(22)} ${s.state}`.trimEnd();
}

/** NetBSD netstat's "Active UNIX domain sockets" section (Inode, Conn, Refs, Nextref: 0 here). */
export function formatUnixSockets(
  socks: ReadonlyArray<{
    id: number;
    type: number;
    recvQ: number;
    sendQ: number;
    local: { family: string; path?: string } | null;
  }>,
): string {
  const head =
    "Active UNIX domain sockets\nAddress  Type   Recv-Q Send-Q    Inode     Conn     Refs  Nextref Addr\n";
  const rows = socks.map((s) => {
    const type = s.type === 1 ? "stream" : "dgram";
    const path = s.local?.path ?? "";
    return `${s.id.toString(16).padStart(8, "0")} ${type.padEnd(6)} ${String(s.recvQ).padStart(6)} ${String(s.sendQ).padStart(6)} ${"0".padStart(8)} ${"0".padStart(8)} ${"0".padStart(8)} ${"0".padStart(8)} ${path}`.trimEnd();
  });
  return head + rows.map((r) => `${r}\n`).join("");
}

const ARP_LINES: ReadonlyArray<readonly [string, string]> = [
  ["txrequests", "request%s sent"],
  ["txreplies", "repl%y sent"],
  ["received", "packet%s received"],
  ["rxrequests", "request%s received"],
  ["rxreplies", "repl%y received"],
  ["tooshort", "packet%s with short header"],
  ["badhdr", "packet%s with unknown hardware or protocol type"],
  ["badop", "packet%s with unknown operation"],
  ["badaddr", "packet%s with bad sender address"],
  ["dupips", "duplicate%s for our addresses"],
  ["timeouts", "resolution%s timed out"],
  ["unsolicited", "unsolicited repl%y ignored"],
  ["evicted", "entr%y evicted from a full table"],
  ["held", "packet%s held awaiting resolution"],
  ["dropped", "packet%s dropped awaiting resolution"],
];

const ETHER_LINES: ReadonlyArray<readonly [string, string]> = [
  ["frames", "frame%s received"],
  ["tooshort", "frame%s too short"],
  ["notforus", "frame%s not for us"],
  ["vlandrops", "frame%s for an unknown VLAN"],
  ["unknowntype", "frame%s with unknown ethertype"],
  ["pfildrops", "frame%s dropped by filters"],
  ["nobufs", "frame%s dropped: no buffers"],
  ["handed", "frame%s handed to other protocols"],
];

/** NetBSD's tcp_stats lines (the ones our counters feed). */
const TCP_LINES: ReadonlyArray<readonly [string, string]> = [
  ["sndtotal", "packet%s sent"],
  ["sndpack", "data packet%s sent"],
  ["sndbyte", "data byte%s sent"],
  ["sndrexmitpack", "data packet%s retransmitted"],
  ["sndrexmitbyte", "data byte%s retransmitted"],
  ["sndrexmitbad", "data packet%s unnecessarily retransmitted"],
  ["lostrexmt", "lost retransmission%s sent again"],
  ["sndacks", "ack-only packet%s"],
  ["delack", "delayed ack%s sent"],
  ["sndprobe", "window probe%s"],
  ["sndwinup", "window update packet%s"],
  ["sndctrl", "control packet%s"],
  ["sndrst", "reset%s sent"],
  ["rstratelimited", "reset%s not sent (rate limit)"],
  ["selfquench", "send attempt%s resulted in self-quench"],
  ["rcvtotal", "packet%s received"],
  ["rcvackpack", "ack%s (for data)"],
  ["rcvackbyte", "byte%s acked"],
  ["rcvdupack", "duplicate ack%s"],
  ["rcvacktoomuch", "ack%s for unsent data"],
  ["rcvpack", "packet%s received in-sequence"],
  ["rcvbyte", "byte%s received in-sequence"],
  ["rcvduppack", "completely duplicate packet%s"],
  ["rcvdupbyte", "completely duplicate byte%s"],
  ["rcvpartduppack", "packet%s with some dup. data"],
  ["rcvoopack", "out-of-order packet%s"],
  ["rcvoobyte", "out-of-order byte%s"],
  ["reassdrop", "out-of-order packet%s dropped (queue full)"],
  ["rcvpackafterwin", "packet%s of data after window"],
  ["rcvwinprobe", "window probe%s"],
  ["rcvwinupd", "window update packet%s"],
  ["rcvbadsum", "discarded for bad checksum%s"],
  ["rcvbadoff", "discarded for bad header offset field%s"],
  ["pawsdrop", "packet%s dropped by PAWS"],
  ["challengeack", "challenge ACK%s sent (RFC 5961)"],
  ["connattempt", "connection request%s"],
  ["accepts", "connection accept%s"],
  ["connects", "connection%s established (including accepts)"],
  ["closed", "connection%s closed"],
  ["drops", "connection%s dropped"],
  ["conndrops", "embryonic connection%s dropped"],
  ["rexmttimeo", "retransmit timeout%s"],
  ["persisttimeo", "persist timeout%s"],
  ["keeptimeo", "keepalive timeout%s"],
  ["keepprobe", "keepalive probe%s sent"],
  ["keepdrops", "connection%s dropped by keepalive"],
  ["fastrexmt", "fast retransmit%s"],
  ["sackrecovery", "SACK recovery episode%s"],
  ["listendrop", "connection%s dropped: accept queue full"],
  ["badsyn", "bogus SYN%s (e.g. premature ACK)"],
  ["icmpbadseq", "ICMP error%s ignored: quoted sequence outside the send window"],
  ["icmpdrops", "connection%s dropped by ICMP unreachable"],
  ["pmtuupdates", "path MTU update%s from ICMP"],
  ["sc_added", "SYN cache entr%y added"],
  ["sc_completed", "SYN cache connection%s completed"],
  ["sc_timed_out", "SYN cache entr%y timed out"],
  ["sc_bucketoverflow", "SYN cache entr%y dropped: bucket full"],
  ["sc_dupesyn", "duplicate SYN%s received for SYN cache entries"],
  ["sc_retransmitted", "SYN-ACK%s retransmitted"],
  ["sc_aborted", "SYN cache entr%y aborted by RST"],
  ["sc_cookies_sent", "SYN cookie%s sent"],
  ["sc_cookies_ok", "SYN cookie%s accepted"],
  ["sc_cookies_bad", "SYN cookie%s rejected"],
];

/** `netstat -s`: ip, icmp, tcp, udp, igmp, arp, ether (and the buffer pool), every counter shown, zeros too. */
export function formatNetstatStats(s: NetStatsView, only?: string): string {
  const sections: Array<[string, () => string]> = [
    ["ip", () => lines(s.ip, IP_LINES)],
    [
      "icmp",
      () =>
        lines(s.icmp, ICMP_LINES_A) +
        histogram("Output histogram", s.icmp.outhist) +
        lines(s.icmp, ICMP_LINES_B) +
        histogram("Input histogram", s.icmp.inhist) +
        (typeof s.icmp.reflect === "number"
          ? `\t${s.icmp.reflect} message response${plural(s.icmp.reflect)} generated\n`
          : ""),
    ],
    ["arp", () => lines(s.arp, ARP_LINES)],
    ["ether", () => lines(s.ether, ETHER_LINES)],
  ];
  const udp = s.udp;
  if (udp) sections.splice(2, 0, ["udp", () => lines(udp, UDP_LINES)]);
  const igmp = s.igmp;
  if (igmp) sections.splice(3, 0, ["igmp", () => lines(igmp, IGMP_LINES)]);
  const tcp = s.tcp;
  if (tcp) sections.splice(2, 0, ["tcp", () => lines(tcp, TCP_LINES)]);
  if (s.pbuf) {
    const p = s.pbuf;
    sections.push([
      "pbuf",
      () =>
        Object.entries(p)
          .map(([k, v]) => `\t${v} ${k}\n`)
          .join(""),
    ]);
  }
  return sections
    .filter(([name]) => only === undefined || only === name)
    .map(([name, body]) => `${name}:\n${body()}`)
    .join("");
}
