// nc: arbitrary TCP and UDP connections and listens (OpenBSD netcat's options and messages),
// over the socket API. Standard input goes to the peer, the peer's bytes to standard output.
import { KernelError, strerror } from "../kernel/errno.ts";
import * as K from "../net/socket/constants.ts";
import type { Program, ProgramContext } from "../program.ts";
import { UsageError, getopt } from "./lib/getopt.ts";
import { NetUtilError, runNetUtility } from "./lib/net-errors.ts";

const USAGE = `nc - arbitrary TCP and UDP connections and listens

usage: nc [-lNuvz] [-p source_port] [-s source] [-w timeout] [destination] [port]
Options:
 -l  listen for one incoming connection instead of connecting
 -N  shut down the network socket's sending side after EOF on standard input
 -p  local port to use
 -s  local address to use
 -u  UDP instead of TCP
 -v  verbose: report connections on standard error
 -w  give up a connect after timeout seconds
 -z  scan: report whether the port accepts a connection, send no data
`;

function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65_535) throw new UsageError(`port number invalid: ${text}`);
  return n;
}

/** Copies standard input to the socket (then shuts it with -N) and the socket to standard output. */
async function relay(ctx: ProgramContext, fd: number, udp: boolean, shutOnEof: boolean): Promise<void> {
  const s = ctx.sockets;
  const toNet = (async () => {
    for (;;) {
      const chunk = await ctx.stdin.read(udp ? 1400 : 16_384);
      if (chunk === null || chunk.byteLength === 0) break;
      let off = 0;
      while (off < chunk.byteLength) off += await s.send(fd, chunk.subarray(off));
    }
    if (shutOnEof && !udp) await s.shutdown(fd, K.SHUT_WR);
  })();
  for (;;) {
    const d = await s.recv(fd, 65_536);
    if (d.byteLength === 0) break;
    await ctx.stdout.write(d);
  }
  if (!udp) await toNet.catch(() => {});
}

const program: Program = {
  name: "nc",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "nc", USAGE, async () => {
      const { opts, operands } = getopt(ctx.argv.slice(1), "lNuvzp:s:w:");
      const has = (o: string) => opts.some((x) => x.opt === o);
      const val = (o: string) => opts.find((x) => x.opt === o)?.value;
      const udp = has("u");
      const s = ctx.sockets;
      const type = udp ? K.SOCK_DGRAM : K.SOCK_STREAM;
      const proto = udp ? "udp" : "tcp";
      const fd = await s.socket(K.AF_INET, type);
      try {
        if (has("l")) {
          const p = port(operands.at(-1) ?? val("p") ?? "");
          const host = operands.length > 1 ? operands[0] : (val("s") ?? "0.0.0.0");
          await s.setsockopt(fd, K.SOL_SOCKET, K.SO_REUSEADDR, 1);
          await s.bind(fd, { family: "inet", address: host, port: p });
          if (udp) {
            const first = await s.recvfrom(fd, 65_536);
            await ctx.stdout.write(first.data);
            if (first.from) await s.connect(fd, first.from);
            await relay(ctx, fd, true, false);
            return 0;
          }
          await s.listen(fd, 1);
          if (has("v")) await ctx.stderr.write(`Listening on ${host} ${p}\n`);
          const { fd: c, from } = await s.accept(fd);
          if (has("v") && from?.family === "inet")
            await ctx.stderr.write(`Connection received on ${from.address} ${from.port}\n`);
          try {
            await relay(ctx, c, false, has("N"));
          } finally {
            await s.close(c);
          }
          return 0;
        }
        if (operands.length !== 2) throw new UsageError("destination and port required");
        const [host, portText] = operands;
        const p = port(portText);
        if (val("p") !== undefined || val("s") !== undefined)
          await s.bind(fd, { family: "inet", address: val("s") ?? "0.0.0.0", port: Number(val("p") ?? 0) });
        const wait = val("w");
        if (wait !== undefined) await s.setsockopt(fd, K.SOL_SOCKET, K.SO_SNDTIMEO, Number(wait) * 1000);
        try {
          await s.connect(fd, { family: "inet", address: host, port: p });
        } catch (e) {
          if (e instanceof KernelError)
            throw new NetUtilError(
              e.errno,
              `connect to ${host} port ${p} (${proto}) failed: ${strerror(e.errno)}`,
            );
          throw e;
        }
        if (has("v")) await ctx.stderr.write(`Connection to ${host} ${p} port [${proto}/*] succeeded!\n`);
        if (has("z")) return 0;
        await relay(ctx, fd, udp, has("N"));
        return 0;
      } finally {
        await s.close(fd);
      }
    });
  },
};
export default program;
