// fetch: retrieve a file by HTTP (FreeBSD fetch(1)'s options and messages), with Node's own
// http client over our TCP: the request's connection is a socket of this process's stack.
import * as http from "node:http";
import { connect } from "../net/socket/net.ts";
import type { Program } from "../program.ts";
import { UsageError, getopt } from "./lib/getopt.ts";
import { NetUtilError, nodeErrno, runNetUtility } from "./lib/net-errors.ts";

const USAGE = `fetch - retrieve a file by Uniform Resource Locator

usage: fetch [-qv] [-o file] URL
Options:
 -o  write to file instead of the last part of the URL's path ("-": standard output)
 -q  quiet: no transfer report
 -v  verbose: report the request and the response status
`;

/** The last segment of the path, as fetch names its output; "fetch.out" when there is none. */
function outputName(url: URL): string {
  const last = decodeURIComponent(url.pathname.split("/").at(-1) ?? "");
  return last === "" ? "fetch.out" : last;
}

const program: Program = {
  name: "fetch",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "fetch", USAGE, async () => {
      const { opts, operands } = getopt(ctx.argv.slice(1), "qvo:");
      const has = (o: string) => opts.some((x) => x.opt === o);
      if (operands.length !== 1) throw new UsageError("one URL required");
      let url: URL;
      try {
        url = new URL(operands[0]);
      } catch {
        throw new UsageError(`${operands[0]}: not a URL`);
      }
      if (url.protocol !== "http:")
        throw new NetUtilError(
          "EPROTONOSUPPORT",
          `${url.href}: scheme ${url.protocol} not supported (http only)`,
        );
      const port = Number(url.port || 80);
      const host = url.hostname;
      const out = opts.find((x) => x.opt === "o")?.value ?? outputName(url);
      const t0 = performance.now();
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.get(
          {
            host,
            port,
            path: url.pathname + url.search,
            createConnection: () => connect(ctx.sockets, port, host) as never,
          },
          resolve,
        );
        req.on("error", (e: NodeJS.ErrnoException) => {
          reject(new NetUtilError(nodeErrno(e), `${url.href}: ${e.message}`));
        });
        ctx.signal.addEventListener("abort", () => req.destroy());
      });
      if (has("v")) await ctx.stderr.write(`${url.href}: ${res.statusCode} ${res.statusMessage}\n`);
      if ((res.statusCode ?? 0) >= 300) {
        res.resume();
        throw new NetUtilError("EIO", `${url.href}: ${res.statusMessage ?? res.statusCode}`);
      }
      const file = out === "-" ? null : await ctx.fs.open(out, "w", 0o644);
      let bytes = 0;
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          bytes += chunk.byteLength;
          if (file === null) await ctx.stdout.write(chunk);
          else await file.write(chunk);
        }
      } finally {
        await file?.close();
      }
      const want = Number(res.headers["content-length"] ?? -1);
      if (want >= 0 && bytes !== want)
        throw new NetUtilError("EIO", `${url.href}: ${bytes} of ${want} bytes received (connection closed)`);
      if (!has("q") && out !== "-") {
        const secs = Math.max(1e-3, (performance.now() - t0) / 1000);
        await ctx.stderr.write(`${out}  ${bytes} bytes  ${Math.round(bytes / 1024 / secs)} kBps\n`);
      }
      return 0;
    });
  },
};
export default program;
