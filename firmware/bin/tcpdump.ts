// tcpdump: capture frames through io-pkt's BPF taps and print them (`tcpdump -n` style), or
// save them to a pcap file (-w) that tshark/Wireshark read; -r prints a saved file.
import { KernelError } from "../kernel/errno.ts";
import type { NetControl } from "../net/control/client.ts";
import { pcapGlobalHeader, pcapRecord, readPcap, PCAP_DEFAULT_SNAPLEN } from "../net/stack/pcap-file.ts";
import { compileFilter } from "../net/stack/tcpdump-expr.ts";
import { formatPacketLine } from "../net/stack/tcpdump-format.ts";
import type { FileHandle, Program, ProgramContext } from "../program.ts";
import { getopt, parseCount, UsageError } from "./lib/getopt.ts";
import { withNet } from "./lib/net-api.ts";
import { NetUtilError, runNetUtility } from "./lib/net-errors.ts";

const USAGE = `tcpdump - dump traffic on a network

usage: tcpdump [-enq] [-c count] [-i interface] [-r file] [-s snaplen] [-w file] [expression]
-i interface (default: every interface), -c stop after count packets, -w write raw frames to a
pcap file, -r read a pcap file, -e print link-level headers, -n numeric (always numeric here).
expression: host, net a.b.c.d/len, port, src/dst, ether host, tcp/udp/icmp/arp/ip,
and/or/not (&&, ||, !), parentheses. SOCK=/prefix selects another io-pkt instance.
`;

/** How long one read waits for frames, so SIGINT is noticed promptly. */
const READ_WAIT_MS = 200;

interface Options {
  count: number;
  ifname: string;
  readFile: string | null;
  writeFile: string | null;
  link: boolean;
  snaplen: number;
  expr: string;
}

function parse(args: readonly string[]): Options {
  const p = getopt(args, "c:i:r:w:s:enqvpl");
  const o: Options = {
    count: 0,
    ifname: "",
    readFile: null,
    writeFile: null,
    link: false,
    snaplen: PCAP_DEFAULT_SNAPLEN,
    expr: p.operands.join(" "),
  };
  for (const { opt, value } of p.opts) {
    if (opt === "c") o.count = parseCount(value, "packet count");
    else if (opt === "i") o.ifname = value === "any" ? "" : value;
    else if (opt === "r") o.readFile = value;
    else if (opt === "w") o.writeFile = value;
    else if (opt === "e") o.link = true;
    else if (opt === "s") o.snaplen = parseCount(value, "snaplen") || PCAP_DEFAULT_SNAPLEN;
  }
  if (o.readFile !== null && o.writeFile !== null) throw new UsageError("-r and -w cannot be combined");
  return o;
}

/** Compiles here first so a bad expression gets the parser's message (io-pkt replies only EINVAL). */
function checkExpression(expr: string): void {
  if (!expr.trim()) return;
  try {
    compileFilter(expr);
  } catch (e) {
    if (e instanceof KernelError) throw new NetUtilError(e.errno, e.message);
    throw e;
  }
}

async function readSaved(ctx: ProgramContext, o: Options): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = await ctx.fs.readFile(o.readFile as string);
  } catch (e) {
    if (e instanceof KernelError) throw new NetUtilError(e.errno, `${o.readFile}: ${e.message}`);
    throw e;
  }
  const file = readPcap(bytes);
  await ctx.stderr.write(`reading from file ${o.readFile}, link-type EN10MB (Ethernet)\n`);
  const filter = o.expr.trim() ? compileFilter(o.expr) : null;
  let n = 0;
  for (const p of file.packets) {
    if (
      filter &&
      !filter(p.data, new DataView(p.data.buffer, p.data.byteOffset, p.data.byteLength), 0, p.data.length)
    )
      continue;
    await ctx.stdout.write(formatPacketLine(p.tsMs, p.data, { link: o.link }) + "\n");
    if (o.count > 0 && ++n >= o.count) break;
  }
  return 0;
}

async function capture(ctx: ProgramContext, o: Options, net: NetControl): Promise<number> {
  let out: FileHandle | null = null;
  if (o.writeFile !== null) {
    try {
      out = await ctx.fs.open(o.writeFile, "w");
    } catch (e) {
      if (e instanceof KernelError) throw new NetUtilError(e.errno, `${o.writeFile}: ${e.message}`);
      throw e;
    }
  }
  try {
    try {
      await net.bpfOpen({ ifname: o.ifname, expr: o.expr, snaplen: o.snaplen });
    } catch (e) {
      if (e instanceof KernelError && e.errno === "ENXIO") {
        throw new NetUtilError("ENXIO", `${o.ifname}: No such device exists`);
      }
      throw e;
    }
    const where = o.ifname || "any";
    if (out === null) {
      await ctx.stderr.write("tcpdump: verbose output suppressed, use -v or -vv for full protocol decode\n");
    }
    await ctx.stderr.write(
      `${out === null ? "" : "tcpdump: "}listening on ${where}, link-type EN10MB (Ethernet), capture size ${o.snaplen} bytes\n`,
    );
    let pos = 0;
    if (out !== null) pos += await out.write(pcapGlobalHeader(o.snaplen), 0);
    let captured = 0;
    while (!ctx.signal.aborted && (o.count === 0 || captured < o.count)) {
      const want = o.count === 0 ? 256 : Math.min(256, o.count - captured);
      const frames = await net.bpfRead(want, READ_WAIT_MS);
      for (const f of frames) {
        const tsMs = f.tsUs / 1000;
        if (out !== null) {
          const rec = pcapRecord(tsMs, f.data, 0, f.data.length, o.snaplen);
          new DataView(rec.buffer).setUint32(12, f.origLen, true);
          pos += await out.write(rec, pos);
        } else {
          await ctx.stdout.write(formatPacketLine(tsMs, f.data, { link: o.link }) + "\n");
        }
        captured++;
      }
    }
    const st = await net.bpfStats().catch(() => ({ seen: captured, matched: captured, dropped: 0 }));
    await net.bpfClose().catch(() => {});
    const pl = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
    await ctx.stderr.write(
      `${pl(captured, "packet")} captured\n${pl(st.matched, "packet")} received by filter\n${pl(st.dropped, "packet")} dropped by kernel\n`,
    );
    return 0;
  } finally {
    if (out !== null) await out.close();
  }
}

const program: Program = {
  name: "tcpdump",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "tcpdump", USAGE, async () => {
      const o = parse(ctx.argv.slice(1));
      checkExpression(o.expr);
      if (o.readFile !== null) return readSaved(ctx, o);
      return withNet(ctx, (net) => capture(ctx, o, net));
    });
  },
};
export default program;
