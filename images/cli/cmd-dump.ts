// `netrino dump IMAGE`: list an image (like dumpifs).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { dumpImage } from "../image/dump.ts";
import { ImageFormatError } from "../image/errors.ts";
import { readImage } from "../image/reader.ts";
import type { CliIo } from "./io.ts";

export const DUMP_USAGE = "usage: netrino dump IMAGE\n";

export function dumpCommand(argv: readonly string[], io: CliIo): number {
  if (argv.length !== 1 || argv[0].startsWith("-")) {
    io.stderr(`netrino dump: expected one image\n${DUMP_USAGE}`);
    return 2;
  }
  const file = argv[0];
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(resolve(io.cwd, file)));
  } catch {
    io.stderr(`netrino dump: ${file}: No such file or directory\n`);
    return 1;
  }
  try {
    io.stdout(dumpImage(readImage(bytes, file), file));
    return 0;
  } catch (e) {
    if (e instanceof ImageFormatError) {
      io.stderr(`netrino dump: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
