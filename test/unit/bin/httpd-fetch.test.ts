// httpd and fetch between two io-pkt stacks on a virtual wire: fetch downloads a 300 KB file
// that httpd serves from a ramfs directory, byte-exact; a directory lists its files; a missing
// file is fetch's "Not Found"; a path out of the directory is refused; a refused port is
// ECONNREFUSED; httpd stops on SIGTERM.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import fetchProgram from "../../../firmware/bin/fetch.ts";
import httpd from "../../../firmware/bin/httpd.ts";
import netstat from "../../../firmware/bin/netstat.ts";
import { Ramfs } from "../../../firmware/fs/ramfs.ts";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import type { Process } from "../../../firmware/kernel/process.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { startManager } from "../../../firmware/resmgr/start-manager.ts";
import { program, startIoPkt, withClient } from "../iopkt/harness.ts";
import { settle } from "../../helpers/wait.ts";
import { run, sh } from "./harness.ts";

const ip = (s: string) => parseIpv4(s) as number;
const at = (sock: string) => ({ env: { SOCK: sock, PATH: "/bin" }, cwd: "/tmp" });
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("httpd and fetch", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  it("moves a file by HTTP over our TCP, lists a directory, reports missing files and refused ports", async () => {
    k = new Kernel({ nodeName: "t" });
    await startManager(k, { name: "ramfs" }, (rm) => new Ramfs(rm).mount("/tmp"));
    await startIoPkt(k, ["-d", "vwire", "hub=hf", "-p", "tcpip", "prefix=/a", "-t", "2"]);
    await startIoPkt(k, ["-d", "vwire", "hub=hf", "-p", "tcpip", "prefix=/b", "-t", "2"]);
    await withClient(k, "/a", (c) => c.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    await withClient(k, "/b", (c) => c.setAddress("en0", { addr: ip("10.0.0.2"), prefixLen: 24 }));
    const data = new Uint8Array(300_000).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
    await sh(k, ["mkdir", "/tmp/www"]);
    // The served file, written through a program's context into the kernel's ramfs.

    await program(k, "/b", async (ctx) => {
      const f = await ctx.fs.open("/tmp/www/data.bin", "w", 0o644);
      await f.write(data);
      await f.close();
    });
    let server: Process | null = null;
    const served = run(k, httpd, ["httpd", "-p", "8080", "/tmp/www"], {
      ...at("/b"),
      onStart: (p) => (server = p),
    });
    // The event to wait for: httpd's socket listening on /b's stack (netstat shows it).
    await settle(
      async () => /\.8080 .*LISTEN/.test((await run(k, netstat, ["netstat", "-an"], at("/b"))).stdout),
      "httpd listening on port 8080",
    );
    const got = await run(
      k,
      fetchProgram,
      ["fetch", "-q", "-o", "/tmp/got.bin", "http://10.0.0.2:8080/data.bin"],
      at("/a"),
    );
    expect(got).toMatchObject({ status: 0, stderr: "" });
    const back = await program(k, "/a", async (ctx) => {
      const f = await ctx.fs.open("/tmp/got.bin", "r");
      const b = await f.read(400_000, 0);
      await f.close();
      return b;
    });
    expect(back.byteLength).toBe(data.byteLength);
    expect(sha(back)).toBe(sha(data));

    const list = await run(k, fetchProgram, ["fetch", "-o", "-", "http://10.0.0.2:8080/"], at("/a"));
    expect(list.stdout).toContain('<a href="/data.bin">data.bin</a>');
    expect(await run(k, fetchProgram, ["fetch", "http://10.0.0.2:8080/nope"], at("/a"))).toMatchObject({
      status: 1,
      stderr: "fetch: http://10.0.0.2:8080/nope: Not Found\n",
    });
    expect(
      await run(k, fetchProgram, ["fetch", "-o", "-", "http://10.0.0.2:8080/a%2F..%2F..%2Fetc"], at("/a")),
    ).toMatchObject({ status: 1, stderr: "fetch: http://10.0.0.2:8080/a%2F..%2F..%2Fetc: Bad Request\n" });
    const refused = await run(k, fetchProgram, ["fetch", "http://10.0.0.2:9/x"], at("/a"));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^fetch: http:\/\/10\.0\.0\.2:9\/x: .*ECONNREFUSED/);
    expect(await run(k, fetchProgram, ["fetch", "ftp://h/x"], at("/a"))).toMatchObject({ status: 1 });

    (server as Process | null)?.signal("SIGTERM");
    expect((await served).status).not.toBe(0); // ended by the signal
  });
});
