// What goes into the initramfs from the unpacked Debian packages: node and the shared
// libraries and JS builtins it loads, busybox, and the board's kernel modules with their
// dependencies (read from each module's modinfo, since Debian ships no modules.dep).
import { spawnSync } from "node:child_process";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import type { CpioEntry } from "./cpio.ts";
import { DebianError } from "./debian-repo.ts";

const enc = new TextEncoder();

/** Files of a runtime package the image needs: programs, libraries, node's JS builtins. */
const KEEP = /^(?:usr\/bin\/node|(?:usr\/)?lib\/[^/]*(?:\/[^/]+)*|usr\/share\/nodejs\/.*)$/;
/**
 * Never needed on a board: charset converters, debug symbols, package-manager leftovers, type
 * declarations and docs of node's JS builtins, and libraries nothing links or loads (ICU's
 * tool, test and stdio libraries; glibc's debugging and profiling preloads; OpenSSL engines).
 */
export const DROP = new RegExp(
  [
    "\\/(?:gconv|debug|lintian|pkgconfig|systemd|udev|tmpfiles\\.d|sysusers\\.d|cmake|engines-\\d+|@types)(?:\\/|$)",
    "\\.a$",
    "\\/usr\\/share\\/nodejs\\/.*\\.(?:d\\.ts|md|map)$",
    "\\/lib(?:icuio|icutest|icutu|BrokenLocale|c_malloc_debug|memusage|pcprofile|thread_db)\\.so",
  ].join("|"),
);

/** Every file and symlink under `dir`, relative, sorted (directories implied). */
function listTree(dir: string, rel = ""): { rel: string; abs: string }[] {
  const out: { rel: string; abs: string }[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, r));
    if (st.isDirectory()) out.push(...listTree(dir, r));
    else out.push({ rel: r, abs: join(dir, r) });
  }
  return out;
}

export function fileEntry(target: string, abs: string): CpioEntry {
  const st = lstatSync(abs);
  if (st.isSymbolicLink()) return { path: target, mode: 0o120777, data: enc.encode(readlinkSync(abs)) };
  return { path: target, mode: 0o100000 | (st.mode & 0o777), data: readFileSync(abs) };
}

/** Node, its libraries and builtins from the runtime packages' trees. */
export function runtimeFiles(trees: readonly string[]): CpioEntry[] {
  const out = new Map<string, CpioEntry>();
  for (const tree of trees) {
    for (const f of listTree(tree)) {
      if (!KEEP.test(f.rel) || DROP.test(`/${f.rel}`) || f.rel.startsWith(".")) continue;
      out.set(f.rel, fileEntry(f.rel, f.abs));
    }
  }
  return [...out.values()];
}

export interface KernelTree {
  readonly version: string;
  readonly vmlinuz: string;
  readonly dtbDir: string;
  readonly modulesDir: string;
}

export function kernelTree(tree: string): KernelTree {
  const boot = readdirSync(join(tree, "boot")).find((f) => f.startsWith("vmlinuz-"));
  if (!boot) throw new DebianError(`the kernel package has no /boot/vmlinuz-*`);
  const version = boot.slice("vmlinuz-".length);
  return {
    version,
    vmlinuz: join(tree, "boot", boot),
    dtbDir: join(tree, "usr", "lib", `linux-image-${version}`),
    modulesDir: join(tree, "usr", "lib", "modules", version),
  };
}

/** The `depends=` key of a module's .modinfo section (the module is xz-compressed by Debian). */
function moduleDepends(path: string): string[] {
  let data: Buffer = readFileSync(path);
  if (path.endsWith(".xz")) {
    const r = spawnSync("xz", ["-dc", path], { maxBuffer: 1 << 28 });
    if (r.error || r.status !== 0) throw new DebianError(`cannot decompress ${path} (xz-utils)`);
    data = r.stdout;
  }
  const at = data.indexOf("\0depends=");
  if (at < 0) return [];
  const end = data.indexOf(0, at + 1);
  return data
    .subarray(at + 9, end)
    .toString("latin1")
    .split(",")
    .filter(Boolean);
}

const norm = (name: string): string => name.replace(/-/g, "_");

/**
 * The module files to load, dependencies first, for the named modules. A name the kernel
 * does not have as a module is an error naming it (built-in drivers need no entry).
 */
export function moduleLoadOrder(kernel: KernelTree, names: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const f of listTree(kernel.modulesDir)) {
    const m = /([^/]+)\.ko(?:\.xz|\.zst|\.gz)?$/.exec(f.rel);
    if (m) byName.set(norm(m[1]), f.rel);
  }
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, by?: string): void => {
    const key = norm(name);
    const rel = byName.get(key);
    if (!rel) {
      throw new DebianError(
        `kernel ${kernel.version} has no module ${name}${by ? ` (needed by ${by})` : ""}`,
      );
    }
    if (order.includes(rel) || visiting.has(key)) return;
    visiting.add(key);
    for (const dep of moduleDepends(join(kernel.modulesDir, rel))) visit(dep, name);
    order.push(rel);
  };
  for (const n of names) visit(n);
  return order;
}
