// Unpacked packages: each .deb is unpacked once (dpkg-deb -x, no root needed) into
// <cache>/trees/<sha256>/, keyed by the checksum the archive vouched for. A tree is complete
// only when its marker file exists, so an interrupted unpack is redone.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DebianError, type DebianRepo, type DebPackage } from "./debian-repo.ts";

const DONE = ".netrino-unpacked";

export async function unpackedTree(repo: DebianRepo, pkg: DebPackage): Promise<string> {
  const dir = join(repo.opts.cache, "trees", pkg.sha256);
  if (existsSync(join(dir, DONE))) return dir;
  const { path } = await repo.deb(pkg);
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync("dpkg-deb", ["-x", path, tmp], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new DebianError(`cannot unpack ${pkg.name} ${pkg.version}: ${r.error?.message ?? r.stderr.trim()}`);
  }
  writeFileSync(join(tmp, DONE), `${pkg.name} ${pkg.version}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}

/**
 * The packages `names` need at run time: their Depends and Pre-Depends, first alternative,
 * transitively. Packages that only serve a package manager (maintainer scripts, initramfs
 * generators, kernel hooks) are not followed: the image has no dpkg and runs no scripts.
 */
const NOT_IN_IMAGE = new Set([
  "dpkg",
  "debconf",
  "debconf-2.0",
  "kmod",
  "linux-base",
  "initramfs-tools",
  "linux-initramfs-tool",
  "dosfstools",
  "node-corepack",
  "perl-base",
  "base-files",
]);

export function packageClosure(repo: DebianRepo, names: readonly string[]): Promise<DebPackage[]> {
  return repo.memo(`closure-1 ${names.join(" ")} without ${[...NOT_IN_IMAGE].join(" ")}`, () =>
    lookUpClosure(repo, names),
  );
}

async function lookUpClosure(repo: DebianRepo, names: readonly string[]): Promise<DebPackage[]> {
  const out = new Map<string, DebPackage>();
  const todo = [...names];
  const wanted = new Set(names);
  const neededBy = new Map<string, string>();
  while (todo.length > 0) {
    const name = todo.shift() as string;
    const pkg = await repo.find(name);
    if (!pkg) {
      throw new DebianError(
        wanted.has(name)
          ? `package ${name} is not in ${repo.opts.suite}/${repo.opts.arch} (${repo.opts.components.join(", ")})`
          : `dependency ${name} (of ${neededBy.get(name)}) is not in ${repo.opts.suite}/${repo.opts.arch}`,
      );
    }
    if (out.has(pkg.name)) continue;
    out.set(pkg.name, pkg);
    for (const field of [pkg.preDepends, pkg.depends]) {
      for (const clause of field.split(",")) {
        const first = clause
          .split("|")[0]
          .trim()
          .split(/[\s(:]/)[0];
        if (first && !NOT_IN_IMAGE.has(first) && !out.has(first)) {
          if (!neededBy.has(first)) neededBy.set(first, pkg.name);
          todo.push(first);
        }
      }
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}
