// ICU's data for the card, cut to the root and English locales. Debian's libicudata is the
// whole CLDR (31 MB, 7.8 MB of the compressed card); node on a board formats, collates and
// segments with the default locale (en-US, as no LANG is set) and never needs the other 800
// locales or the word dictionaries of Chinese, Japanese, Thai, Lao, Khmer and Burmese. So the
// data is taken out of the board's own libicudata (its exported `icudt<N>_dat` object), ICU's
// own tools rewrite it (icupkg, derb, genrb from icu-devtools) and the cross toolchain links
// it back into a libicudata.so.<N> exporting the same object: nothing else on the card changes
// and node finds its data where it always does.
//
// Kept: every item that is not a locale (character properties, normalization, converters,
// time zones, collation root, break rules, units, plurals …) and, in every tree, the root and
// en* locales. Each tree's res_index (the locales ICU reports as installed, which V8 asks for
// supportedLocalesOf and locale negotiation) is rewritten to list only what is left, so
// `Intl.NumberFormat("de")` falls back to en-US instead of claiming German with root data.
// Built once per input library and cached as <cache>/icu/<arch>-<hash>.so.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CROSS, run } from "./addons.ts";
import { DebianError } from "./debian-repo.ts";

/** Bump when the selection or the way the library is made changes (part of the cache keys). */
export const ICU_RECIPE = "icu-en-2";
/** The library whose data is reduced: `libicudata.so.<major>.<minor>`. */
export const ICU_DATA_LIB = /(?:^|\/)libicudata\.so\.(\d+)\.\d+$/;
/** A locale's item (`en_GB.res`, `de_.res`, `sr_Latn_BA.res`); `res_index`/`pool` are not. */
const LOCALE_ITEM = /^(?:[a-z]{2,3}|root)(?:_[A-Za-z0-9]*)*\.res$/;
const KEPT_LOCALE = /^(?:root|en(?:_[A-Za-z0-9]*)*)\.res$/;
/** An entry of res_index's InstalledLocales/AliasLocales tables as derb prints it. */
const INDEX_ENTRY = /^\s+([A-Za-z0-9_]+) \{ "" \}$/;
const ICU_TOOLS = "icu-devtools";

export interface IcuDataOptions {
  readonly arch: "arm64" | "armhf";
  /** The board's libicudata.so.<N>.<M> (from its Debian package). */
  readonly lib: Uint8Array;
  readonly libName: string;
  readonly cache: string;
  readonly log: (line: string) => void;
}

/** Which items of the package stay, and which res_index items must be rewritten. */
export function selectIcuItems(items: readonly string[]): {
  readonly locales: string[];
  readonly dictionaries: string[];
  readonly indexes: string[];
  readonly kept: Set<string>;
} {
  const locales: string[] = [];
  const dictionaries: string[] = [];
  const indexes: string[] = [];
  const kept = new Set<string>();
  for (const item of items) {
    const base = item.slice(item.lastIndexOf("/") + 1);
    if (base === "res_index.res") indexes.push(item);
    if (base.endsWith(".dict")) dictionaries.push(item);
    else if (base !== "res_index.res" && LOCALE_ITEM.test(base) && !KEPT_LOCALE.test(base))
      locales.push(item);
    else kept.add(item);
  }
  return { locales, dictionaries, indexes, kept };
}

/**
 * derb's text of a res_index with the locales that are no longer in the package left out.
 * derb does not print the table's `nofallback` flag: without it the bundle would inherit from
 * a parent `res` that does not exist.
 */
export function filterResIndex(text: string, tree: string, kept: ReadonlySet<string>): string {
  return text
    .replace(/^res_index\{$/m, "res_index:table(nofallback){")
    .split("\n")
    .filter((line) => {
      const m = INDEX_ENTRY.exec(line);
      return !m || kept.has(`${tree}${m[1]}.res`);
    })
    .join("\n");
}

/** Checks that the bytes are an ICU common data package for little-endian ASCII machines. */
function checkPackage(data: Uint8Array, name: string): void {
  const magic = data.length > 16 && data[2] === 0xda && data[3] === 0x27;
  const format = new TextDecoder().decode(data.subarray(12, 16));
  if (!magic || format !== "CmnD" || data[8] !== 0 || data[9] !== 0)
    throw new DebianError(`${name}: its icudt data is not a little-endian ICU common data package`);
}

/** The board's libicudata rebuilt with the root and English locales only (cached). */
export function reducedIcuData(opts: IcuDataOptions): Uint8Array {
  const m = ICU_DATA_LIB.exec(opts.libName);
  if (!m) throw new DebianError(`${opts.libName} is not a libicudata.so.<N>.<M>`);
  const major = m[1];
  const hash = createHash("sha256").update(`${ICU_RECIPE}\n${opts.arch}\n`).update(opts.lib).digest("hex");
  const cached = join(opts.cache, "icu", `${opts.arch}-${hash.slice(0, 32)}.so`);
  if (existsSync(cached)) return readFileSync(cached);

  const cross = CROSS[opts.arch];
  const pkg = `icudt${major}l`;
  // Per process: two builds of the same library at once (parallel test files) stay apart.
  const dir = join(opts.cache, "icu", "build", `${hash.slice(0, 16)}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  for (const d of ["in", "step1", "step2", "out", "index", "x"]) mkdirSync(join(dir, d), { recursive: true });
  const what = `reducing ICU data for ${opts.arch}`;
  const needs: [string, string][] = [
    ...["icupkg", "derb", "genrb"].map((c): [string, string] => [c, ICU_TOOLS]),
    ...["nm", "objdump", "gcc"].map((c): [string, string] => [`${cross.triplet}-${c}`, cross.aptPackage]),
  ];
  for (const [cmd, aptPackage] of needs) {
    if (spawnSync(cmd, ["--help"], { stdio: "ignore" }).error)
      throw new DebianError(`${what} needs ${cmd}: apt-get install ${aptPackage}`);
  }
  const tool = (cmd: string, args: readonly string[]): string =>
    run(cmd, args, { cwd: dir }, `${what}: ${cmd}`);

  // The data: the exported icudt<N>_dat object, found through the dynamic symbol table (nm
  // gives its address and size) and the section holding it (objdump gives its file offset).
  const symbol = `icudt${major}_dat`;
  writeFileSync(join(dir, "lib.so"), opts.lib);
  const sym = new RegExp(`^([0-9a-f]+) ([0-9a-f]+) R ${symbol}$`, "m").exec(
    tool(`${cross.triplet}-nm`, ["-D", "-S", "--defined-only", "lib.so"]),
  );
  const section = /^\s*\d+ \.rodata\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)/m.exec(
    tool(`${cross.triplet}-objdump`, ["-h", "-j", ".rodata", "lib.so"]),
  );
  if (!sym || !section) throw new DebianError(`${opts.libName} has no ${symbol} in its .rodata`);
  const [addr, size, vma, secSize, fileOff] = [sym[1], sym[2], section[2], section[1], section[3]].map((h) =>
    parseInt(h, 16),
  );
  if (addr < vma || addr + size > vma + secSize)
    throw new DebianError(`${opts.libName}: ${symbol} is not inside .rodata`);
  const data = opts.lib.subarray(fileOff + addr - vma, fileOff + addr - vma + size);
  checkPackage(data, opts.libName);
  const input = join(dir, "in", `${pkg}.dat`);
  writeFileSync(input, data);

  const items = tool("icupkg", ["-l", input]).split("\n").filter(Boolean);
  const sel = selectIcuItems(items);
  // 1. The other locales; icupkg checks nothing left refers to them.
  writeFileSync(join(dir, "locales.txt"), `${sel.locales.join("\n")}\n`);
  tool("icupkg", ["-r", join(dir, "locales.txt"), input, join(dir, "step1", `${pkg}.dat`)]);
  // 2. Each res_index: dumped, cut to the locales left, compiled again.
  for (const item of sel.indexes) {
    const tree = item.slice(0, item.length - "res_index.res".length);
    tool("icupkg", ["-x", item, "-d", join(dir, "x"), input]);
    const text = tool("derb", ["-c", "-s", join(dir, "x", tree), "res_index"]);
    const src = join(dir, "index", tree, "res_index.txt");
    mkdirSync(dirname(src), { recursive: true });
    writeFileSync(src, filterResIndex(text, tree, sel.kept));
    mkdirSync(join(dir, "out", tree), { recursive: true });
    tool("genrb", ["-q", "-e", "UTF-8", "-d", join(dir, "out", tree), src]);
  }
  writeFileSync(join(dir, "indexes.txt"), `${sel.indexes.join("\n")}\n`);
  tool("icupkg", [
    ...["-r", join(dir, "indexes.txt"), "-a", join(dir, "indexes.txt"), "-s", join(dir, "out")],
    ...[join(dir, "step1", `${pkg}.dat`), join(dir, "step2", `${pkg}.dat`)],
  ]);
  // 3. The dictionaries: brkitr/root.res names them, and ICU breaks the scripts they serve
  // without them (one boundary per character), so this step alone ignores references.
  writeFileSync(join(dir, "dictionaries.txt"), `${sel.dictionaries.join("\n")}\n`);
  const reduced = join(dir, "out", `${pkg}.dat`);
  tool("icupkg", [
    ...["--ignore-deps", "-r", join(dir, "dictionaries.txt")],
    ...[join(dir, "step2", `${pkg}.dat`), reduced],
  ]);

  // The library: the package as the exported icudt<N>_dat object, no code, no build id. A C
  // file (top-level asm) rather than a .S: only then does the armhf compiler mark the object
  // hard-float, without which the board's dynamic loader refuses the library.
  const asm = [
    ".section .rodata",
    ".balign 16",
    `.globl ${symbol}`,
    `.type ${symbol}, %object`,
    `${symbol}:`,
    `.incbin \\"out/${pkg}.dat\\"`,
    `.size ${symbol}, . - ${symbol}`,
    ".previous",
    "",
  ].join("\\n");
  writeFileSync(join(dir, "icudata.c"), `__asm__("${asm}");\n`);
  const soname = `libicudata.so.${major}`;
  tool(`${cross.triplet}-gcc`, [
    ...["-shared", "-nostdlib", "-s", `-Wl,-soname,${soname}`, "-Wl,--build-id=none"],
    ...["-o", "libicudata.so", "icudata.c"],
  ]);
  const lib = readFileSync(join(dir, "libicudata.so"));
  opts.log(
    `ICU data for ${opts.arch}: root and English locales, ${(readFileSync(reduced).length / 1048576).toFixed(1)} MB of ${(data.length / 1048576).toFixed(1)} MB`,
  );
  mkdirSync(dirname(cached), { recursive: true });
  writeFileSync(`${cached}.${process.pid}.tmp`, lib);
  renameSync(`${cached}.${process.pid}.tmp`, cached);
  rmSync(dir, { recursive: true, force: true });
  return lib;
}
