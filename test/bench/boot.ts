// `npm run bench -- boot`: time from starting `netrino boot buildfiles/host.build` to the
// shell prompt on the console (from the cached runtime bundle, and through tsx with
// NETRINO_NO_BUNDLE=1), the in-memory build time of that image and the time to rebuild the
// runtime bundle after an edit; the baseline is starting `node -e 0` in the same run.
// Prints one JSON line.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildBundle } from "../../images/cli/bundle-cache.js";
import { buildImage } from "../../images/image/build.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const BUILDFILE = join(ROOT, "buildfiles", "host.build");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function nodeStart(): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
    p.on("error", reject);
    p.on("exit", () => resolve(performance.now() - t0));
  });
}

/** Boots with stdin a pipe (the terminal backend reads it) and waits for "/ # " on stdout. */
function bootToPrompt(env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["images/cli/netrino.js", "boot", BUILDFILE], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`no prompt within 60 s:\n${out}`));
    }, 60_000);
    p.stdout.on("data", (b: Buffer) => {
      out += b.toString("utf8");
      if (out.includes("/ # ")) {
        const ms = performance.now() - t0;
        clearTimeout(timer);
        p.on("exit", () => resolve(ms));
        p.kill("SIGTERM");
      }
    });
    p.stderr.on("data", (b: Buffer) => (out += b.toString("utf8")));
    p.on("error", reject);
  });
}

async function bundleBuild(): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), "netrino-bench-bundle-"));
  try {
    const t0 = performance.now();
    await buildBundle(ROOT, out);
    return performance.now() - t0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const baseline: number[] = [];
const boots: number[] = [];
const tsxBoots: number[] = [];
const builds: number[] = [];
const bundles: number[] = [];
// The first boot makes sure the cached bundle is current; it is not counted.
await bootToPrompt();
for (let i = 0; i < RUNS; i++) {
  baseline.push(await nodeStart());
  boots.push(await bootToPrompt());
  tsxBoots.push(await bootToPrompt({ NETRINO_NO_BUNDLE: "1" }));
  const t0 = performance.now();
  const r = await buildImage(BUILDFILE, { env: {} });
  builds.push(performance.now() - t0);
  if (!r.image) throw new Error("host.build does not build");
  bundles.push(await bundleBuild());
}
const boot = median(boots);
const node = median(baseline);
const round1 = (x: number): number => Math.round(x * 10) / 10;
console.log(
  JSON.stringify({
    bench: "boot",
    runs: RUNS,
    boot_to_prompt_ms: Math.round(boot),
    boot_to_prompt_tsx_ms: Math.round(median(tsxBoots)),
    build_ms: round1(median(builds)),
    bundle_rebuild_ms: Math.round(median(bundles)),
    baseline_node_start_ms: Math.round(node),
    ratio_vs_node_start: round1(boot / node),
    speedup_vs_tsx: round1(median(tsxBoots) / boot),
  }),
);
