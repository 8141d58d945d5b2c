// Suites that need root or system packages call `requirement()` at the top of the file.
// Outside CI a missing requirement skips the suite with the reason printed once;
// in CI (CI=true) nothing may be skipped, so a missing requirement fails the suite.
import { spawnSync } from "node:child_process";

export interface Requirement {
  ok: boolean;
  reason: string;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Can this process create network namespaces (root, iproute2 present, netns usable)? */
export function canUseNetns(): boolean {
  if (!isRoot() || !hasCommand("ip")) return false;
  return spawnSync("ip", ["netns", "list"], { stdio: "ignore" }).status === 0;
}

/**
 * Checks every need; returns whether the suite should be skipped. In CI an unmet need throws,
 * so the run fails with the reason instead of silently skipping.
 */
export function requirement(suite: string, needs: Record<string, boolean>): boolean {
  const missing = Object.entries(needs)
    .filter(([, ok]) => !ok)
    .map(([what]) => what);
  if (missing.length === 0) return false;
  const reason = `suite "${suite}" needs ${missing.join(", ")}`;
  if (process.env.CI === "true") throw new Error(`${reason} (CI may not skip suites)`);
  process.stderr.write(`netrino: skipping ${reason}\n`);
  return true;
}

/** A name unique to this run, for network namespaces and interfaces (≤ 15 chars for ifnames). */
export function uniqueName(prefix: string): string {
  const tag = (process.pid % 10000).toString(36) + Math.floor(Math.random() * 36 ** 3).toString(36);
  return (prefix + tag).slice(0, 15);
}
