// `npm run bench -- boot`: time from starting `netrino boot buildfiles/host.build` to the
// shell prompt on the console, and the in-memory build time of that image; the baseline is
// starting `node -e 0` in the same run. Prints one JSON line.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
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
function bootToPrompt(): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["images/cli/netrino.js", "boot", BUILDFILE], {
      cwd: ROOT,
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

const baseline: number[] = [];
const boots: number[] = [];
const builds: number[] = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(await nodeStart());
  boots.push(await bootToPrompt());
  const t0 = performance.now();
  const r = await buildImage(BUILDFILE, { env: {} });
  builds.push(performance.now() - t0);
  if (!r.image) throw new Error("host.build does not build");
}
const boot = median(boots);
const node = median(baseline);
console.log(
  JSON.stringify({
    bench: "boot",
    runs: RUNS,
    boot_to_prompt_ms: Math.round(boot),
    build_ms: Math.round(median(builds) * 10) / 10,
    baseline_node_start_ms: Math.round(node),
    ratio_vs_node_start: Math.round((boot / node) * 10) / 10,
  }),
);
