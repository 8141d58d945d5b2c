// `netrino flash IMAGE DEVICE`: writes a card image's mapped blocks to a disk and verifies
// them (images/card/flash.ts); refusals and failures are one line naming the problem.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { BmapError, parseBmap, type Bmap } from "../card/bmap.ts";
import { hostDiskFacts, type DiskFacts } from "../card/disk-facts.ts";
import { flash, FlashError, formatBytes, type FlashPhase } from "../card/flash.ts";
import { parseArgs } from "./args.ts";
import type { CliIo } from "./io.ts";

export const FLASH_USAGE = `usage: netrino flash IMAGE DEVICE [--bmap FILE | --nobmap] [--force]
  writes the blocks IMAGE.bmap marks to DEVICE (a whole disk), then reads them back
  --force   the disk is not marked removable (a loop device, an internal card slot)
`;

export interface FlashCommandDeps {
  facts?: DiskFacts;
  /** Progress on one rewritten line (a terminal) or a line per quarter. */
  tty?: boolean;
}

export function flashCommand(argv: readonly string[], io: CliIo, deps: FlashCommandDeps = {}): number {
  const args = parseArgs(argv, ["--bmap"], ["--force", "--nobmap"]);
  const fail = (m: string, code = 1): number => {
    io.stderr(`netrino flash: ${m}\n`);
    return code;
  };
  if (args.error) return fail(`${args.error}\n${FLASH_USAGE}`, 2);
  if (args.positional.length !== 2) return fail(`expected an image and a device\n${FLASH_USAGE}`, 2);
  const image = resolve(io.cwd, args.positional[0]);
  const device = args.positional[1];
  const bmapOpt = args.options.get("--bmap")?.at(-1);
  if (bmapOpt && args.flags.has("--nobmap")) return fail("--bmap and --nobmap exclude each other", 2);

  let bmap: Bmap | null = null;
  if (!args.flags.has("--nobmap")) {
    const bmapPath = bmapOpt ? resolve(io.cwd, bmapOpt) : `${image}.bmap`;
    let text: string;
    try {
      text = readFileSync(bmapPath, "utf8");
    } catch {
      return fail(`${bmapPath}: No such file (give --bmap FILE, or --nobmap to write every block)`);
    }
    try {
      bmap = parseBmap(text, bmapPath);
    } catch (e) {
      if (e instanceof BmapError) return fail(e.message);
      throw e;
    }
  }

  const labels: Record<FlashPhase, string> = {
    check: "checking image",
    write: "writing",
    verify: "verifying",
  };
  let shown = "";
  const progress = (phase: FlashPhase, done: number, total: number): void => {
    const pct = total === 0 ? 100 : Math.floor((done * 100) / total);
    const step = deps.tty ? pct : pct - (pct % 25);
    const line = `${labels[phase]}: ${step}% (${formatBytes(done)} of ${formatBytes(total)})`;
    if (deps.tty) {
      if (line !== shown) io.stderr(`\r${line}\x1b[K`);
    } else if (`${phase}${step}` !== shown) io.stderr(`${labels[phase]}: ${step}%\n`);
    shown = deps.tty ? line : `${phase}${step}`;
  };
  try {
    const r = flash({
      image,
      bmap,
      device,
      force: args.flags.has("--force"),
      facts: deps.facts ?? hostDiskFacts(),
      progress,
    });
    if (deps.tty) io.stderr("\n");
    io.stdout(
      `${args.positional[0]} → ${r.disk.path}: wrote and verified ${formatBytes(r.writtenBytes)} of a ${formatBytes(r.imageSize)} image` +
        `${bmap ? ` (${bmap.ranges.length} mapped ranges)` : ""}\n`,
    );
    return 0;
  } catch (e) {
    if (deps.tty && shown) io.stderr("\n");
    if (e instanceof FlashError) return fail(e.message);
    throw e;
  }
}
