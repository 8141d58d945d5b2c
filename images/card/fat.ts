// FAT filesystem images without root: mkfs.vfat makes an empty filesystem in a file, mtools'
// mcopy fills it. Both are made deterministic: --invariant fixes the volume id and times,
// files are copied with their mtimes (-m), which the caller sets to SOURCE_DATE_EPOCH.
import { spawnSync } from "node:child_process";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export class CardError extends Error {}

export interface FatFile {
  /** Path inside the filesystem (`overlays/README`, `extlinux/extlinux.conf`). */
  readonly path: string;
  readonly data: Uint8Array;
}

function run(cmd: string, args: readonly string[], pkg: string, env?: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    env: { ...process.env, ...env, MTOOLS_SKIP_CHECK: "1" },
  });
  if (r.error) throw new CardError(`cannot run ${cmd} (package ${pkg}): ${r.error.message}`);
  if (r.status !== 0) throw new CardError(`${cmd} ${args.join(" ")}: ${(r.stderr || r.stdout).trim()}`);
}

/** Writes a FAT image of `bytes` (a multiple of 1 MiB) holding `files` to `path`. */
export function makeFat(
  path: string,
  bytes: number,
  opts: { label: string; fat32: boolean; epoch: number; staging: string },
  files: readonly FatFile[],
): void {
  const args = ["-C", "--invariant", "-n", opts.label];
  if (opts.fat32) args.push("-F", "32", "-s", "1");
  run("mkfs.vfat", [...args, path, String(bytes / 1024)], "dosfstools");
  if (files.length === 0) return;
  const stage = join(opts.staging, "fat-files");
  const when = new Date(opts.epoch * 1000);
  const dirs = new Set<string>();
  for (const f of files) {
    const p = join(stage, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data);
    utimesSync(p, when, when);
    for (let d = dirname(f.path); d !== "."; d = dirname(d)) dirs.add(d);
  }
  for (const d of dirs) utimesSync(join(stage, d), when, when);
  const top = [...new Set(files.map((f) => f.path.split("/")[0]))].sort();
  const env = { SOURCE_DATE_EPOCH: String(opts.epoch), TZ: "UTC" };
  run("mcopy", ["-i", path, "-s", "-m", "-o", ...top.map((t) => join(stage, t)), "::/"], "mtools", env);
}
