// `netrino boot FILE [-D NAME=VALUE]... [--console terminal|DEVICE]`: boots a buildfile or an
// image on this machine. --console DEVICE puts the console on a host serial device or pty
// (the buildfile gets ${CONSOLE_DEVICE} and ${CONSOLE_BACKEND}=serial for devc-ser).
// The runtime lives in firmware/boot/host-boot.ts (`bootHost(opts)`); it is imported lazily
// here, so lint/build/dump do not load it. The specifier is a literal so the runtime bundle
// (bundle-cache.js) follows it.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs, parseDefines } from "./args.ts";
import type { CliIo } from "./io.ts";

export const BOOT_USAGE =
  "usage: netrino boot FILE [-D NAME=VALUE]... [--console terminal|DEVICE]   (FILE: a buildfile or an image)\n";

/** What bootHost receives: the file (buildfile or image) and the build definitions. */
export interface BootRequest {
  readonly file: string;
  readonly defines: Record<string, string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export async function bootCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ["-D", "--console"], []);
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
  const consoleArg = args.options.get("--console")?.at(-1) ?? "terminal";
  const where = consoleArg === "terminal" ? "terminal" : { uartPath: resolve(io.cwd, consoleArg) };
  const { bootHost } = await import("../../firmware/boot/host-boot.ts");
  const status = await bootHost({ file, defines: defs.defines, env: io.env, console: where });
  return typeof status === "number" ? status : 0;
}
