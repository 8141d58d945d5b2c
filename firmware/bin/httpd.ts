// httpd: serves the files under a directory by HTTP/1.1, with Node's own http server fed
// connections from a listener of our TCP (the net facade). GET and HEAD; a directory serves its
// index.html or a listing; paths never leave the directory. Runs until it is signalled.
import * as http from "node:http";
import { KernelError } from "../kernel/errno.ts";
import { createServer, type NetSocket } from "../net/socket/net.ts";
import type { Program, ProgramContext } from "../program.ts";
import { UsageError, getopt } from "./lib/getopt.ts";
import { NetUtilError, nodeErrno, runNetUtility } from "./lib/net-errors.ts";

const USAGE = `httpd - serve files by HTTP

usage: httpd [-v] [-p port] [directory]
Options:
 -p  port to listen on (default 80)
 -v  log each request on standard error
The directory defaults to the current one.
`;

const CHUNK = 64 * 1024;

/** The file for a request path under `root`, or null when it would leave it. */
function resolvePath(root: string, urlPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(urlPath.split("?")[0]);
  } catch {
    return null;
  }
  const parts: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === ".." || seg.includes("\0")) return null;
    parts.push(seg);
  }
  return `${root.replace(/\/+$/, "")}/${parts.join("/")}`;
}

async function serve(ctx: ProgramContext, root: string, req: http.IncomingMessage, res: http.ServerResponse) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD" }).end();
    return;
  }
  let path = resolvePath(root, req.url ?? "/");
  if (path === null) {
    res.writeHead(400).end("bad path\n");
    return;
  }
  try {
    let st = await ctx.fs.stat(path);
    if (st.isDirectory()) {
      const names = (await ctx.fs.readdir(path)).sort();
      if (!names.includes("index.html")) {
        const base = (req.url ?? "/").replace(/\/?$/, "/");
        const list = names.map((n) => `<a href="${base}${encodeURIComponent(n)}">${n}</a><br>`).join("\n");
        res.writeHead(200, { "Content-Type": "text/html" }).end(`<html><body>\n${list}\n</body></html>\n`);
        return;
      }
      path = `${path.replace(/\/$/, "")}/index.html`;
      st = await ctx.fs.stat(path);
    }
    res.writeHead(200, { "Content-Length": st.size, "Content-Type": "application/octet-stream" });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const f = await ctx.fs.open(path, "r");
    try {
      for (let off = 0; off < st.size;) {
        const b = await f.read(Math.min(CHUNK, st.size - off), off);
        if (b.byteLength === 0) break;
        off += b.byteLength;
        if (!res.write(b)) await new Promise((r) => res.once("drain", r));
      }
    } finally {
      await f.close();
    }
    res.end();
  } catch (e) {
    if (res.headersSent) res.destroy();
    else if (e instanceof KernelError && (e.errno === "ENOENT" || e.errno === "ENOTDIR"))
      res.writeHead(404).end("not found\n");
    else if (e instanceof KernelError && e.errno === "EACCES") res.writeHead(403).end("forbidden\n");
    else res.writeHead(500).end("error\n");
  }
}

const program: Program = {
  name: "httpd",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "httpd", USAGE, async () => {
      const { opts, operands } = getopt(ctx.argv.slice(1), "vp:");
      const portText = opts.find((x) => x.opt === "p")?.value ?? "80";
      const port = Number(portText);
      if (!/^\d+$/.test(portText) || port < 1 || port > 65_535)
        throw new UsageError(`port number invalid: ${portText}`);
      if (operands.length > 1) throw new UsageError("one directory at most");
      const root = await ctx.fs.realpath(operands[0] ?? ".");
      if (!(await ctx.fs.stat(root)).isDirectory())
        throw new NetUtilError("ENOTDIR", `${root}: not a directory`);
      const web = http.createServer((req, res) => {
        if (opts.some((x) => x.opt === "v"))
          res.once("finish", () => {
            void ctx.stderr.write(`${req.socket.remoteAddress} ${req.method} ${req.url} ${res.statusCode}\n`);
          });
        void serve(ctx, root, req, res);
      });
      const listener = createServer(ctx.sockets, { noDelay: true }, (s: NetSocket) =>
        web.emit("connection", s),
      );
      await new Promise<void>((resolve, reject) => {
        listener.once("error", (e: NodeJS.ErrnoException) => {
          reject(new NetUtilError(nodeErrno(e), `port ${port}: ${e.message}`));
        });
        listener.listen(port, () => resolve());
      });
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        else ctx.signal.addEventListener("abort", () => resolve());
      });
      listener.close();
      web.close();
      return 0;
    });
  },
};
export default program;
