// `netrino boot` through images/cli/netrino.js, which runs the runtime from the cached esbuild
// bundle (images/cli/bundle-cache.js): a bundled user program and lazily loaded built-ins
// work from the bundle as they do from the sources (NETRINO_NO_BUNDLE=1, tsx).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const BUILDFILE = join(ROOT, "test", "e2e", "fixtures", "bundled.build");
const BOOT_LIMIT_MS = 50_000;

function boot(env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["images/cli/netrino.js", "boot", BUILDFILE], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    p.stdout.on("data", (b: Buffer) => (out += b.toString("utf8")));
    p.stderr.on("data", (b: Buffer) => (out += b.toString("utf8")));
    // Generous: the tsx run transforms every source file, slow on a loaded 2-core machine.
    const timer = setTimeout(() => p.kill("SIGKILL"), BOOT_LIMIT_MS);
    p.on("error", reject);
    p.on("exit", (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

const EXPECTED = [
  "hello-app says one two",
  "echo\nhello-app\nls\nshutdown",
  "from the bundle",
  "Shutting down",
];

describe("boot from the runtime bundle", () => {
  it("runs a bundled user program and lazily loaded built-ins, then shuts down", async () => {
    const r = await boot({ NETRINO_TRACE_BOOT: "1" });
    for (const text of EXPECTED) expect(r.out).toContain(text);
    // The trace says which loader ran: the bundle, not the tsx fallback.
    expect(r.out).toMatch(/bundle key [0-9a-f]{16}/);
    expect(r.out).not.toMatch(/using tsx/);
    expect(r.status).toBe(0);
  }, 60_000);

  it("gives the same output through tsx (NETRINO_NO_BUNDLE=1)", async () => {
    const r = await boot({ NETRINO_NO_BUNDLE: "1", NETRINO_TRACE_BOOT: "1" });
    for (const text of EXPECTED) expect(r.out).toContain(text);
    expect(r.out).not.toMatch(/bundle key/);
    expect(r.status).toBe(0);
  }, 60_000);
});
