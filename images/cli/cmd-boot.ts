// `netrino boot FILE [-D NAME=VALUE]...`: boots a buildfile or an image on this machine.
// The runtime lives in firmware/boot/host-boot.ts (`bootHost(opts)`); it is imported only
// here, so lint/build/dump work without the runtime.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, parseDefines } from "./args.ts";
import type { CliIo } from "./io.ts";
import { REPO_ROOT } from "./paths.ts";

export const BOOT_USAGE = "usage: netrino boot FILE [-D NAME=VALUE]...   (FILE: a buildfile or an image)\n";

/** What bootHost receives: the file (buildfile or image) and the build definitions. */
export interface BootRequest {
  readonly file: string;
  readonly defines: Record<string, string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export async function bootCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ["-D"], []);
  const defs = parseDefines(args.options.get("-D") ?? []);
  if (args.error || "error" in defs || args.positional.length !== 1) {
    io.stderr(
      `netrino boot: ${args.error ?? ("error" in defs ? defs.error : "expected one buildfile or image")}\n${BOOT_USAGE}`,
    );
    return 2;
  }
  const file = resolve(io.cwd, args.positional[0]);
  if (!existsSync(file)) {
    io.stderr(`netrino boot: ${args.positional[0]}: No such file or directory\n`);
    return 1;
  }
  const modulePath = join(REPO_ROOT, "firmware", "boot", "host-boot.ts");
  if (!existsSync(modulePath)) {
    io.stderr("netrino boot: the runtime is not available (firmware/boot/host-boot.ts is missing)\n");
    return 1;
  }
  const mod = (await import(pathToFileURL(modulePath).href)) as {
    bootHost?: (opts: BootRequest) => Promise<number | void>;
  };
  if (typeof mod.bootHost !== "function") {
    io.stderr("netrino boot: firmware/boot/host-boot.ts does not export bootHost()\n");
    return 1;
  }
  const status = await mod.bootHost({ file, defines: defs.defines, env: io.env });
  return typeof status === "number" ? status : 0;
}
