// ping: send ICMP echo requests on a raw ICMP socket and report replies, BSD/QNX style.
// One loop sends when a request is due and otherwise waits for the next event (reply, ICMP
// error, timeout) with a bounded wait, so SIGINT is noticed quickly and prints the summary.
import { KernelError, strerror } from "../kernel/errno.ts";
import { ECHO_EV_ERROR, ECHO_EV_REPLY } from "../net/control/protocol.ts";
import type { EchoEvent } from "../net/control/client.ts";
import {
  AF_INET,
  IP_DONTFRAG,
  IP_OPTIONS,
  IP_TTL,
  IPPROTO_ICMP,
  IPPROTO_IP,
  MSG_DONTWAIT,
  POLLIN,
  SO_RCVBUF,
  SO_SNDBUF,
  SO_TIMESTAMP,
  SOCK_RAW,
  SOL_SOCKET,
} from "../net/socket/constants.ts";
import { recordedRoute, recordRouteOption } from "../net/wire/ipv4-options.ts";
import { formatIpv4, parseIpv4 } from "../net/wire/ipv4-addr.ts";
import type { Program, ProgramContext } from "../program.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { requireIpv4 } from "./lib/net-addr-args.ts";
import { echoRequest, parseEchoDatagram } from "./lib/net-ping-icmp.ts";
import { NetUtilError, runNetUtility, withSubject } from "./lib/net-errors.ts";
import { getaddrinfo } from "../net/resolver.ts";
import {
  pingErrorLine,
  pingHeader,
  pingReplyLine,
  pingRouteText,
  pingSummary,
  RttStats,
} from "./lib/net-ping-format.ts";

const USAGE = `ping - send ICMP ECHO_REQUEST packets to network hosts

usage: ping [-fnqDR] [-c count] [-i wait] [-s packetsize] [-t ttl] [-W waittime]
            [-w deadline] [-I srcaddr] host
-c stop after count replies sent, -i seconds between packets (default 1, fractions allowed),
-s data bytes (default 56), -t IP time to live, -D set Don't Fragment, -W milliseconds to wait
for the last reply, -w stop after deadline seconds, -R record route (the route each reply took, as far as
9 hops), -f flood (a dot per request, a backspace
per reply), -q only the summary. SOCK=/prefix selects another io-pkt instance.
`;

/** BSD's MAXWAIT: seconds to wait for replies after the last request when none has come back. */
const MAXWAIT_MS = 10_000;
/** Longest single wait, so a signal is noticed promptly. */
const POLL_MS = 200;
/** The IP total length limit: the largest datagram ping sends or receives. */
const IP_MAXPACKET = 65535;
/** ICMP length of an error about a request with an option-less IP header. */
const ICMP_ERROR_LEN = 36;
/** Bytes of the send timestamp at the start of the data (a float64 of the kernel clock). */
const TIMESTAMP_LEN = 8;

export interface PingOptions {
  count: number;
  intervalMs: number;
  size: number;
  ttl: number;
  df: boolean;
  waitMs: number | null;
  deadlineMs: number | null;
  quiet: boolean;
  flood: boolean;
  src: number;
  recordRoute: boolean;
  host: string;
}

export function parsePingArgs(args: readonly string[]): PingOptions {
  const p = getopt(args, "c:i:s:t:W:w:I:fnqDRv");
  const o: PingOptions = {
    count: 0,
    intervalMs: 1000,
    size: 56,
    ttl: 0,
    df: false,
    waitMs: null,
    deadlineMs: null,
    quiet: false,
    flood: false,
    src: 0,
    recordRoute: false,
    host: "",
  };
  const int = (v: string, what: string, min: number, max: number): number => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
      throw new UsageError(`invalid ${what}: \`${v}'`);
    return Number(v);
  };
  const seconds = (v: string, what: string): number => {
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(v)) throw new UsageError(`invalid ${what}: \`${v}'`);
    return Number(v) * 1000;
  };
  for (const { opt, value } of p.opts) {
    if (opt === "c") o.count = int(value, "count of packets to transmit", 1, 2 ** 31);
    else if (opt === "i") o.intervalMs = seconds(value, "timing interval");
    else if (opt === "s") o.size = int(value, "packet size", 0, 65507);
    else if (opt === "t") o.ttl = int(value, "TTL", 1, 255);
    else if (opt === "W") o.waitMs = int(value, "wait time", 0, 2 ** 31);
    else if (opt === "w") o.deadlineMs = seconds(value, "deadline");
    else if (opt === "I") o.src = requireIpv4(value, "source address");
    else if (opt === "f") o.flood = true;
    else if (opt === "q") o.quiet = true;
    else if (opt === "D") o.df = true;
    else if (opt === "R") o.recordRoute = true;
  }
  if (o.flood) o.intervalMs = 0;
  if (p.operands.length !== 1) throw new UsageError("");
  o.host = p.operands[0];
  return o;
}

/** Echo data: the send time (kernel clock, ms) then the BSD fill pattern. */
function payload(size: number, now: number): Uint8Array {
  const d = new Uint8Array(size);
  for (let i = TIMESTAMP_LEN; i < size; i++) d[i] = i & 0xff;
  if (size >= TIMESTAMP_LEN) new DataView(d.buffer).setFloat64(0, now);
  return d;
}

function sentAt(data: Uint8Array): number | null {
  if (data.length < TIMESTAMP_LEN) return null;
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(0);
}

async function ping(ctx: ProgramContext, o: PingOptions, dst: number): Promise<number> {
  const clock = ctx.kernel.clock;
  const out = ctx.stdout;
  const sk = ctx.sockets;
  const addr = formatIpv4(dst);
  const stats = new RttStats();
  const seen = new Uint8Array(65536);
  let lastRoute: string[] | null = null;
  // A raw ICMP socket, as BSD's ping: every ICMP datagram for us arrives whole; ours are the
  // replies and errors carrying our identifier (the pid).
  const fd = await sk.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP).catch((e: unknown) => withSubject(e, "socket"));
  const id = ctx.process.pid & 0xffff;
  try {
    // BSD ping's buffers: room for the largest reply, and the largest request.
    await sk.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, IP_MAXPACKET + 128);
    await sk.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, IP_MAXPACKET);
    // The RTT ends when io-pkt received the reply, not when we read it (BSD's SO_TIMESTAMP).
    await sk.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, 1);
    if (o.ttl !== 0) await sk.setsockopt(fd, IPPROTO_IP, IP_TTL, o.ttl);
    if (o.df) await sk.setsockopt(fd, IPPROTO_IP, IP_DONTFRAG, 1);
    if (o.recordRoute) await sk.setsockopt(fd, IPPROTO_IP, IP_OPTIONS, recordRouteOption());
    // -I: bind(), so an address that is not ours fails before anything is sent.
    if (o.src !== 0) {
      try {
        await sk.bind(fd, { family: "inet", address: formatIpv4(o.src), port: 0 });
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        await ctx.stderr.write(`ping: bind: ${strerror(e.errno)}\n`);
        return 1;
      }
    }
    const to = { family: "inet", address: addr, port: 0 } as const;
    /** The next event within `waitMs` (0: only what is queued), or null. */
    const next = async (waitMs: number): Promise<EchoEvent | null> => {
      for (;;) {
        const [ready] = await sk.poll([{ fd, events: POLLIN }], waitMs);
        if (((ready ?? 0) & POLLIN) === 0) return null;
        const m = await sk.recvmsg(fd, IP_MAXPACKET, MSG_DONTWAIT).catch((e: unknown) => {
          if (e instanceof KernelError && e.errno === "EAGAIN") return null;
          throw e;
        });
        if (m === null) continue;
        const from = m.from?.family === "inet" ? (parseIpv4(m.from.address) ?? 0) : 0;
        const ev = parseEchoDatagram(m.data, from, id, m.timestampUs);
        if (ev !== null) return ev;
      }
    };
    await out.write(pingHeader(o.host, addr, o.size));
    const start = clock.now();
    let nextSend = start;
    let lastSend = start;
    let seq = 0;
    for (;;) {
      if (ctx.signal.aborted) break;
      const now = clock.now();
      if (o.deadlineMs !== null && now - start >= o.deadlineMs) break;
      const sending = o.count === 0 || stats.transmitted < o.count;
      if (!sending) {
        const wait = o.waitMs ?? (stats.received > 0 ? Math.max(1000, 2 * stats.max) : MAXWAIT_MS);
        if (stats.received + stats.errors >= stats.transmitted || now - lastSend >= wait) break;
      }
      if (sending && now >= nextSend) {
        const req = echoRequest(id, seq & 0xffff, payload(o.size, clock.now()));
        const err = await sk.sendto(fd, req, to).then(
          () => null,
          (e: unknown) => {
            if (e instanceof KernelError) return e.errno;
            throw e;
          },
        );
        stats.transmitted++;
        seq++;
        lastSend = now;
        nextSend = Math.max(nextSend + o.intervalMs, now);
        if (err !== null) await ctx.stderr.write(`ping: sendto: ${strerror(err)}\n`);
        else if (o.flood) await out.write(".");
        continue;
      }
      let waitMs = POLL_MS;
      if (sending) waitMs = Math.min(waitMs, Math.max(0, nextSend - now));
      const ev = await next(waitMs);
      if (ev !== null) await handle(ev);
    }
    // Replies already queued when the loop stopped still count.
    if (!ctx.signal.aborted)
      for (;;) {
        const ev = await next(0);
        if (ev === null) break;
        await handle(ev);
      }
  } finally {
    await sk.close(fd).catch(() => {});
  }
  await out.write(pingSummary(o.host, stats));
  return stats.received > 0 ? 0 : 2;

  async function handle(ev: EchoEvent): Promise<void> {
    if (ev.kind === ECHO_EV_REPLY) {
      const dup = seen[ev.seq] === 1;
      const t0 = sentAt(ev.data);
      const ms = t0 === null ? null : Math.max(0, ev.rxTimeUs / 1000 - t0);
      if (dup) stats.duplicates++;
      else {
        seen[ev.seq] = 1;
        if (ms === null) stats.received++;
        else stats.add(ms);
      }
      if (o.flood) await out.write("\b \b");
      else if (!o.quiet) {
        let line = pingReplyLine(ev.icmpLen, formatIpv4(ev.from), ev.seq, ev.ttl, ms, dup);
        const route = o.recordRoute ? recordedRoute(ev.ipOptions) : null;
        if (route !== null) {
          const text = route.map(formatIpv4);
          line = `${line.slice(0, -1)}${pingRouteText(text, lastRoute)}\n`;
          lastRoute = text;
        }
        await out.write(line);
      }
    } else if (ev.kind === ECHO_EV_ERROR) {
      stats.errors++;
      // An error quotes the IP header and 8 bytes of our request: 36 ICMP bytes when io-pkt
      // does not say.
      const len = ev.icmpLen > 0 ? ev.icmpLen : ICMP_ERROR_LEN;
      if (!o.quiet) await out.write(pingErrorLine(len, formatIpv4(ev.from), ev.type, ev.code, ev.mtu));
    }
  }
}

const program: Program = {
  name: "ping",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "ping", USAGE, async () => {
      const o = parsePingArgs(ctx.argv.slice(1));
      const addrs = await getaddrinfo(ctx, o.host).catch(() => []);
      if (addrs.length === 0) throw new NetUtilError("EHOSTUNREACH", `unknown host ${o.host}`);
      const dst = parseIpv4(addrs[0]) as number;
      return ping(ctx, o, dst);
    });
  },
};
export default program;
