// Finds a module by the name io-pkt was given: built-ins by name (`vwire`, `devnp-vwire.so`,
// `sample`), user modules from the image (/lib/dll/devnp-x.js, lsm-x.js, or an exact path),
// loaded as ES modules through the FsClient. Their default export is a ModuleDescriptor.
import { KernelError } from "../../kernel/errno.ts";
import type { FsClient } from "../../program.ts";
import devnpPcap from "../drivers/devnp-pcap.ts";
import devnpVwire from "../drivers/devnp-vwire.ts";
import lsmSample from "../filters/lsm-sample.ts";
import lsmQnet from "../qnet/lsm-qnet.ts";
import { isModuleDescriptor, type ModuleDescriptor } from "./module-descriptor.ts";

export type ModuleClass = "driver" | "protocol";
/** A mount request may name a module without its devnp-/lsm- prefix: try a driver first. */
export type ModuleQuery = ModuleClass | "either";

export interface ResolvedModule {
  descriptor: ModuleDescriptor;
  /** "builtin" or the file it came from. */
  source: string;
}

const BUILTINS: readonly ModuleDescriptor[] = [devnpPcap, devnpVwire, lsmSample, lsmQnet];

/** Directories searched for user modules, in order. */
export const MODULE_DIRS = ["/lib/dll", "/proc/boot", "/usr/lib/dll"] as const;

/** `/lib/dll/devnp-x.so` → `devnp-x`. */
export function moduleBaseName(spec: string): string {
  const base = spec.slice(spec.lastIndexOf("/") + 1);
  return base.replace(/\.(so|js|mjs)$/, "");
}

/** The full module name for a -d/-p argument: `vwire` → `devnp-vwire`, `sample` → `lsm-sample`. */
export function fullModuleName(cls: ModuleClass, spec: string): string {
  const base = moduleBaseName(spec);
  if (cls === "driver") return base.startsWith("devnp-") ? base : `devnp-${base}`;
  return base.startsWith("lsm-") ? base : `lsm-${base}`;
}

/** What a mount request names: devnp-* are drivers, lsm-* protocols or filters, others either. */
export function classOf(spec: string): ModuleQuery {
  const base = moduleBaseName(spec);
  if (spec.startsWith("/") || base.startsWith("lsm-") || base === "tcpip") return "protocol";
  return base.startsWith("devnp-") ? "driver" : "either";
}

export function builtinModule(fullName: string): ModuleDescriptor | undefined {
  return BUILTINS.find((d) => d.name === fullName);
}

async function importFile(fs: FsClient, path: string): Promise<ModuleDescriptor> {
  const source = await fs.readFile(path);
  let mod: { default?: unknown };
  try {
    const url = `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`;
    mod = (await import(url)) as { default?: unknown };
  } catch (e) {
    throw new KernelError("ENOEXEC", `${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isModuleDescriptor(mod.default)) {
    throw new KernelError("ENOEXEC", `${path}: default export is not an io-pkt module descriptor`);
  }
  return mod.default;
}

async function exists(fs: FsClient, path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Resolves `spec` (-d/-p argument or mount special); ENOENT when there is no such module. */
export async function resolveModule(cls: ModuleQuery, spec: string, fs: FsClient): Promise<ResolvedModule> {
  if (cls === "either") {
    try {
      return await resolveModule("driver", spec, fs);
    } catch (e) {
      if (!(e instanceof KernelError && e.errno === "ENOENT")) throw e;
      return resolveModule("protocol", spec, fs);
    }
  }
  if (spec.startsWith("/")) {
    const candidates = spec.endsWith(".so") ? [spec.replace(/\.so$/, ".js"), spec] : [spec];
    for (const path of candidates) {
      if (await exists(fs, path)) return { descriptor: await importFile(fs, path), source: path };
    }
    throw new KernelError("ENOENT", `${spec}: No such file or directory`);
  }
  const full = fullModuleName(cls, spec);
  const builtin = builtinModule(full);
  if (builtin) return { descriptor: builtin, source: "builtin" };
  for (const dir of MODULE_DIRS) {
    for (const ext of [".js", ".mjs"]) {
      const path = `${dir}/${full}${ext}`;
      if (await exists(fs, path)) return { descriptor: await importFile(fs, path), source: path };
    }
  }
  throw new KernelError(
    "ENOENT",
    `${full} is not built in, and there is no ${full}.js in ${MODULE_DIRS.join(", ")}`,
  );
}
