// Block maps in bmaptool's XML format (version 2.0): which blocks of a card image hold data,
// with a sha256 per range and one over the file itself. The image builder emits one next to
// every `.img`; `netrino flash` (and `bmaptool copy`) read it to write only those blocks.
// The format is small and fixed, so it is read with a strict little tokenizer rather than a
// general XML parser: anything outside it is an error naming the line.
import { createHash } from "node:crypto";

export const BMAP_VERSION = "2.0";
const ZERO_CHECKSUM = "0".repeat(64);

/** Inclusive, zero-based block numbers, as bmaptool writes them. */
export interface BmapRange {
  readonly first: number;
  readonly last: number;
  /** sha256 (hex) of the image bytes [first*blockSize, (last+1)*blockSize) clipped to the image. */
  readonly sha256: string;
}

export interface Bmap {
  readonly imageSize: number;
  readonly blockSize: number;
  readonly blocksCount: number;
  readonly mappedBlocksCount: number;
  readonly ranges: readonly BmapRange[];
}

export class BmapError extends Error {
  constructor(file: string, line: number, message: string) {
    super(line > 0 ? `${file}:${line}: ${message}` : `${file}: ${message}`);
    this.name = "BmapError";
  }
}

/** Byte span of a range inside the image (the last block may be short). */
export function rangeBytes(bmap: Pick<Bmap, "imageSize" | "blockSize">, r: { first: number; last: number }) {
  const start = r.first * bmap.blockSize;
  const end = Math.min((r.last + 1) * bmap.blockSize, bmap.imageSize);
  return { start, end };
}

export function mappedBytes(bmap: Bmap): number {
  return bmap.ranges.reduce((n, r) => {
    const { start, end } = rangeBytes(bmap, r);
    return n + (end - start);
  }, 0);
}

// --- emit ---

/**
 * The bmap text for an image whose mapped ranges and their checksums are known. The file
 * checksum is computed last, over the text with that field zeroed (bmaptool's rule).
 */
export function emitBmap(bmap: Omit<Bmap, "blocksCount" | "mappedBlocksCount">): string {
  const blocksCount = Math.ceil(bmap.imageSize / bmap.blockSize);
  const mapped = bmap.ranges.reduce((n, r) => n + r.last - r.first + 1, 0);
  bmap.ranges.forEach((r, i) =>
    checkRange(bmap.ranges[i - 1], r, blocksCount, (m) => {
      throw new Error(`emitBmap: ${m}`);
    }),
  );
  const lines = [
    '<?xml version="1.0" ?>',
    "<!-- Written by netrino: the blocks of the image that hold data, for netrino flash and bmaptool copy. -->",
    `<bmap version="${BMAP_VERSION}">`,
    `    <ImageSize> ${bmap.imageSize} </ImageSize>`,
    `    <BlockSize> ${bmap.blockSize} </BlockSize>`,
    `    <BlocksCount> ${blocksCount} </BlocksCount>`,
    `    <MappedBlocksCount> ${mapped} </MappedBlocksCount>`,
    "    <ChecksumType> sha256 </ChecksumType>",
    `    <BmapFileChecksum> ${ZERO_CHECKSUM} </BmapFileChecksum>`,
    "    <BlockMap>",
    ...bmap.ranges.map(
      (r) =>
        `        <Range chksum="${r.sha256}"> ${r.first === r.last ? r.first : `${r.first}-${r.last}`} </Range>`,
    ),
    "    </BlockMap>",
    "</bmap>",
    "",
  ];
  const zeroed = lines.join("\n");
  return zeroed.replace(ZERO_CHECKSUM, sha256(zeroed));
}

/**
 * Checksums for `ranges` of an image read through `readAt` (pread-shaped), ready for
 * emitBmap. Ranges come from whoever wrote the image: it knows which blocks it filled.
 */
export function checksumRanges(
  readAt: (buf: Uint8Array, position: number) => number,
  imageSize: number,
  blockSize: number,
  ranges: readonly { first: number; last: number }[],
): BmapRange[] {
  const buf = new Uint8Array(1 << 20);
  return ranges.map((r) => {
    const { start, end } = rangeBytes({ imageSize, blockSize }, r);
    const h = createHash("sha256");
    for (let pos = start; pos < end;) {
      const n = readAt(buf.subarray(0, Math.min(buf.length, end - pos)), pos);
      if (n <= 0) throw new Error(`image ends at byte ${pos}, before its declared size ${imageSize}`);
      h.update(buf.subarray(0, n));
      pos += n;
    }
    return { first: r.first, last: r.last, sha256: h.digest("hex") };
  });
}

// --- parse ---

interface Element {
  name: string;
  attrs: Map<string, string>;
  text: string;
  /** Offset of its `<` (the line is counted only for an error). */
  at: number;
  children: Element[];
}

/** Parses and checks a bmap. Every problem is a BmapError naming `file` and the line. */
export function parseBmap(text: string, file = "bmap"): Bmap {
  const root = parseXml(text, file);
  const fail = (at: number, m: string): never => {
    throw new BmapError(file, lineAt(text, at), m);
  };
  if (root.name !== "bmap") fail(root.at, `expected <bmap>, found <${root.name}>`);
  const version = root.attrs.get("version") ?? fail(root.at, "<bmap> has no version attribute");
  const vm = /^(\d+)\.(\d+)$/.exec(version);
  if (!vm) fail(root.at, `bad bmap version "${version}"`);
  const major = Number(vm![1]);
  const minor = Number(vm![2]);
  if (major > 2) fail(root.at, `bmap version ${version} is newer than this reader (2.x)`);
  if (major < 1 || (major === 1 && minor < 3))
    fail(root.at, `bmap version ${version} is too old (1.3 or later)`);

  const child = (name: string, required: boolean): Element | undefined => {
    const found = root.children.filter((c) => c.name === name);
    if (found.length > 1) fail(found[1].at, `<${name}> appears twice`);
    if (!found[0] && required) fail(root.at, `<${name}> is missing`);
    return found[0];
  };
  const integer = (name: string, min: number): number => {
    const e = child(name, true)!;
    const t = e.text.trim();
    if (!/^\d{1,15}$/.test(t) || Number(t) < min)
      fail(e.at, `<${name}> must be an integer ≥ ${min}, not "${t}"`);
    return Number(t);
  };
  const imageSize = integer("ImageSize", 0);
  const blockSize = integer("BlockSize", 1);
  const blocksCount = integer("BlocksCount", 0);
  const mappedBlocksCount = integer("MappedBlocksCount", 0);
  if (blocksCount !== Math.ceil(imageSize / blockSize))
    fail(child("BlocksCount", true)!.at, `BlocksCount ${blocksCount} does not match ImageSize/BlockSize`);

  let algorithm = "sha1";
  const ct = child("ChecksumType", major >= 2 || minor >= 4);
  if (ct) algorithm = ct.text.trim();
  if (algorithm !== "sha256")
    fail(ct?.at ?? root.at, `checksum type "${algorithm}" is not supported (sha256)`);

  const fileSum = child("BmapFileChecksum", false);
  if (fileSum) {
    const want = fileSum.text.trim();
    if (!/^[0-9a-f]{64}$/.test(want)) fail(fileSum.at, "BmapFileChecksum is not a sha256");
    const got = sha256(text.replace(want, ZERO_CHECKSUM));
    if (got !== want) fail(fileSum.at, "BmapFileChecksum does not match the file (damaged or edited bmap)");
  }

  const map = child("BlockMap", true)!;
  const ranges: BmapRange[] = [];
  for (const r of map.children) {
    if (r.name !== "Range") fail(r.at, `unexpected <${r.name}> in <BlockMap>`);
    const m = /^\s*(\d{1,15})(?:\s*-\s*(\d{1,15}))?\s*$/.exec(r.text);
    if (!m) fail(r.at, `bad range "${r.text.trim()}" (expected N or N-M)`);
    const first = Number(m![1]);
    const last = m![2] === undefined ? first : Number(m![2]);
    const sum = r.attrs.get("chksum") ?? fail(r.at, "range has no chksum attribute");
    if (!/^[0-9a-f]{64}$/.test(sum)) fail(r.at, `range chksum "${sum}" is not a sha256`);
    checkRange(ranges.at(-1), { first, last }, blocksCount, (m2) => fail(r.at, m2));
    ranges.push({ first, last, sha256: sum });
  }
  const mapped = ranges.reduce((n, r) => n + r.last - r.first + 1, 0);
  if (mapped !== mappedBlocksCount)
    fail(
      child("MappedBlocksCount", true)!.at,
      `MappedBlocksCount ${mappedBlocksCount} but the ranges hold ${mapped}`,
    );
  return { imageSize, blockSize, blocksCount, mappedBlocksCount, ranges };
}

/** A range runs forwards, lies inside the image and follows `prev` without overlap. */
function checkRange(
  prev: { last: number } | undefined,
  r: { first: number; last: number },
  blocks: number,
  fail: (m: string) => void,
): void {
  if (r.last < r.first) fail(`range ${r.first}-${r.last} runs backwards`);
  if (r.last >= blocks) fail(`range ${r.first}-${r.last} is past the image's ${blocks} blocks`);
  if (prev && r.first <= prev.last) fail(`range ${r.first}-${r.last} overlaps or precedes the one before`);
}

function lineAt(text: string, at: number): number {
  let n = 1;
  for (let i = 0; i < at && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * The XML subset bmap files use: a declaration, comments, elements with double- or
 * single-quoted attributes, text. No entities, CDATA or DOCTYPE.
 */
function parseXml(text: string, file: string): Element {
  let pos = 0;
  const fail = (p: number, m: string): never => {
    throw new BmapError(file, lineAt(text, p), m);
  };
  const skipMisc = (): void => {
    for (;;) {
      while (pos < text.length && /\s/.test(text[pos])) pos++;
      if (text.startsWith("<?", pos)) {
        const end = text.indexOf("?>", pos);
        if (end < 0) fail(pos, "unterminated <?…?>");
        pos = end + 2;
      } else if (text.startsWith("<!--", pos)) {
        const end = text.indexOf("-->", pos + 4);
        if (end < 0) fail(pos, "unterminated comment");
        pos = end + 3;
      } else return;
    }
  };
  const element = (depth: number): Element => {
    if (depth > 8) fail(pos, "elements nested too deeply");
    const start = pos;
    const open = /^<([A-Za-z_][\w.-]*)/.exec(text.slice(pos, pos + 200));
    if (!open) fail(pos, "expected an element");
    const el: Element = { name: open![1], attrs: new Map(), text: "", at: start, children: [] };
    pos += open![0].length;
    for (;;) {
      while (pos < text.length && /\s/.test(text[pos])) pos++;
      if (text.startsWith("/>", pos)) {
        pos += 2;
        return el;
      }
      if (text[pos] === ">") {
        pos++;
        break;
      }
      const a = /^([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/.exec(text.slice(pos, pos + 400));
      if (!a) fail(pos, `bad attribute in <${el.name}>`);
      if (el.attrs.has(a![1])) fail(pos, `attribute ${a![1]} appears twice in <${el.name}>`);
      el.attrs.set(a![1], a![2] ?? a![3]);
      pos += a![0].length;
    }
    for (;;) {
      const lt = text.indexOf("<", pos);
      if (lt < 0) fail(start, `<${el.name}> is not closed`);
      el.text += text.slice(pos, lt);
      pos = lt;
      if (text.startsWith("<!--", pos)) {
        const end = text.indexOf("-->", pos + 4);
        if (end < 0) fail(pos, "unterminated comment");
        pos = end + 3;
      } else if (text.startsWith("</", pos)) {
        const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(text.slice(pos, pos + 200));
        if (!close || close[1] !== el.name) fail(pos, `expected </${el.name}>`);
        pos += close![0].length;
        if (el.children.length > 0 && el.text.trim() !== "")
          fail(start, `<${el.name}> mixes text and elements`);
        if (/[&]/.test(el.text)) fail(start, `<${el.name}>: entities are not supported`);
        return el;
      } else {
        el.children.push(element(depth + 1));
      }
    }
  };
  skipMisc();
  if (pos >= text.length) fail(pos, "empty file (no <bmap> element)");
  const root = element(0);
  skipMisc();
  if (pos < text.length) fail(pos, "text after the </bmap> element");
  return root;
}
