// Moving files between the host and a runtime in tests: a program that copies one file between
// the host's file system and the runtime's pathname space (`copy SRC DST`), and our httpd
// serving a host file.
import { readFileSync, writeFileSync } from "node:fs";
import type { Process } from "../../../firmware/kernel/process.ts";
import type { Program } from "../../../firmware/program.ts";
import { run } from "../../unit/bin/harness.ts";
import type { Runtime } from "../../unit/netutil/runtime.ts";

/** `fromHost`: SRC is a host path and DST a runtime path; otherwise the other way round. */
export function copier(fromHost: boolean): Program {
  return {
    name: "copy",
    usage: "",
    async main(ctx) {
      const [, src, dst] = ctx.argv;
      if (fromHost) {
        const f = await ctx.fs.open(dst, "w", 0o644);
        await f.write(readFileSync(src));
        await f.close();
      } else writeFileSync(dst, await ctx.fs.readFile(src));
      return 0;
    },
  };
}

/**
 * Copies host file `hostFile` to /tmp/www/file.bin in the runtime and starts our httpd on
 * `port` serving /tmp/www; `stop()` signals it and waits until it has exited.
 */
export async function serveHostFile(
  rt: Runtime,
  hostFile: string,
  port = 8080,
): Promise<{ stop(): Promise<void> }> {
  await rt.ok(["mkdir", "/tmp/www"]);
  const copied = await run(rt.kernel, copier(true), ["copy", hostFile, "/tmp/www/file.bin"]);
  if (copied.status !== 0) throw new Error(`copy to /tmp/www failed: ${copied.stderr}`);
  let httpd: Process | null = null;
  const served = rt.sh(["httpd", "-p", String(port), "/tmp/www"], { onStart: (p) => (httpd = p) });
  return {
    async stop() {
      (httpd as Process | null)?.signal("SIGTERM");
      await served;
    },
  };
}
