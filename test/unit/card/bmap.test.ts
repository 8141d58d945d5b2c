// bmap files: our writer and reader agree with each other and with bmaptool (the real peer:
// it reads what we emit, we read what it creates); every damage is an error naming the line;
// mutated files never crash the reader (FUZZ_ITERATIONS).
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BmapError, checksumRanges, emitBmap, parseBmap } from "../../../images/card/bmap.ts";
import { seededRng } from "../../../hal/eth/seeded-rng.ts";
import { fuzzIterations } from "../../helpers/fuzz.ts";
import { hasCommand, requirement } from "../../helpers/requirements.ts";

const BS = 4096;
const noBmaptool = requirement("bmap against bmaptool", { "bmaptool (bmap-tools)": hasCommand("bmaptool") });

/** A sparse image with data in blocks 0, 5-7 and the short last block. */
function makeImage(dir: string): { path: string; size: number; ranges: { first: number; last: number }[] } {
  const path = join(dir, "card.img");
  const size = 64 * BS + 1000;
  const fd = openSync(path, "w");
  writeSync(fd, Buffer.alloc(BS, 0x11), 0, BS, 0);
  writeSync(fd, Buffer.alloc(3 * BS, 0x22), 0, 3 * BS, 5 * BS);
  writeSync(fd, Buffer.alloc(1000, 0x33), 0, 1000, 64 * BS);
  closeSync(fd);
  return {
    path,
    size,
    ranges: [
      { first: 0, last: 0 },
      { first: 5, last: 7 },
      { first: 64, last: 64 },
    ],
  };
}

function bmapFor(img: { path: string; size: number; ranges: { first: number; last: number }[] }): string {
  const fd = openSync(img.path, "r");
  try {
    const ranges = checksumRanges((b, p) => readSync(fd, b, 0, b.length, p), img.size, BS, img.ranges);
    return emitBmap({ imageSize: img.size, blockSize: BS, ranges });
  } finally {
    closeSync(fd);
  }
}

describe("bmap", () => {
  it("round-trips: emit then parse gives the same map", () => {
    const dir = mkdtempSync(join(tmpdir(), "netrino-bmap-"));
    const img = makeImage(dir);
    const bmap = parseBmap(bmapFor(img), "card.img.bmap");
    expect(bmap.imageSize).toBe(img.size);
    expect(bmap.blocksCount).toBe(65);
    expect(bmap.mappedBlocksCount).toBe(5);
    expect(bmap.ranges.map((r) => [r.first, r.last])).toEqual([
      [0, 0],
      [5, 7],
      [64, 64],
    ]);
  });

  it.skipIf(noBmaptool)("bmaptool copies with our bmap, and we read bmaptool's (needs bmap-tools)", () => {
    const dir = mkdtempSync(join(tmpdir(), "netrino-bmap-"));
    const img = makeImage(dir);
    writeFileSync(join(dir, "ours.bmap"), bmapFor(img));
    const out = join(dir, "copy.img");
    execFileSync("bmaptool", ["copy", "--bmap", join(dir, "ours.bmap"), img.path, out], { stdio: "pipe" });
    expect(readFileSync(out).equals(readFileSync(img.path))).toBe(true);

    execFileSync("bmaptool", ["create", "-o", join(dir, "theirs.bmap"), img.path], { stdio: "pipe" });
    const theirs = parseBmap(readFileSync(join(dir, "theirs.bmap"), "utf8"), "theirs.bmap");
    expect(theirs.imageSize).toBe(img.size);
    // bmaptool finds the same data blocks from the file's holes.
    expect(theirs.ranges.map((r) => [r.first, r.last])).toEqual([
      [0, 0],
      [5, 7],
      [64, 64],
    ]);
    expect(theirs.ranges.map((r) => r.sha256)).toEqual(parseBmap(bmapFor(img)).ranges.map((r) => r.sha256));
  });

  const sample = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "netrino-bmap-"));
    return bmapFor(makeImage(dir));
  };

  it.each([
    ["a changed range", (t: string) => t.replace("> 5-7 <", "> 5-8 <"), /BmapFileChecksum does not match/],
    [
      "a newer major version",
      (t: string) => t.replace('version="2.0"', 'version="3.0"'),
      /newer than this reader/,
    ],
    ["an unclosed element", (t: string) => t.replace("</BlockMap>", ""), /expected <\/BlockMap>|not closed/],
    ["no ImageSize", (t: string) => t.replace(/<ImageSize>.*<\/ImageSize>/, ""), /<ImageSize> is missing/],
    [
      "a bad number",
      (t: string) => t.replace(/<BlockSize> \d+ </, "<BlockSize> 4k <"),
      /BlockSize> must be an integer/,
    ],
    ["an empty file", () => "", /empty file/],
  ])("refuses %s with the line", (_what, mutate, message) => {
    expect(() => parseBmap(mutate(sample()), "x.bmap")).toThrow(message);
    expect(() => parseBmap(mutate(sample()), "x.bmap")).toThrow(/^x\.bmap(:\d+)?: /);
  });

  it("checks ranges and counts even without a file checksum", () => {
    const strip = (t: string): string => t.replace(/\s*<BmapFileChecksum>.*<\/BmapFileChecksum>/, "");
    const t = strip(sample());
    expect(parseBmap(t).ranges).toHaveLength(3);
    expect(() => parseBmap(t.replace("> 64 <", "> 65 <"))).toThrow(/past the image's 65 blocks/);
    expect(() => parseBmap(t.replace("> 5-7 <", "> 7-5 <"))).toThrow(/runs backwards/);
    expect(() => parseBmap(t.replace("> 0 <", "> 6 <"))).toThrow(/overlaps or precedes/);
    expect(() => parseBmap(t.replace("<MappedBlocksCount> 5", "<MappedBlocksCount> 6"))).toThrow(
      /MappedBlocksCount 6 but the ranges hold 5/,
    );
    expect(() => parseBmap(t.replace("<BlocksCount> 65", "<BlocksCount> 64"))).toThrow(
      /BlocksCount 64 does not match/,
    );
    expect(() => parseBmap(t.replace(/chksum="[0-9a-f]+"/, 'chksum="xyz"'))).toThrow(/is not a sha256/);
  });

  it("never crashes on mutated files (fuzz)", () => {
    const base = sample();
    const rng = seededRng(Number(process.env.FUZZ_SEED ?? 0xb3a9));
    const pieces = [
      "<",
      ">",
      "</",
      "/>",
      '"',
      "'",
      "=",
      "-",
      "0",
      "9",
      "<!--",
      "-->",
      "<?",
      "?>",
      " ",
      "\n",
      "&",
      "Range",
      "\u0000",
    ];
    const iterations = fuzzIterations(3000, 100_000);
    for (let i = 0; i < iterations; i++) {
      let t = base;
      const edits = 1 + Math.floor(rng() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rng() * t.length);
        const cut = Math.floor(rng() * 8);
        const piece = rng() < 0.3 ? "" : pieces[Math.floor(rng() * pieces.length)];
        t = t.slice(0, at) + piece + t.slice(at + cut);
      }
      try {
        const b = parseBmap(t, "f.bmap");
        expect(b.ranges.reduce((n, r) => n + r.last - r.first + 1, 0)).toBe(b.mappedBlocksCount);
      } catch (err) {
        if (!(err instanceof BmapError)) throw new Error(`iteration ${i}: ${String(err)}\n${t}`);
      }
    }
  }, 600_000);
});
