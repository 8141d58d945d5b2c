// The runtime bundle cache (images/cli/bundle-cache.js) on a small source tree in a temp
// directory: the key follows the sources, lazy imports stay separate chunks, import.meta keeps
// naming the source file, a broken tree falls back (null) and is remembered.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildBundle,
  bundledMainUrl,
  cacheDir,
  REPO_ROOT,
  sourceKey,
} from "../../../images/cli/bundle-cache.js";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function write(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** main.ts imports a.ts statically and lazy.ts through import(); a.ts reports its import.meta.url. */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), "netrino-bundle-"));
  roots.push(root);
  write(
    root,
    "images/cli/main.ts",
    `import { whereAmI } from "../../firmware/a.ts";
export async function main(argv: string[]): Promise<number> {
  const lazy = await import("../../firmware/lazy.ts");
  return argv.length + lazy.LAZY_VALUE;
}
export const where: string = whereAmI();
`,
  );
  write(root, "firmware/a.ts", `export const whereAmI = (): string => import.meta.url;\n`);
  write(
    root,
    "firmware/lazy.ts",
    `export const LAZY_VALUE: number = 40;\nexport const TAG = "LAZY-MARKER";\n`,
  );
  return root;
}

describe("sourceKey", () => {
  it("is stable, and changes when a source file changes or appears", () => {
    const root = tree();
    const k1 = sourceKey(root);
    expect(k1).toMatch(/^[0-9a-f]{16}$/);
    expect(sourceKey(root)).toBe(k1);
    write(root, "firmware/lazy.ts", `export const LAZY_VALUE: number = 400;\n`);
    const k2 = sourceKey(root);
    expect(k2).not.toBe(k1);
    write(root, "hal/new.ts", "export {};\n");
    expect(sourceKey(root)).not.toBe(k2);
  });

  it("ignores build output and tests", () => {
    const root = tree();
    const k = sourceKey(root);
    write(root, "images/out/host.ifs.json", "{}");
    write(root, "test/unit/x.test.ts", "export {};\n");
    write(root, "firmware/README.md", "notes\n");
    expect(sourceKey(root)).toBe(k);
  });
});

describe("bundledMainUrl", () => {
  it("builds main.js with the lazy import as its own chunk and import.meta of the source", async () => {
    const root = tree();
    const url = await bundledMainUrl({}, root);
    expect(url).not.toBeNull();
    const dir = join(cacheDir(root), sourceKey(root));
    expect(url).toBe(pathToFileURL(join(dir, "main.js")).href);
    expect(readFileSync(join(dir, "main.js"), "utf8")).not.toContain("LAZY-MARKER");
    const chunks = readdirSync(join(dir, "chunks")).filter((f) => f.endsWith(".js"));
    expect(chunks.some((f) => readFileSync(join(dir, "chunks", f), "utf8").includes("LAZY-MARKER"))).toBe(
      true,
    );
    const mod = (await import(url as string)) as { main: (a: string[]) => Promise<number>; where: string };
    expect(await mod.main(["a", "b"])).toBe(42);
    expect(mod.where).toBe(pathToFileURL(join(root, "firmware", "a.ts")).href);
  });

  it("reuses the cached bundle and builds a new one after an edit", async () => {
    const root = tree();
    const first = await bundledMainUrl({}, root);
    expect(await bundledMainUrl({}, root)).toBe(first);
    write(root, "firmware/lazy.ts", `export const LAZY_VALUE: number = 1;\n`);
    const second = await bundledMainUrl({}, root);
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    const mod = (await import(second as string)) as { main: (a: string[]) => Promise<number> };
    expect(await mod.main([])).toBe(1);
  });

  it("removes bundles of other keys only when no start used them for a day", async () => {
    const root = tree();
    const dir = cacheDir(root);
    const old = join(dir, "0000000000000000");
    const recent = join(dir, "1111111111111111");
    for (const d of [old, recent]) write(d, "main.js", "export {};\n");
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    await bundledMainUrl({}, root);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
  });

  it("returns null for sources esbuild cannot build, and remembers the failure", async () => {
    const root = tree();
    write(root, "firmware/a.ts", "export const whereAmI = ( => ;\n");
    const lines: string[] = [];
    const env = { NETRINO_TRACE_BOOT: "1" };
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await bundledMainUrl(env, root)).toBeNull();
      expect(existsSync(join(cacheDir(root), `${sourceKey(root)}.failed`))).toBe(true);
      expect(await bundledMainUrl(env, root)).toBeNull();
    } finally {
      process.stderr.write = orig;
    }
    expect(lines.some((l) => l.includes("bundle failed"))).toBe(true);
    expect(lines.some((l) => l.includes("failed before; using tsx"))).toBe(true);
    // No half-built directory is left behind.
    expect(readdirSync(cacheDir(root)).filter((f) => f.startsWith("tmp-"))).toEqual([]);
  });
});

describe("the real runtime bundle", () => {
  it("bundles images/cli/main.ts; the bundle finds the repository and keeps built-ins lazy", async () => {
    const out = mkdtempSync(join(tmpdir(), "netrino-runtime-"));
    roots.push(out);
    await buildBundle(REPO_ROOT, out);
    const chunks = readdirSync(join(out, "chunks"));
    for (const name of ["ksh", "ls", "pidin", "io-pkt", "host-boot"]) {
      expect(chunks.some((f) => f.startsWith(`${name}-`) && f.endsWith(".js"))).toBe(true);
    }
    const { main } = (await import(pathToFileURL(join(out, "main.js")).href)) as {
      main: (argv: string[], io: unknown) => Promise<number>;
    };
    const printed: string[] = [];
    const io = {
      stdout: (s: string) => printed.push(s),
      stderr: (s: string) => printed.push(s),
      cwd: REPO_ROOT,
      env: {},
    };
    expect(await main(["--version"], io)).toBe(0);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    expect(printed.join("")).toBe(`netrino ${pkg.version}\n`);
  });
});
