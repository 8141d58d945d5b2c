// The `netrino` command: dispatches to the subcommands. Returns the exit status.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bootCommand } from "./cmd-boot.ts";
import { buildCommand } from "./cmd-build.ts";
import { dumpCommand } from "./cmd-dump.ts";
import { flashCommand } from "./cmd-flash.ts";
import { fmtCommand } from "./cmd-fmt.ts";
import { lintCommand } from "./cmd-lint.ts";
import { processIo, type CliIo } from "./io.ts";
import { qemuCommand } from "./cmd-qemu.ts";
import { REPO_ROOT } from "./paths.ts";

export const USAGE = `usage: netrino <command> [args]

commands:
  lint FILE [-D NAME=VALUE]... [--strict] [--format text|json]
                                        check a buildfile; every problem as file:line:col
  fmt FILE... [--check]                  format buildfiles (--check: report, do not write)
  build FILE [-o OUT] [-D NAME=VALUE]... build an image (default images/out/<name>.ifs)
  dump IMAGE                             list an image's files and startup script
  boot FILE [-D NAME=VALUE]... [--console terminal|DEVICE]
                                        boot a buildfile or an image on this machine
  qemu IMAGE [--wire HOST:PORT]          boot a qemu-arm64/qemu-armhf card image under QEMU
  flash IMAGE DEVICE [--force]           write a card image to an SD card (its bmap's blocks), verified
  help                                   this text
  --version                              print the version
`;

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "lint":
      return lintCommand(rest, io);
    case "fmt":
      return fmtCommand(rest, io);
    case "build":
      return buildCommand(rest, io);
    case "dump":
      return dumpCommand(rest, io);
    case "boot":
      return bootCommand(rest, io);
    case "qemu":
      return qemuCommand(rest, io);
    case "flash":
      return flashCommand(rest, io, { tty: process.stderr.isTTY === true });
    case "help":
    case "--help":
    case "-h":
      io.stdout(USAGE);
      return 0;
    case "--version":
    case "-V":
      io.stdout(`netrino ${version()}\n`);
      return 0;
    case undefined:
      io.stderr(USAGE);
      return 2;
    default:
      io.stderr(`netrino: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}
