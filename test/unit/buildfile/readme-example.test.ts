// README.md's buildfile example must stay true: it lints without a problem, is already in the
// canonical layout, builds, and its user program (buildfiles/apps/hello.ts) is bundled and runs.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import hello from "../../../buildfiles/apps/hello.ts";
import type { CliIo } from "../../../images/cli/io.ts";
import { main } from "../../../images/cli/main.ts";
import { readImage } from "../../../images/image/reader.ts";
import type { ProgramContext } from "../../../firmware/program.ts";

/** The fenced block under README's "### A buildfile" heading. */
function readmeBuildfile(): string {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf("### A buildfile"));
  const block = /```\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("README.md has no buildfile example");
  return block[1];
}

function run(argv: string[], cwd: string) {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd, env: {} };
  return main(argv, io).then((status) => ({ status, out, err }));
}

// README says "saved as buildfiles/my.build": host paths are relative to the buildfile, so the
// temporary copy gets an `apps` link to buildfiles/apps.
const dir = mkdtempSync(join(tmpdir(), "netrino-readme-"));
writeFileSync(join(dir, "my.build"), readmeBuildfile());
symlinkSync(resolve("buildfiles/apps"), join(dir, "apps"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README buildfile example", () => {
  it("lints with no error and no warning", async () => {
    const r = await run(["lint", "my.build"], dir);
    expect(r.out + r.err).toBe("");
    expect(r.status).toBe(0);
  });

  it("is formatted", async () => {
    const r = await run(["fmt", "--check", "my.build"], dir);
    expect(r.out + r.err).toBe("");
    expect(r.status).toBe(0);
  });

  it("builds, with /bin/hello bundled as a program", async () => {
    const r = await run(["build", "my.build", "-o", "out.ifs"], dir);
    expect(r.status).toBe(0);
    const img = readImage(new Uint8Array(readFileSync(join(dir, "out.ifs"))));
    const entry = img.find("/bin/hello");
    expect(entry?.program).toBe(true);
    expect(new TextDecoder().decode(img.fileData("/bin/hello"))).toMatch(/^\/\/netrino:program\n/);
    expect(img.find("/proc/boot/io-pkt")).toBeDefined();
  });
});

describe("buildfiles/apps/hello.ts", () => {
  function fakeCtx(argv: string[]) {
    const written = { out: "", err: "" };
    const stream = (key: "out" | "err") => ({
      write: async (d: string | Uint8Array) => void (written[key] += String(d)),
    });
    const ctx = {
      argv,
      kernel: { hostname: "node7" },
      process: { pid: 42 },
      stdout: stream("out"),
      stderr: stream("err"),
    } as unknown as ProgramContext;
    return { ctx, written };
  }

  it("greets with the node name and its pid", async () => {
    const { ctx, written } = fakeCtx(["hello", "QNX"]);
    expect(await hello.main(ctx)).toBe(0);
    expect(written.out).toBe("hello, QNX, from node7 (pid 42)\n");
  });

  it("prints its usage and returns 2 on too many operands", async () => {
    const { ctx, written } = fakeCtx(["hello", "a", "b"]);
    expect(await hello.main(ctx)).toBe(2);
    expect(written.err).toContain("usage: hello [name]");
  });
});
