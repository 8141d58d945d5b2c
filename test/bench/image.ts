// `npm run bench -- image`: the rpi4 card's build time cold (a fresh cache: packages unpacked,
// addons compiled, initramfs built anew; the downloaded .debs are shared so the network does not
// count) and warm (nothing changed), its sizes, and the qemu-arm64 card's time from starting
// `netrino qemu` to the shell prompt. Baselines in the same run: `xz -T2 -6` of the card's own
// bytes (what the cold build must at least do once) and `cp` of them (what a warm build could
// at best cost). Prints one JSON line. Targets (issue 13): warm ≤ 10 s, .img.xz ≤ 35 MB,
// boot to prompt ≤ 12 s.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const ROOT = join(import.meta.dirname, "..", "..");
const EPOCH = "1700000000";
const cache = process.env.NETRINO_CACHE ?? join(homedir(), ".cache", "netrino");
const tmp = mkdtempSync(join(tmpdir(), "netrino-bench-image-"));

function timed(cmd: string, args: readonly string[], env: Record<string, string> = {}): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH, ...env },
  });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.error?.message ?? r.stderr}`);
  return (performance.now() - t0) / 1000;
}

const build = (board: string, out: string, env: Record<string, string> = {}): number =>
  timed(process.execPath, ["images/cli/netrino.js", "build", `buildfiles/${board}.build`, "-o", out], env);

/** Seconds from starting `netrino qemu` to the shell prompt; then `shutdown` powers it off. */
function bootToPrompt(img: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["images/cli/netrino.js", "qemu", img, "--port", "47391"], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let seconds = 0;
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`no prompt within 300 s:\n${out}`));
    }, 300_000);
    const onData = (b: Buffer): void => {
      out += b.toString("utf8");
      const welcome = out.indexOf("Welcome to netrino");
      if (seconds === 0 && welcome >= 0 && out.indexOf("# ", welcome) >= 0) {
        seconds = (performance.now() - t0) / 1000;
        p.stdin.write("shutdown\r");
      }
    };
    p.stdout.on("data", onData);
    p.stderr.on("data", onData);
    p.on("error", reject);
    p.on("exit", () => {
      clearTimeout(timer);
      if (seconds > 0) resolve(seconds);
      else reject(new Error(`qemu ended before the prompt:\n${out}`));
    });
  });
}

try {
  // Cold: a cache of its own holding only the downloads.
  const cold = join(tmp, "cache");
  mkdirSync(join(cache, "debian"), { recursive: true });
  mkdirSync(cold);
  symlinkSync(join(cache, "debian"), join(cold, "debian"));
  const img = join(tmp, "rpi4.img");
  const buildCold = build("rpi4", img, { NETRINO_CACHE: cold });
  const buildWarm = build("rpi4", img, { NETRINO_CACHE: cold });
  const xzBaseline = timed("sh", ["-c", `xz -T2 -6 -c "$0" > "$1"`, img, join(tmp, "baseline.xz")]);
  const cpBaseline = timed("cp", [img, join(tmp, "baseline.img")]);

  const qemuImg = join(tmp, "qemu-arm64.img");
  build("qemu-arm64", qemuImg);
  const boot = await bootToPrompt(qemuImg);

  const mb = (p: string): number => Math.round((statSync(p).size / 1e6) * 10) / 10;
  const r1 = (x: number): number => Math.round(x * 10) / 10;
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({
      bench: "image",
      board: "rpi4",
      build_cold_s: r1(buildCold),
      build_warm_s: r1(buildWarm),
      image_mb: mb(img),
      image_xz_mb: mb(`${img}.xz`),
      qemu_boot_to_prompt_s: r1(boot),
      baseline_xz_s: r1(xzBaseline),
      baseline_cp_s: r2(cpBaseline),
      ratio_cold_vs_xz: r1(buildCold / xzBaseline),
      ratio_warm_vs_cp: r1(buildWarm / cpBaseline),
      targets: { build_warm_s: 10, image_xz_mb: 35, qemu_boot_to_prompt_s: 12 },
    }),
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
