// netrino flash against injected disk facts and block files: every refusal names the problem
// and leaves the target unopened; only mapped blocks are written; a damaged image, a full
// disk and a bad read-back are clear errors. The real loop-device run is test/net/flash-loop.test.ts.
import { mkdtempSync, openSync, closeSync, readSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checksumRanges, emitBmap, parseBmap, type Bmap } from "../../../images/card/bmap.ts";
import { diskInfoFromLsblk, type DiskFacts, type DiskInfo } from "../../../images/card/disk-facts.ts";
import { flash, type BlockFile } from "../../../images/card/flash.ts";
import { flashCommand } from "../../../images/cli/cmd-flash.ts";
import { captureIo } from "../../helpers/cli-io.ts";

const BS = 4096;
const SIZE = 32 * BS;

function setup(): { image: string; bmap: Bmap; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "netrino-flash-"));
  const image = join(dir, "card.img");
  const fd = openSync(image, "w+");
  writeSync(fd, Buffer.alloc(2 * BS, 0x5a), 0, 2 * BS, 0);
  writeSync(fd, Buffer.alloc(BS, 0xa5), 0, BS, 20 * BS);
  writeSync(fd, Buffer.alloc(1), 0, 1, SIZE - 1);
  const ranges = checksumRanges((b, p) => readSync(fd, b, 0, b.length, p), SIZE, BS, [
    { first: 0, last: 1 },
    { first: 20, last: 20 },
  ]);
  closeSync(fd);
  return { image, dir, bmap: parseBmap(emitBmap({ imageSize: SIZE, blockSize: BS, ranges })) };
}

const CARD: DiskInfo = {
  path: "/dev/sdz",
  type: "disk",
  sizeBytes: 1 << 30,
  removable: true,
  transport: "usb",
  mounts: [],
};

function facts(disk: Partial<DiskInfo> = {}, system: string[] = []): DiskFacts & { flushed: string[] } {
  const flushed: string[] = [];
  return {
    describe: () => ({ ...CARD, ...disk }),
    systemDisks: () => system,
    flushBuffers: (d) => void flushed.push(d),
    flushed,
  };
}

/** A disk in memory, 0xEE everywhere; `failAt` makes writes from that byte fail like a full disk. */
function memoryDisk(size: number, failAt = Infinity, corrupt = false) {
  const bytes = new Uint8Array(size).fill(0xee);
  let opened = 0;
  const file: BlockFile = {
    read: (buf, pos) => {
      const n = Math.min(buf.length, size - pos);
      buf.set(bytes.subarray(pos, pos + n));
      if (corrupt && n > 0) buf[0] ^= 1;
      return n;
    },
    write: (buf, pos) => {
      if (pos >= failAt)
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      bytes.set(buf, pos);
      return buf.length;
    },
    sync: () => undefined,
    close: () => undefined,
  };
  return {
    bytes,
    get opened() {
      return opened;
    },
    open: () => (opened++, file),
  };
}

function opener(disk: ReturnType<typeof memoryDisk>) {
  return (path: string, mode: "image" | "device"): BlockFile => {
    if (mode === "device") return disk.open();
    const fd = openSync(path, "r");
    return {
      read: (b, p) => readSync(fd, b, 0, b.length, p),
      write: () => 0,
      sync: () => undefined,
      close: () => closeSync(fd),
    };
  };
}

describe("netrino flash", () => {
  it("writes only the mapped blocks, verifies, flushes and reports progress", () => {
    const { image, bmap } = setup();
    const disk = memoryDisk(1 << 20);
    const f = facts();
    const phases = new Set<string>();
    const r = flash({
      image,
      bmap,
      device: "/dev/sdz",
      facts: f,
      open: opener(disk),
      progress: (p, done, total) => {
        phases.add(p);
        expect(done).toBeLessThanOrEqual(total);
      },
    });
    expect(r.writtenBytes).toBe(3 * BS);
    expect([...phases]).toEqual(["check", "write", "verify"]);
    expect(disk.bytes.subarray(0, 2 * BS).every((b) => b === 0x5a)).toBe(true);
    expect(disk.bytes.subarray(20 * BS, 21 * BS).every((b) => b === 0xa5)).toBe(true);
    // Unmapped blocks keep what the card had.
    expect(disk.bytes.subarray(2 * BS, 20 * BS).every((b) => b === 0xee)).toBe(true);
    expect(disk.bytes.subarray(21 * BS, SIZE).every((b) => b === 0xee)).toBe(true);
    expect(f.flushed).toEqual(["/dev/sdz"]);
  });

  it.each<[string, Partial<DiskInfo>, string[], boolean, RegExp]>([
    [
      "a mounted partition",
      { mounts: [{ device: "/dev/sdz1", mountpoint: "/media/card" }] },
      [],
      false,
      /\/dev\/sdz is in use \(mounted: \/dev\/sdz1 on \/media\/card\); unmount it first/,
    ],
    ["the system disk", {}, ["/dev/sdz"], true, /is the disk this system runs from/],
    [
      "a disk holding /",
      { mounts: [{ device: "/dev/sdz2", mountpoint: "/" }] },
      [],
      true,
      /is the disk this system runs from/,
    ],
    [
      "a non-removable disk",
      { removable: false, transport: "sata" },
      [],
      false,
      /is not a removable disk \(transport sata\); if it really is the card, add --force/,
    ],
    [
      "a disk smaller than the image",
      { sizeBytes: 64 * 1024 },
      [],
      false,
      /is too small: 64\.0 KiB, the image needs 128\.0 KiB/,
    ],
    ["a partition", { type: "part", path: "/dev/sdz1" }, [], true, /is a partition: give the whole disk/],
  ])("refuses %s and never opens the target", (_what, disk, system, force, message) => {
    const { image, bmap } = setup();
    const mem = memoryDisk(1 << 20);
    expect(() =>
      flash({ image, bmap, device: "/dev/sdz", force, facts: facts(disk, system), open: opener(mem) }),
    ).toThrow(message);
    expect(mem.opened).toBe(0);
  });

  it("--force allows a non-removable disk", () => {
    const { image, bmap } = setup();
    const mem = memoryDisk(1 << 20);
    flash({
      image,
      bmap,
      device: "/dev/loop9",
      force: true,
      facts: facts({ removable: false, type: "loop" }),
      open: opener(mem),
    });
    expect(mem.opened).toBe(1);
  });

  it("a full disk while writing is a clear error", () => {
    const { image, bmap } = setup();
    const mem = memoryDisk(1 << 20, 20 * BS);
    expect(() => flash({ image, bmap, device: "/dev/sdz", facts: facts(), open: opener(mem) })).toThrow(
      "writing /dev/sdz at byte 81920: No space left on device (ENOSPC)",
    );
  });

  it("an image that does not match its bmap touches nothing", () => {
    const { image, bmap } = setup();
    const fd = openSync(image, "r+");
    writeSync(fd, Buffer.from([1]), 0, 1, 20 * BS + 7);
    closeSync(fd);
    const mem = memoryDisk(1 << 20);
    expect(() => flash({ image, bmap, device: "/dev/sdz", facts: facts(), open: opener(mem) })).toThrow(
      /card\.img does not match its bmap \(blocks 20-20\)/,
    );
    expect(mem.opened).toBe(0);
  });

  it("a card that reads back differently fails verification", () => {
    const { image, bmap } = setup();
    const mem = memoryDisk(1 << 20, Infinity, true);
    expect(() => flash({ image, bmap, device: "/dev/sdz", facts: facts(), open: opener(mem) })).toThrow(
      /verification failed: \/dev\/sdz blocks 0-1 read back differ/,
    );
  });

  it("the command names a missing bmap, bad usage and refusals", () => {
    const { image, dir } = setup();
    const io = captureIo(dir);
    expect(flashCommand([image, "/dev/sdz"], io, { facts: facts() })).toBe(1);
    expect(io.text()).toContain(
      "card.img.bmap: No such file (give --bmap FILE, or --nobmap to write every block)",
    );
    io.clear();
    expect(flashCommand([image], io, { facts: facts() })).toBe(2);
    expect(io.text()).toContain("netrino flash: expected an image and a device");
    io.clear();
    expect(flashCommand([image, "/dev/sdz", "--nobmap"], io, { facts: facts({ sizeBytes: 10 }) })).toBe(1);
    expect(io.text()).toMatch(/^netrino flash: \/dev\/sdz is too small/);
  });

  it("reads lsblk's JSON: mounts of partitions, removable from rm/hotplug/transport", () => {
    const json = JSON.stringify({
      blockdevices: [
        {
          name: "sdb",
          path: "/dev/sdb",
          type: "disk",
          size: 15931539456,
          rm: false,
          hotplug: true,
          tran: "usb",
          mountpoints: [null],
          children: [
            {
              name: "sdb1",
              path: "/dev/sdb1",
              type: "part",
              size: 268435456,
              rm: false,
              hotplug: true,
              tran: null,
              mountpoints: ["/media/u/boot"],
            },
            {
              name: "sdb2",
              path: "/dev/sdb2",
              type: "part",
              size: 1,
              rm: false,
              hotplug: true,
              tran: null,
              mountpoints: [null],
            },
          ],
        },
      ],
    });
    const d = diskInfoFromLsblk(json, "/dev/sdb");
    expect(d).toMatchObject({
      path: "/dev/sdb",
      type: "disk",
      sizeBytes: 15931539456,
      removable: true,
      transport: "usb",
    });
    expect(d.mounts).toEqual([{ device: "/dev/sdb1", mountpoint: "/media/u/boot" }]);
    const nvme = diskInfoFromLsblk(
      JSON.stringify({
        blockdevices: [
          {
            name: "nvme0n1",
            type: "disk",
            size: "100",
            rm: "0",
            hotplug: "0",
            tran: "nvme",
            mountpoints: [],
          },
        ],
      }),
      "/dev/nvme0n1",
    );
    expect(nvme.removable).toBe(false);
    expect(
      diskInfoFromLsblk(
        JSON.stringify({ blockdevices: [{ name: "mmcblk0", type: "disk", size: 1, rm: false }] }),
        "/dev/mmcblk0",
      ).removable,
    ).toBe(true);
  });
});
