// One line per frame, as `tcpdump -n` prints it (`-e` adds the link-level header), for the
// protocols this stack speaks: ARP, IPv4 with ICMP, UDP and TCP summaries, IPv6 and VLAN heads.
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_VLAN,
  ethertypeName,
} from "../wire/ethernet.ts";
import { formatIpv4 } from "../wire/ipv4-addr.ts";
import { ipProtoName } from "../wire/ipv4.ts";
import { formatMac, readMac } from "../wire/mac.ts";

export interface FormatOptions {
  /** -e: print the Ethernet header. */
  link?: boolean;
  /** Minutes east of UTC for the time of day (tcpdump prints local time). */
  tzOffsetMin?: number;
}

/** `12:00:00.123456` from wall time in milliseconds (fractional for microseconds). */
export function formatTimestamp(tsMs: number, tzOffsetMin = 0): string {
  const us = Math.round(tsMs * 1000) + tzOffsetMin * 60_000_000;
  const dayUs = 86_400_000_000;
  const t = ((us % dayUs) + dayUs) % dayUs;
  const sec = Math.floor(t / 1_000_000);
  const p2 = (n: number) => String(n).padStart(2, "0");
  return `${p2(Math.floor(sec / 3600))}:${p2(Math.floor(sec / 60) % 60)}:${p2(sec % 60)}.${String(t % 1_000_000).padStart(6, "0")}`;
}

export function formatPacketLine(tsMs: number, frame: Uint8Array, opts: FormatOptions = {}): string {
  return `${formatTimestamp(tsMs, opts.tzOffsetMin ?? 0)} ${formatFrame(frame, opts)}`;
}

/** The text after the timestamp. */
export function formatFrame(f: Uint8Array, opts: FormatOptions = {}): string {
  if (f.length < 14) return `[|ether]`;
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  let type = (f[12] << 8) | f[13];
  let off = 14;
  let head = "";
  const etherText = (t: number) => `ethertype ${ethertypeName(t)} (0x${t.toString(16).padStart(4, "0")})`;
  if (opts.link)
    head = `${formatMac(readMac(f, 6))} > ${formatMac(readMac(f, 0))}, ${etherText(type)}, length ${f.length}: `;
  if (type === ETHERTYPE_VLAN) {
    if (f.length < 18) return `${head}[|vlan]`;
    const tci = (f[14] << 8) | f[15];
    type = (f[16] << 8) | f[17];
    off = 18;
    head += `vlan ${tci & 0xfff}, p ${tci >>> 13}, ${etherText(type)}, `;
  }
  switch (type) {
    case ETHERTYPE_ARP:
      return head + formatArp(f, v, off);
    case ETHERTYPE_IPV4:
      return head + formatIp(f, v, off);
    case ETHERTYPE_IPV6:
      return head + formatIp6(f, off);
    default:
      if (opts.link) return `${head.slice(0, -2)}`;
      return `${formatMac(readMac(f, 6))} > ${formatMac(readMac(f, 0))}, ${etherText(type)}, length ${f.length}`;
  }
}

function formatArp(f: Uint8Array, v: DataView, off: number): string {
  const len = f.length - off;
  if (len < 8) return "ARP, [|arp]";
  const op = (f[off + 6] << 8) | f[off + 7];
  const ether4 =
    f[off + 1] === 1 && f[off + 2] === 8 && f[off + 3] === 0 && f[off + 4] === 6 && f[off + 5] === 4;
  if (!ether4 || len < 28)
    return `ARP, ${op === 1 ? "Request" : op === 2 ? "Reply" : `Unknown (${op})`}, length ${len}`;
  const spa = formatIpv4(v.getUint32(off + 14));
  const tpa = formatIpv4(v.getUint32(off + 24));
  if (op === 1) return `ARP, Request who-has ${tpa} tell ${spa}, length ${len}`;
  if (op === 2) return `ARP, Reply ${spa} is-at ${formatMac(readMac(f, off + 8))}, length ${len}`;
  return `ARP, Unknown (${op}), length ${len}`;
}

const UNREACH_TEXT: Record<number, string> = {
  5: "source route failed",
  6: "net unknown",
  7: "host unknown",
  9: "net prohibited",
  10: "host prohibited",
  13: "administratively prohibited filter",
};

function formatIp(f: Uint8Array, v: DataView, off: number): string {
  if (f.length - off < 20) return "IP [|ip]";
  const hlen = (f[off] & 0x0f) << 2;
  const tlen = (f[off + 2] << 8) | f[off + 3];
  const frag = ((f[off + 6] << 8) | f[off + 7]) & 0x1fff;
  const proto = f[off + 9];
  const src = formatIpv4(v.getUint32(off + 12));
  const dst = formatIpv4(v.getUint32(off + 16));
  const l4 = off + hlen;
  const end = Math.min(f.length, off + tlen);
  const plen = tlen - hlen;
  if (frag !== 0) return `IP ${src} > ${dst}: ${ipProtoName(proto)}`;
  if (proto === 1) return `IP ${src} > ${dst}: ${formatIcmp(f, v, l4, end, plen)}`;
  if (proto === 17) {
    if (end - l4 < 8) return `IP ${src} > ${dst}: UDP [|udp]`;
    const sp = (f[l4] << 8) | f[l4 + 1];
    const dp = (f[l4 + 2] << 8) | f[l4 + 3];
    const ulen = (f[l4 + 4] << 8) | f[l4 + 5];
    return `IP ${src}.${sp} > ${dst}.${dp}: UDP, length ${ulen - 8}`;
  }
  if (proto === 6) {
    if (end - l4 < 20) return `IP ${src} > ${dst}: TCP [|tcp]`;
    const sp = (f[l4] << 8) | f[l4 + 1];
    const dp = (f[l4 + 2] << 8) | f[l4 + 3];
    const seq = v.getUint32(l4 + 4);
    const ack = v.getUint32(l4 + 8);
    const thl = (f[l4 + 12] >>> 4) << 2;
    const fl = f[l4 + 13];
    const win = (f[l4 + 14] << 8) | f[l4 + 15];
    const dlen = Math.max(0, plen - thl);
    let flags = "";
    if (fl & 0x02) flags += "S";
    if (fl & 0x01) flags += "F";
    if (fl & 0x04) flags += "R";
    if (fl & 0x08) flags += "P";
    if (fl & 0x20) flags += "U";
    if (fl & 0x40) flags += "E";
    if (fl & 0x80) flags += "W";
    if (fl & 0x10) flags += ".";
    let s = `IP ${src}.${sp} > ${dst}.${dp}: Flags [${flags || "none"}]`;
    if (dlen > 0 || fl & 0x03) s += dlen > 0 ? `, seq ${seq}:${(seq + dlen) >>> 0}` : `, seq ${seq}`;
    if (fl & 0x10) s += `, ack ${ack}`;
    return `${s}, win ${win}, length ${dlen}`;
  }
  return `IP ${src} > ${dst}: ${ipProtoName(proto)} ${plen}`;
}

function formatIcmp(f: Uint8Array, v: DataView, o: number, end: number, len: number): string {
  if (end - o < 4) return "ICMP [|icmp]";
  const type = f[o];
  const code = f[o + 1];
  const tail = `, length ${len}`;
  if ((type === 0 || type === 8) && end - o >= 8) {
    const id = (f[o + 4] << 8) | f[o + 5];
    const seq = (f[o + 6] << 8) | f[o + 7];
    return `ICMP echo ${type === 8 ? "request" : "reply"}, id ${id}, seq ${seq}${tail}`;
  }
  if (type === 3) {
    const q = o + 8;
    if (end - q < 20) return `ICMP unreachable${tail}`;
    const qdst = formatIpv4(v.getUint32(q + 16));
    const qproto = f[q + 9];
    const ql4 = q + ((f[q] & 0x0f) << 2);
    switch (code) {
      case 0:
        return `ICMP net ${qdst} unreachable${tail}`;
      case 1:
        return `ICMP host ${qdst} unreachable${tail}`;
      case 2:
        return `ICMP ${qdst} protocol ${qproto} unreachable${tail}`;
      case 3: {
        const port = end - ql4 >= 4 ? (f[ql4 + 2] << 8) | f[ql4 + 3] : 0;
        const pname = qproto === 17 ? "udp" : qproto === 6 ? "tcp" : `ip-proto-${qproto}`;
        return `ICMP ${qdst} ${pname} port ${port} unreachable${tail}`;
      }
      case 4:
        return `ICMP ${qdst} unreachable - need to frag (mtu ${(f[o + 6] << 8) | f[o + 7]})${tail}`;
      default:
        return `ICMP ${qdst} unreachable - ${UNREACH_TEXT[code] ?? `#${code}`}${tail}`;
    }
  }
  if (type === 11)
    return `ICMP ${code === 1 ? "ip reassembly time exceeded" : "time exceeded in-transit"}${tail}`;
  if (type === 5 && end - o >= 8 + 20) {
    // tcpdump's print-icmp: "redirect <original destination> to <net|host> <gateway>".
    const gw = formatIpv4(v.getUint32(o + 4));
    const qdst = formatIpv4(v.getUint32(o + 8 + 16));
    const what = code === 0 || code === 2 ? "net" : "host";
    return `ICMP redirect ${qdst} to ${what} ${gw}${tail}`;
  }
  const names: Record<number, string> = {
    4: "source quench",
    5: "redirect",
    9: "router advertisement",
    10: "router solicitation",
    12: "parameter problem",
    13: "time stamp query",
    14: "time stamp reply",
    17: "address mask request",
    18: "address mask reply",
  };
  return `ICMP ${names[type] ?? `type-#${type}`}${tail}`;
}

function formatIp6Addr(f: Uint8Array, o: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((f[o + 2 * i] << 8) | f[o + 2 * i + 1]);
  // Compress the longest run of zero words (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

function formatIp6(f: Uint8Array, off: number): string {
  if (f.length - off < 40) return "IP6 [|ip6]";
  const plen = (f[off + 4] << 8) | f[off + 5];
  const nh = f[off + 6];
  const name = nh === 58 ? "ICMP6" : ipProtoName(nh);
  return `IP6 ${formatIp6Addr(f, off + 8)} > ${formatIp6Addr(f, off + 24)}: ${name}, length ${plen}`;
}
