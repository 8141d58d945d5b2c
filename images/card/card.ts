// The card image: an MBR with a bootable FAT32 boot partition (first at 4 MiB, leaving room
// for raw boot loaders such as the BeagleBone's MLO at 128 KiB and u-boot.img at 384 KiB)
// and a FAT data partition labelled NETRINO-DAT for persistent files. Written sparse (zero
// blocks are holes), and the writer records the blocks it filled: they are the image's bmap.
import { spawnSync } from "node:child_process";
import { closeSync, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CardError, makeFat, type FatFile } from "./fat.ts";
import { DATA_LABEL } from "./initramfs.ts";

const MIB = 1024 * 1024;
const SECTOR = 512;
const BLOCK = 4096;
export const BOOT_START = 4 * MIB;
export const DATA_SIZE = 32 * MIB;
/** FAT32 needs 65525 clusters: with 512-byte clusters that is 32 MiB plus the FATs. */
const MIN_BOOT = 64 * MIB;

export interface RawWrite {
  /** Byte offset on the card. */
  readonly offset: number;
  readonly data: Uint8Array;
  readonly what: string;
}

export interface CardLayout {
  readonly size: number;
  readonly bootSize: number;
  readonly dataStart: number;
}

/** Size of the blocks `WrittenCard.mapped` counts (bmaptool's default). */
export const MAP_BLOCK = BLOCK;

export interface WrittenCard extends CardLayout {
  /** The MAP_BLOCK-sized blocks that hold data, as inclusive ranges in ascending order. */
  readonly mapped: readonly { first: number; last: number }[];
}

export function layoutFor(bootBytes: number): CardLayout {
  // Room for the files, FAT overhead and later edits (config.txt, a newer kernel).
  const bootSize = Math.max(MIN_BOOT, Math.ceil((bootBytes * 1.15 + 16 * MIB) / MIB) * MIB);
  const dataStart = BOOT_START + bootSize;
  return { size: dataStart + DATA_SIZE, bootSize, dataStart };
}

/** Marks the blocks that bytes [offset, offset + length) touch. */
function markWritten(used: Set<number>, offset: number, length: number): void {
  for (let b = Math.floor(offset / BLOCK); b * BLOCK < offset + length; b++) used.add(b);
}

/** Copies `src` into `fd` at `offset` (block-aligned), skipping all-zero blocks (they stay holes). */
function copySparse(fd: number, src: Uint8Array, offset: number, used: Set<number>): void {
  for (let off = 0; off < src.length; off += BLOCK) {
    const block = src.subarray(off, Math.min(off + BLOCK, src.length));
    if (block.every((b) => b === 0)) continue;
    writeSync(fd, block, 0, block.length, offset + off);
    markWritten(used, offset + off, block.length);
  }
}

/** Sorted block numbers as inclusive ranges. */
function toRanges(used: Set<number>): { first: number; last: number }[] {
  const out: { first: number; last: number }[] = [];
  for (const b of [...used].sort((x, y) => x - y)) {
    const last = out.at(-1);
    if (last && last.last === b - 1) last.last = b;
    else out.push({ first: b, last: b });
  }
  return out;
}

export function writeCard(
  path: string,
  opts: { epoch: number; diskId: number; staging: string },
  bootFiles: readonly FatFile[],
  raw: readonly RawWrite[],
): WrittenCard {
  const bootBytes = bootFiles.reduce((n, f) => n + f.data.length, 0);
  const layout = layoutFor(bootBytes);
  const bootFat = join(opts.staging, "boot.fat");
  const dataFat = join(opts.staging, "data.fat");
  makeFat(
    bootFat,
    layout.bootSize,
    { label: "NETRINO", fat32: true, epoch: opts.epoch, staging: opts.staging },
    bootFiles,
  );
  makeFat(
    dataFat,
    DATA_SIZE,
    { label: DATA_LABEL, fat32: false, epoch: opts.epoch, staging: opts.staging },
    [],
  );
  // Block 0 holds the partition table sfdisk writes below.
  const used = new Set<number>([0]);
  const fd = openSync(path, "w");
  try {
    ftruncateSync(fd, layout.size);
    for (const r of raw) {
      if (r.offset + r.data.length > BOOT_START)
        throw new CardError(`${r.what} does not fit before the boot partition`);
      writeSync(fd, r.data, 0, r.data.length, r.offset);
      markWritten(used, r.offset, r.data.length);
    }
    copySparse(fd, readFileSync(bootFat), BOOT_START, used);
    copySparse(fd, readFileSync(dataFat), layout.dataStart, used);
  } finally {
    closeSync(fd);
  }
  rmSync(bootFat);
  rmSync(dataFat);
  const table = [
    "label: dos",
    `label-id: 0x${opts.diskId.toString(16).padStart(8, "0")}`,
    "unit: sectors",
    `start=${BOOT_START / SECTOR}, size=${layout.bootSize / SECTOR}, type=c, bootable`,
    `start=${layout.dataStart / SECTOR}, size=${DATA_SIZE / SECTOR}, type=e`,
    "",
  ].join("\n");
  const r = spawnSync("sfdisk", ["--no-reread", "--no-tell-kernel", "-q", path], {
    input: table,
    encoding: "utf8",
  });
  if (r.error) throw new CardError(`cannot run sfdisk (package fdisk): ${r.error.message}`);
  if (r.status !== 0) throw new CardError(`sfdisk: ${r.stderr.trim()}`);
  return { ...layout, mapped: toRanges(used) };
}
