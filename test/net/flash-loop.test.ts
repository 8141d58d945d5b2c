// netrino flash on real block devices: loop devices over files (root, losetup, lsblk and
// blockdev from util-linux). The facts come from the real lsblk: a loop device is not
// removable, so it is refused without --force and written with it; a smaller one is refused.
import { execFileSync } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checksumRanges, emitBmap } from "../../images/card/bmap.ts";
import { hostDiskFacts } from "../../images/card/disk-facts.ts";
import { flashCommand } from "../../images/cli/cmd-flash.ts";
import { captureIo } from "../helpers/cli-io.ts";
import { hasCommand, isRoot, requirement } from "../helpers/requirements.ts";

const skip = requirement("flash-loop", {
  root: isRoot(),
  "losetup, lsblk, blockdev (util-linux)":
    hasCommand("losetup") && hasCommand("lsblk") && hasCommand("blockdev"),
});

const BS = 4096;
const MIB = 1 << 20;

describe.skipIf(skip)("netrino flash on a loop device", () => {
  let dir = "";
  const loops: string[] = [];
  const attach = (file: string): string => {
    const dev = execFileSync("losetup", ["-f", "--show", file], { encoding: "utf8" }).trim();
    loops.push(dev);
    return dev;
  };
  const run = (argv: string[]): { code: number; out: string } => {
    const io = captureIo(dir);
    return { code: flashCommand(argv, io), out: io.text() };
  };
  let image = "";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "netrino-flash-loop-"));
    image = join(dir, "card.img");
    const size = 4 * MIB;
    const fd = openSync(image, "w+");
    writeSync(fd, Buffer.alloc(64 * 1024, 0x42), 0, 64 * 1024, 0);
    writeSync(fd, Buffer.alloc(3 * BS, 0x17), 0, 3 * BS, 2 * MIB);
    writeSync(fd, Buffer.alloc(BS, 0x99), 0, BS, size - BS);
    const ranges = checksumRanges((b, p) => readSync(fd, b, 0, b.length, p), size, BS, [
      { first: 0, last: 15 },
      { first: 512, last: 514 },
      { first: 1023, last: 1023 },
    ]);
    closeSync(fd);
    writeFileSync(`${image}.bmap`, emitBmap({ imageSize: size, blockSize: BS, ranges }));
  });

  afterAll(() => {
    for (const dev of loops) execFileSync("losetup", ["-d", dev]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses the loop device without --force, writes and verifies with it", () => {
    const backing = join(dir, "disk8m");
    writeFileSync(backing, Buffer.alloc(8 * MIB, 0xee));
    const dev = attach(backing);

    const refused = run([image, dev]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`netrino flash: ${dev} is not a removable disk`);
    expect(refused.out).toContain("add --force");
    expect(readFileSync(backing).every((b) => b === 0xee)).toBe(true);

    const ok = run([image, dev, "--force"]);
    expect(ok.out).toContain(
      `card.img → ${dev}: wrote and verified 80.0 KiB of a 4.0 MiB image (3 mapped ranges)`,
    );
    expect(ok.code).toBe(0);
    const disk = readFileSync(backing);
    const img = readFileSync(image);
    expect(disk.subarray(0, 64 * 1024).equals(img.subarray(0, 64 * 1024))).toBe(true);
    expect(disk.subarray(2 * MIB, 2 * MIB + 3 * BS).every((b) => b === 0x17)).toBe(true);
    expect(disk.subarray(4 * MIB - BS, 4 * MIB).every((b) => b === 0x99)).toBe(true);
    // Blocks the bmap does not mark keep the disk's old contents, and nothing past the image changes.
    expect(disk.subarray(64 * 1024, 2 * MIB).every((b) => b === 0xee)).toBe(true);
    expect(disk.subarray(4 * MIB).every((b) => b === 0xee)).toBe(true);
  });

  it("refuses a disk smaller than the image and leaves it untouched", () => {
    const backing = join(dir, "disk1m");
    writeFileSync(backing, Buffer.alloc(MIB, 0xee));
    const dev = attach(backing);
    const r = run([image, dev, "--force"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`netrino flash: ${dev} is too small: 1.0 MiB, the image needs 4.0 MiB`);
    expect(readFileSync(backing).every((b) => b === 0xee)).toBe(true);
  });

  it("refuses the disk this system runs from (real findmnt/lsblk facts)", () => {
    const disks = hostDiskFacts().systemDisks();
    const rootSource = execFileSync("findmnt", ["-n", "-o", "SOURCE", "-T", "/"], {
      encoding: "utf8",
    }).trim();
    if (disks.length === 0) {
      // Root on overlay/tmpfs (a container): there is no system disk to protect.
      expect(rootSource.startsWith("/dev/")).toBe(false);
      return;
    }
    // --force must not get past this check; the refusal comes before the disk is opened.
    const r = run([image, disks[0], "--force"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `netrino flash: ${disks[0]} is the disk this system runs from; refusing to overwrite it`,
    );
  });

  it("refuses something that is not a block device", () => {
    const r = run([image, join(dir, "disk1m"), "--force"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("not a block device (give a whole disk such as /dev/sdb)");
  });
});
