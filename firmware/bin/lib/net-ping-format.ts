// ping's lines and summary, as NetBSD/QNX ping prints them:
//   PING 10.0.0.2 (10.0.0.2): 56 data bytes
//   64 bytes from 10.0.0.2: icmp_seq=0 ttl=64 time=0.412 ms
//
//   ----10.0.0.2 PING Statistics----
//   3 packets transmitted, 3 packets received, 0.0% packet loss
//   round-trip min/avg/max/stddev = 0.301/0.380/0.412/0.046 ms
import {
  ICMP_PARAMPROB,
  ICMP_REDIRECT,
  ICMP_SOURCEQUENCH,
  ICMP_TIMXCEED,
  ICMP_TIMXCEED_INTRANS,
  ICMP_UNREACH,
} from "../../net/wire/icmp.ts";

/** Round-trip statistics, accumulated as replies arrive (sum and sum of squares, like ping). */
export class RttStats {
  transmitted = 0;
  received = 0;
  duplicates = 0;
  /** ICMP errors (time exceeded, unreachable) received for our requests. */
  errors = 0;
  min = Infinity;
  max = 0;
  sum = 0;
  sumSq = 0;

  add(ms: number): void {
    this.received++;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    this.sum += ms;
    this.sumSq += ms * ms;
  }

  get avg(): number {
    return this.received > 0 ? this.sum / this.received : 0;
  }

  /** Population standard deviation, as ping computes it. */
  get stddev(): number {
    if (this.received === 0) return 0;
    const avg = this.avg;
    return Math.sqrt(Math.max(0, this.sumSq / this.received - avg * avg));
  }
}

export function pingHeader(target: string, addr: string, dataBytes: number): string {
  return `PING ${target} (${addr}): ${dataBytes} data bytes\n`;
}

export function pingReplyLine(
  bytes: number,
  from: string,
  seq: number,
  ttl: number,
  ms: number | null,
  dup: boolean,
): string {
  const time = ms === null ? "" : ` time=${ms.toFixed(3)} ms`;
  return `${bytes} bytes from ${from}: icmp_seq=${seq} ttl=${ttl}${time}${dup ? " (DUP!)" : ""}\n`;
}

/** Longest IP options (bytes): a route longer than this was cut short. */
const MAX_IPOPTLEN = 40;

/**
 * BSD ping's record-route text, printed after a reply's line and before its newline: the route
 * on its own lines (`\nRR: \t10.0.0.2\n\t10.0.0.1`), or `\t(same route)` when it repeats the
 * previous reply's.
 */
export function pingRouteText(route: readonly string[], previous: readonly string[] | null): string {
  if (route.length === 0) return "";
  if (previous !== null && previous.length === route.length && previous.every((a, i) => a === route[i]))
    return "\t(same route)";
  const lines = route.map((a) => `\t${a}`);
  if (route.length * 4 >= MAX_IPOPTLEN) lines[lines.length - 1] += "\t(truncated route)";
  return `\nRR: ${lines.join("\n")}`;
}

/** NetBSD's pr_icmph text for the errors a ping can get back. */
export function icmpErrorText(type: number, code: number, mtu = 0): string {
  switch (type) {
    case ICMP_UNREACH:
      switch (code) {
        case 0:
          return "Destination Net Unreachable";
        case 1:
          return "Destination Host Unreachable";
        case 2:
          return "Destination Protocol Unreachable";
        case 3:
          return "Destination Port Unreachable";
        case 4:
          return `frag needed and DF set.  Next MTU=${mtu}`;
        case 5:
          return "Source Route Failed";
        case 13:
          return "Communication prohibited by filter";
        default:
          return `Dest Unreachable, Unknown Code: ${code}`;
      }
    case ICMP_SOURCEQUENCH:
      return "Source Quench";
    case ICMP_REDIRECT:
      return "Redirect";
    case ICMP_TIMXCEED:
      return code === ICMP_TIMXCEED_INTRANS ? "Time to live exceeded" : "Frag reassembly time exceeded";
    case ICMP_PARAMPROB:
      return `Parameter problem: pointer = 0x${code.toString(16).padStart(2, "0")}`;
    default:
      return `Bad ICMP type: ${type}`;
  }
}

export function pingErrorLine(bytes: number, from: string, type: number, code: number, mtu = 0): string {
  return `${bytes} bytes from ${from}: ${icmpErrorText(type, code, mtu)}\n`;
}

/** The summary printed at the end (and on SIGINT). */
export function pingSummary(target: string, s: RttStats): string {
  let out = `\n----${target} PING Statistics----\n`;
  out += `${s.transmitted} packets transmitted, ${s.received} packets received, `;
  if (s.duplicates > 0) out += `+${s.duplicates} duplicates, `;
  if (s.transmitted > 0) {
    if (s.received > s.transmitted) out += "-- somebody's duplicating packets!";
    else out += `${(((s.transmitted - s.received) * 100) / s.transmitted).toFixed(1)}% packet loss`;
  }
  out += "\n";
  if (s.received > 0) {
    const f = (n: number) => n.toFixed(3);
    out += `round-trip min/avg/max/stddev = ${f(s.min)}/${f(s.avg)}/${f(s.max)}/${f(s.stddev)} ms\n`;
  }
  return out;
}
