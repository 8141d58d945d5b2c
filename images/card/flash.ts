// Writes a card image to a disk the way `bmaptool copy` does: only the blocks its bmap
// marks, after checking that the image matches the bmap; then reads them back from the
// medium and compares. Every refusal happens before the target is opened, so a refused
// disk is never touched.
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import { mappedBytes, rangeBytes, type Bmap, type BmapRange } from "./bmap.ts";
import type { DiskFacts, DiskInfo } from "./disk-facts.ts";

export class FlashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FlashError";
  }
}

/** Something positional to read from or write to (the image file, the disk). */
export interface BlockFile {
  read(buf: Uint8Array, position: number): number;
  write(buf: Uint8Array, position: number): number;
  sync(): void;
  close(): void;
}

export type FlashPhase = "check" | "write" | "verify";

export interface FlashOptions {
  image: string;
  /** null: no bmap, every block of the image is written (`--nobmap`). */
  bmap: Bmap | null;
  device: string;
  /** Allow a disk the kernel does not call removable. */
  force?: boolean;
  facts: DiskFacts;
  /** Opens the image (read) and the device (read-write); injectable for error tests. */
  open?: (path: string, mode: "image" | "device") => BlockFile;
  /** Bytes done of the phase's total. */
  progress?: (phase: FlashPhase, done: number, total: number) => void;
}

export interface FlashResult {
  disk: DiskInfo;
  writtenBytes: number;
  imageSize: number;
}

const CHUNK = 1 << 20;

/** Why this disk must not be written, or null. Order: the worst mistake is named first. */
export function refusal(
  disk: DiskInfo,
  imageSize: number,
  systemDisks: readonly string[],
  force: boolean,
): string | null {
  if (disk.type === "part")
    return `${disk.path} is a partition: give the whole disk (the card), not one of its partitions`;
  if (disk.type !== "disk" && disk.type !== "loop")
    return `${disk.path} is a ${disk.type} device, not a disk`;
  const rootMount = disk.mounts.find((m) => m.mountpoint === "/" || m.mountpoint === "[SWAP]");
  if (systemDisks.includes(disk.path) || rootMount)
    return `${disk.path} is the disk this system runs from; refusing to overwrite it`;
  if (disk.mounts.length > 0) {
    const list = disk.mounts.map((m) => `${m.device} on ${m.mountpoint}`).join(", ");
    return `${disk.path} is in use (mounted: ${list}); unmount it first (umount ${disk.mounts.map((m) => m.device).join(" ")})`;
  }
  if (!disk.removable && !force)
    return `${disk.path} is not a removable disk (transport ${disk.transport ?? "unknown"}); if it really is the card, add --force`;
  if (disk.sizeBytes < imageSize)
    return `${disk.path} is too small: ${formatBytes(disk.sizeBytes)}, the image needs ${formatBytes(imageSize)}`;
  return null;
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

function fsFile(path: string, mode: "image" | "device"): BlockFile {
  // O_EXCL on a block device: the kernel refuses it while anything has it mounted or claimed.
  const flags = mode === "image" ? constants.O_RDONLY : constants.O_RDWR | constants.O_EXCL;
  const fd = openSync(path, flags);
  return {
    read: (buf, pos) => readSync(fd, buf, 0, buf.length, pos),
    write: (buf, pos) => writeSync(fd, buf, 0, buf.length, pos),
    sync: () => fsyncSync(fd),
    close: () => closeSync(fd),
  };
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ENOSPC") return "No space left on device (ENOSPC)";
  if (err?.code === "EIO") return "Input/output error (EIO): the card or reader failed";
  if (err?.code === "EBUSY") return "Device or resource busy (EBUSY): something holds the disk";
  if (err?.code === "EACCES" || err?.code === "EPERM")
    return "Permission denied: run as root (or with the disk group)";
  if (err?.code === "EROFS") return "Read-only (EROFS): the card's write-protect switch is on";
  return err?.message ?? String(e);
}

/** Reads [start, end) of `file` in chunks; `each` sees every chunk at its position. */
function readSpan(
  file: BlockFile,
  start: number,
  end: number,
  buf: Uint8Array,
  what: string,
  each: (chunk: Uint8Array, pos: number) => void,
): void {
  for (let pos = start; pos < end;) {
    const want = Math.min(buf.length, end - pos);
    let n: number;
    try {
      n = file.read(buf.subarray(0, want), pos);
    } catch (e) {
      throw new FlashError(`reading ${what} at byte ${pos}: ${errnoText(e)}`);
    }
    if (n <= 0) throw new FlashError(`${what} ends at byte ${pos}, before byte ${end}`);
    each(buf.subarray(0, n), pos);
    pos += n;
  }
}

/** Checks, writes, verifies. Throws FlashError with a message naming the problem. */
export function flash(opts: FlashOptions): FlashResult {
  const open = opts.open ?? fsFile;
  const progress = opts.progress ?? (() => undefined);
  let imageFile: BlockFile;
  try {
    imageFile = open(opts.image, "image");
  } catch (e) {
    throw new FlashError(`${opts.image}: ${errnoText(e)}`);
  }
  try {
    const imageSize = opts.bmap?.imageSize ?? sizeOf(opts.image);
    const blockSize = opts.bmap?.blockSize ?? 4096;
    const ranges: readonly BmapRange[] = opts.bmap?.ranges ?? [
      { first: 0, last: Math.max(0, Math.ceil(imageSize / blockSize) - 1), sha256: "" },
    ];
    const geometry = { imageSize, blockSize };
    const total = opts.bmap ? mappedBytes(opts.bmap) : imageSize;

    let disk: DiskInfo;
    try {
      disk = opts.facts.describe(opts.device);
    } catch (e) {
      throw new FlashError((e as Error).message);
    }
    const why = refusal(disk, imageSize, opts.facts.systemDisks(), opts.force ?? false);
    if (why) throw new FlashError(why);

    // The image must be what its bmap describes before anything is written.
    const buf = new Uint8Array(CHUNK);
    const sums: string[] = [];
    let done = 0;
    for (const r of ranges) {
      const { start, end } = rangeBytes(geometry, r);
      const h = createHash("sha256");
      readSpan(imageFile, start, end, buf, opts.image, (chunk) => {
        h.update(chunk);
        done += chunk.length;
        progress("check", done, total);
      });
      const sum = h.digest("hex");
      if (r.sha256 && sum !== r.sha256)
        throw new FlashError(
          `${opts.image} does not match its bmap (blocks ${r.first}-${r.last}): the image is damaged or the bmap belongs to another image`,
        );
      sums.push(sum);
    }

    let target: BlockFile;
    try {
      target = open(disk.path, "device");
    } catch (e) {
      throw new FlashError(`${disk.path}: ${errnoText(e)}`);
    }
    try {
      done = 0;
      for (const r of ranges) {
        const { start, end } = rangeBytes(geometry, r);
        readSpan(imageFile, start, end, buf, opts.image, (chunk, pos) => {
          let n: number;
          try {
            n = target.write(chunk, pos);
          } catch (e) {
            throw new FlashError(`writing ${disk.path} at byte ${pos}: ${errnoText(e)}`);
          }
          if (n !== chunk.length)
            throw new FlashError(
              `writing ${disk.path} at byte ${pos + n}: No space left on device (ENOSPC): the disk ended early`,
            );
          done += n;
          progress("write", done, total);
        });
      }
      try {
        target.sync();
        opts.facts.flushBuffers(disk.path);
      } catch (e) {
        throw new FlashError(`flushing ${disk.path}: ${errnoText(e)}`);
      }
      done = 0;
      ranges.forEach((r, i) => {
        const { start, end } = rangeBytes(geometry, r);
        const h = createHash("sha256");
        readSpan(target, start, end, buf, disk.path, (chunk) => {
          h.update(chunk);
          done += chunk.length;
          progress("verify", done, total);
        });
        if (h.digest("hex") !== sums[i])
          throw new FlashError(
            `verification failed: ${disk.path} blocks ${r.first}-${r.last} read back differ from the image (a failing card or reader?)`,
          );
      });
    } finally {
      target.close();
    }
    return { disk, writtenBytes: total, imageSize };
  } finally {
    imageFile.close();
  }
}

function sizeOf(path: string): number {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}
