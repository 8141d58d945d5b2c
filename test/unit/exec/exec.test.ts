import { describe, expect, it } from "vitest";
import { exec } from "../../../firmware/exec.ts";
import * as client from "../../../firmware/resmgr/client.ts";
import * as C from "../../../firmware/resmgr/io-constants.ts";
import { pipe, startPipeManager } from "../../../firmware/resmgr/pipe.ts";
import type { Kernel } from "../../../firmware/kernel/kernel.ts";
import type { Thread } from "../../../firmware/kernel/thread.ts";
import { newKernel, runAs, startRamfs, str, text } from "../resmgr/harness.ts";

const ROOT = { uid: 0, gid: 0 };

async function writeFile(t: Thread, path: string, body: string, mode = 0o755): Promise<void> {
  const fd = await client.open(t, path, C.O_WRONLY | C.O_CREAT | C.O_TRUNC, mode);
  await client.write(t, fd, text(body));
  await client.close(t, fd);
}

const bundle = (body: string): string =>
  `//netrino:program\nexport default { name: "t", usage: "t", async main(ctx) { ${body} } };\n`;

async function setup(): Promise<Kernel> {
  const k = newKernel();
  await startRamfs(k);
  await startPipeManager(k);
  return k;
}

/** Runs `path` with stdout on a pipe; returns what it printed and its exit status. */
async function capture(
  k: Kernel,
  t: Thread,
  path: string,
  argv: string[],
): Promise<{ out: string; status: number }> {
  const [r, w] = await pipe(t);
  const child = await exec(k, t, path, argv, { fds: new Map([[1, w]]) });
  await client.close(t, w);
  let out = "";
  for (;;) {
    const b = await client.read(t, r, 4096);
    if (b.byteLength === 0) break;
    out += str(b);
  }
  await client.close(t, r);
  return { out, status: await child.wait() };
}

describe("exec", () => {
  it("runs a bundled program with inherited stdout and returns its status", async () => {
    const k = await setup();
    const res = await runAs(k, ROOT, async (t) => {
      await writeFile(
        t,
        "/tmp/hello",
        bundle(`await ctx.stdout.write("hi " + ctx.argv.join(",") + "\\n"); return 3;`),
      );
      return capture(k, t, "/tmp/hello", ["hello", "a"]);
    });
    expect(res).toEqual({ out: "hi hello,a\n", status: 3 });
  });

  it("finds programs on PATH and runs #!builtin files", async () => {
    const k = await setup();
    const status = await runAs(k, ROOT, async (t) => {
      await client.mkdir(t, "/tmp/bin");
      await writeFile(t, "/tmp/bin/no", "#!builtin false\n");
      t.process.env.PATH = "/tmp/nothing:/tmp/bin";
      return (await exec(k, t, "no", ["no"])).wait();
    });
    expect(status).toBe(1);
  });

  it("runs #! scripts through their interpreter with the script path in argv", async () => {
    const k = await setup();
    const res = await runAs(k, ROOT, async (t) => {
      await writeFile(t, "/tmp/interp", bundle(`await ctx.stdout.write(ctx.argv.join(" ")); return 0;`));
      await writeFile(t, "/tmp/script", "#!/tmp/interp -x\necho hi\n");
      return capture(k, t, "/tmp/script", ["script", "arg1"]);
    });
    expect(res.out).toBe("/tmp/interp -x /tmp/script arg1");
  });

  it("fails with ENOENT, ENOEXEC and EACCES", async () => {
    const k = await setup();
    await runAs(k, ROOT, async (t) => {
      await writeFile(t, "/tmp/data", "just text\n");
      await writeFile(t, "/tmp/noexec", "#!builtin true\n", 0o644);
      await expect(exec(k, t, "/tmp/missing", ["x"])).rejects.toMatchObject({ errno: "ENOENT" });
      await expect(exec(k, t, "/tmp/data", ["x"])).rejects.toMatchObject({ errno: "ENOEXEC" });
      await expect(exec(k, t, "/tmp/noexec", ["x"])).rejects.toMatchObject({ errno: "EACCES" });
    });
  });

  it("a program that throws ends with status 1 and a log entry; the runtime goes on", async () => {
    const k = await setup();
    const status = await runAs(k, ROOT, async (t) => {
      await writeFile(t, "/tmp/boom", bundle(`throw new Error("kaboom");`));
      return (await exec(k, t, "/tmp/boom", ["boom"])).wait();
    });
    expect(status).toBe(1);
    expect(k.slog.entries().some((e) => e.text.includes("kaboom"))).toBe(true);
  });

  it("signal death is 128+signo, and the child's descriptors are released", async () => {
    const k = await setup();
    const { status, before, after } = await runAs(k, ROOT, async (t) => {
      await writeFile(t, "/tmp/sleeper", bundle(`await ctx.stdin.read(); return 0;`));
      const [r, w] = await pipe(t);
      const before = k.counts.connections;
      // exec resolves once the child holds its descriptors; the signal may come at any point after.
      const child = await exec(k, t, "/tmp/sleeper", ["sleeper"], { fds: new Map([[0, r]]) });
      child.signal("SIGTERM");
      // Exit releases the descriptors before it wakes waiters.
      const status = await child.wait();
      const after = k.counts.connections;
      await client.close(t, w);
      return { status, before, after };
    });
    expect(status).toBe(128 + 15);
    expect(after).toBe(before);
  });
});
