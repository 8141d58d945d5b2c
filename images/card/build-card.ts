// `netrino build` for a board with Debian parts: buildfile → runtime image (.ifs) → Debian
// packages (cached, checksummed) → initramfs (node as PID 1, busybox, modules, the runtime
// bundle and the image) → boot partition for the board's loader → card image, then its bmap,
// sha256 and an xz copy. Every output is written in a staging directory and renamed into
// place at the end, so a failed build leaves the previous image as it was. A card whose
// inputs did not change is not rebuilt.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Board } from "../../boards/board.ts";
import { CardError, type FatFile } from "./fat.ts";
import { checksumRanges, emitBmap } from "./bmap.ts";
import { MAP_BLOCK, writeCard, type CardLayout, type RawWrite, type WrittenCard } from "./card.ts";
import { cacheDir } from "./cache.ts";
import { writeCpio, type CpioEntry } from "./cpio.ts";
import { packageClosure, unpackedTree } from "./deb-tree.ts";
import { DebianRepo, sha256, type DebPackage } from "./debian-repo.ts";
import { DATA_FS_MODULES, initScript, skeleton, withParents } from "./initramfs.ts";
import { debianMirror } from "./mirror.ts";
import { fileEntry, kernelTree, moduleLoadOrder, runtimeFiles } from "./rootfs.ts";
import { crossAddons } from "./addons.ts";
import { ICU_DATA_LIB, ICU_RECIPE, reducedIcuData } from "./icu-data.ts";
import { bundleRuntime, nativePackageFiles } from "./runtime-bundle.ts";

/** Bump when the card's layout or contents change for the same inputs. */
const PIPELINE = "card-4";
const enc = new TextEncoder();
/** Node's name for the board's platform (the prebuilds/ directory of a native package). */
const NODE_PLATFORM = { arm64: "linux-arm64", armhf: "linux-arm" } as const;
/** xz's branch filter for the board's machine code (armhf userland is Thumb-2). */
const BCJ_FILTER = { arm64: "--arm64", armhf: "--armthumb" } as const;
/**
 * How the shared initramfs archive is compressed (boards/*.ts initramfsCompression), once per
 * architecture and then cached. xz: CRC32 checks for the kernel's unpacker, the branch filter
 * for the board's code (the kernel has the decoders: CONFIG_XZ_DEC_ARM64/ARMTHUMB), preset 6
 * in 24 MiB blocks on two threads (-9 saves 1.2 % for twice the time on one). zstd: a middle
 * level, made in seconds and unpacked several times faster than xz.
 */
const SHARED_COMPRESSION = {
  xz: (arch: "arm64" | "armhf") => ({
    cmd: "xz",
    pkg: "xz-utils",
    args: ["--check=crc32", BCJ_FILTER[arch], "--lzma2=preset=6", "-T2", "-c"],
  }),
  zstd: () => ({ cmd: "zstd", pkg: "zstd", args: ["-12", "-T2", "-q", "-c"] }),
} as const;
const byPath = (a: CpioEntry, b: CpioEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export interface CardBuildOptions {
  readonly board: Board;
  /** The runtime image built from the buildfile. */
  readonly ifs: Uint8Array;
  /** images/out/<name>.img */
  readonly out: string;
  readonly repoRoot: string;
  readonly epoch: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
}

export interface CardOutputs {
  readonly img: string;
  readonly bmap: string;
  readonly sha256: string;
  readonly xz: string;
}

export interface CardBuildResult {
  readonly outputs: CardOutputs;
  readonly upToDate: boolean;
  readonly summary: string;
}

export function cardOutputs(img: string): CardOutputs {
  return { img, bmap: `${img}.bmap`, sha256: `${img}.sha256`, xz: `${img}.xz` };
}

/** Packages whose files are not part of the root filesystem (boot chain and the kernel). */
function isBootPackage(p: DebPackage): boolean {
  return (
    /^linux-image-/.test(p.name) ||
    p.name === "raspi-firmware" ||
    /^u-boot/.test(p.name) ||
    p.name === "busybox-static"
  );
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(1)} MB`;
}

function tool(cmd: string, args: readonly string[], pkg: string, input?: Uint8Array): Buffer {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error) throw new CardError(`cannot run ${cmd} (package ${pkg}): ${r.error.message}`);
  if (r.status !== 0) throw new CardError(`${cmd}: ${String(r.stderr).trim()}`);
  return r.stdout;
}

function fileIn(tree: string, rel: string, pkg: string): Uint8Array {
  const p = join(tree, rel);
  if (!existsSync(p)) throw new CardError(`${pkg} has no /${rel}`);
  return readFileSync(p);
}

export async function buildCard(opts: CardBuildOptions): Promise<CardBuildResult> {
  const { board, log } = opts;
  const deb = board.debian;
  const boot = board.boot;
  if (!deb || !boot)
    throw new CardError(`board ${board.name} has no Debian parts: it builds a runtime image only`);
  const t0 = performance.now();
  const steps = 7;
  let stepNo = 0;
  let stepStart = t0;
  const step = (text: string): void => {
    const now = performance.now();
    if (stepNo > 0) log(`      ${((now - stepStart) / 1000).toFixed(1)} s`);
    stepStart = now;
    log(`[${++stepNo}/${steps}] ${text}`);
  };
  const cache = cacheDir(opts.env);

  step(`Debian ${deb.release} ${deb.arch} package index`);
  const repo = new DebianRepo({
    mirror: debianMirror(opts.env),
    suite: deb.release,
    arch: deb.arch,
    components: deb.components,
    cache,
    keyring: opts.env.NETRINO_DEBIAN_KEYRING || undefined,
    log: (l) => log(`      ${l}`),
  });
  const packages = await packageClosure(repo, deb.packages);

  step(`${packages.length} packages (download, verify, unpack)`);
  const trees = new Map<string, string>();
  for (const p of packages) trees.set(p.name, await unpackedTree(repo, p));
  const tree = (name: string): string => {
    const t = trees.get(name);
    if (!t)
      throw new CardError(`board ${board.name} needs package ${name}: add it to boards/${board.name}.ts`);
    return t;
  };
  const kernelPkg = packages.find(
    (p) => /^linux-image-\d/.test(p.name) && p.name.endsWith(deb.kernelFlavour),
  );
  if (!kernelPkg)
    throw new CardError(`no linux-image-*-${deb.kernelFlavour} among the packages of ${board.name}`);
  const kernel = kernelTree(tree(kernelPkg.name));
  const modules = moduleLoadOrder(kernel, [...deb.kernelModules, ...DATA_FS_MODULES]);

  step("runtime bundle, native addons");
  // The same for every board of the architecture: the shared initramfs archive holds them.
  const runtime = [
    ...(await bundleRuntime(opts.repoRoot)),
    ...nativePackageFiles(opts.repoRoot, NODE_PLATFORM[deb.arch]),
    ...(await crossAddons({
      arch: deb.arch,
      repoRoot: opts.repoRoot,
      cache,
      repo,
      env: opts.env,
      log: (l) => log(`      ${l}`),
    })),
  ];
  const init = initScript(board, kernel.version, modules);
  const rootPackages = packages.filter((p) => !isBootPackage(p));
  const busyboxPkg = packages.find((p) => p.name === "busybox-static");

  // The shared archive's key: only what goes in it (not the kernel, the board's modules, its
  // init or the runtime image), so a buildfile edit or another board reuses it.
  const sharedHash = createHash("sha256");
  const compress = SHARED_COMPRESSION[deb.initramfsCompression](deb.arch);
  sharedHash.update(
    `${PIPELINE}\n${ICU_RECIPE}\n${opts.epoch}\n${deb.arch}\n${compress.cmd} ${compress.args.join(" ")}\n`,
  );
  for (const p of [...rootPackages, ...(busyboxPkg ? [busyboxPkg] : [])])
    sharedHash.update(`${p.name} ${p.sha256}\n`);
  for (const f of runtime) sharedHash.update(`${f.path} ${sha256(f.data)}\n`);
  const sharedKey = sharedHash.digest("hex");
  // The key of everything that goes on the card.
  const key = createHash("sha256");
  key.update(`${PIPELINE}\n${sharedKey}\n${init}\n${sha256(opts.ifs)}\n`);
  for (const p of packages) key.update(`${p.name} ${p.sha256}\n`);
  key.update(JSON.stringify(board));
  const cardKey = key.digest("hex");
  const outputs = cardOutputs(opts.out);
  const keyFile = join(dirname(opts.out), `.${basename(opts.out)}.key`);
  const allThere = Object.values(outputs).every((p) => existsSync(p));
  if (allThere && existsSync(keyFile) && readFileSync(keyFile, "utf8") === cardKey) {
    log(`      ${((performance.now() - stepStart) / 1000).toFixed(1)} s`);
    return { outputs, upToDate: true, summary: summarize(opts, packages, modules, undefined, true) };
  }

  step("initramfs");
  const sharedPath = join(cache, "initramfs", `${deb.arch}-${sharedKey}.cpio.${compress.cmd}`);
  let shared: Uint8Array;
  if (existsSync(sharedPath)) {
    shared = readFileSync(sharedPath);
    log(`      ${deb.arch} shared part ${mb(shared.length)} (cached)`);
  } else {
    const busyboxTree = tree("busybox-static");
    const busybox = existsSync(join(busyboxTree, "usr/bin/busybox"))
      ? readFileSync(join(busyboxTree, "usr/bin/busybox"))
      : fileIn(busyboxTree, "bin/busybox", "busybox-static");
    const entries: CpioEntry[] = [
      ...skeleton(busybox),
      // Merged /usr: the dynamic loader is asked for as /lib/ld-linux-*.
      ...runtimeFiles(rootPackages.map((p) => tree(p.name))).map((e) => ({
        ...e,
        path: e.path.replace(/^lib\//, "usr/lib/"),
        // ICU's data: the root and English locales only (images/card/icu-data.ts).
        data:
          e.data && ICU_DATA_LIB.test(e.path) && (e.mode & 0o170000) === 0o100000
            ? reducedIcuData({
                arch: deb.arch,
                lib: e.data,
                libName: e.path,
                cache,
                log: (l) => log(`      ${l}`),
              })
            : e.data,
      })),
      ...runtime.map((f) => ({ path: f.path.slice(1), mode: 0o100000 | f.mode, data: f.data })),
    ].filter((e) => e.path !== "lib");
    entries.push({ path: "lib", mode: 0o120777, data: enc.encode("usr/lib") });
    const cpio = writeCpio(withParents(entries.sort(byPath)), opts.epoch);
    log(`      ${deb.arch} shared part: cpio ${mb(cpio.length)}, compressing (${compress.cmd})`);
    const packed = tool(compress.cmd, compress.args, compress.pkg, cpio);
    // Zeros up to a multiple of 4: the kernel skips them and wants the next cpio aligned.
    shared = new Uint8Array(packed.length + ((4 - (packed.length % 4)) % 4));
    shared.set(packed);
    mkdirSync(dirname(sharedPath), { recursive: true });
    writeFileSync(`${sharedPath}.${process.pid}.tmp`, shared);
    renameSync(`${sharedPath}.${process.pid}.tmp`, sharedPath);
  }
  // The board's part, uncompressed (its modules are xz files already).
  const own = writeCpio(
    withParents(
      [
        { path: "init", mode: 0o100755, data: enc.encode(init) },
        ...modules.map((m) =>
          fileEntry(`usr/lib/modules/${kernel.version}/${m}`, join(kernel.modulesDir, m)),
        ),
        { path: "netrino/image.ifs", mode: 0o100644, data: opts.ifs },
      ].sort(byPath),
    ),
    opts.epoch,
  );
  const initrd = new Uint8Array(shared.length + own.length);
  initrd.set(shared);
  initrd.set(own, shared.length);

  step("boot partition");
  const cmdline = `console=${board.console.kernelConsole ?? "tty0"} panic=5 quiet`;
  const files: FatFile[] = [
    { path: "vmlinuz", data: readFileSync(kernel.vmlinuz) },
    { path: "initrd.img", data: initrd },
    ...board.dtbs.map((d) => ({ path: basename(d), data: fileIn(kernel.dtbDir, d, kernelPkg.name) })),
  ];
  const raw: RawWrite[] = [];
  switch (boot.loader) {
    case "raspberry-pi": {
      const fw = tree("raspi-firmware");
      for (const f of boot.firmware)
        files.push({ path: f, data: fileIn(fw, `usr/lib/raspi-firmware/${f}`, "raspi-firmware") });
      const config = [...boot.config, "kernel=vmlinuz", "initramfs initrd.img followkernel", ""].join("\n");
      files.push(
        { path: "config.txt", data: enc.encode(config) },
        { path: "cmdline.txt", data: enc.encode(`${cmdline}\n`) },
      );
      break;
    }
    case "u-boot": {
      const ub = tree("u-boot-omap");
      const mlo = fileIn(ub, `usr/lib/u-boot/${boot.target}/MLO`, "u-boot-omap");
      const uimg = fileIn(ub, `usr/lib/u-boot/${boot.target}/u-boot.img`, "u-boot-omap");
      // Both ways the ROM and SPL look: raw sectors 256/768 and files in the FAT root.
      raw.push(
        { offset: 256 * 512, data: mlo, what: "MLO" },
        { offset: 768 * 512, data: uimg, what: "u-boot.img" },
      );
      const fdt = board.dtbs[0] ? `    fdt /${basename(board.dtbs[0])}\n` : "";
      const extlinux = `default netrino\ntimeout 0\nlabel netrino\n    kernel /vmlinuz\n    initrd /initrd.img\n${fdt}    append ${cmdline}\n`;
      files.unshift({ path: "MLO", data: mlo }, { path: "u-boot.img", data: uimg });
      files.push({ path: "extlinux/extlinux.conf", data: enc.encode(extlinux) });
      break;
    }
    case "qemu":
      files.push({ path: "cmdline.txt", data: enc.encode(`${[cmdline, ...boot.kernelArgs].join(" ")}\n`) });
      break;
  }

  step("card image");
  const staging = join(dirname(opts.out), `.${basename(opts.out)}.${process.pid}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const staged = cardOutputs(join(staging, basename(opts.out)));
  let layout: WrittenCard;
  try {
    layout = writeCard(
      staged.img,
      { epoch: opts.epoch, diskId: parseInt(cardKey.slice(0, 8), 16), staging },
      files,
      raw,
    );
    step("bmap, sha256, xz");
    writeFileSync(staged.bmap, cardBmap(staged.img, layout));
    const digest = createHash("sha256").update(readFileSync(staged.img)).digest("hex");
    writeFileSync(staged.sha256, `${digest}  ${basename(opts.out)}\n`);
    tool("sh", ["-c", `xz -T2 -6 -c "$0" > "$1"`, staged.img, staged.xz], "xz-utils");
    for (const k of ["img", "bmap", "sha256", "xz"] as const) renameSync(staged[k], outputs[k]);
    writeFileSync(keyFile, cardKey);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOSPC")
      throw new CardError(`no space left on the disk writing ${staging}; ${basename(opts.out)} is unchanged`);
    throw e;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`      ${((performance.now() - stepStart) / 1000).toFixed(1)} s`);
  return { outputs, upToDate: false, summary: summarize(opts, packages, modules, layout, false, files) };
}

function summarize(
  opts: CardBuildOptions,
  packages: readonly DebPackage[],
  modules: readonly string[],
  layout: CardLayout | undefined,
  upToDate: boolean,
  files?: readonly FatFile[],
): string {
  const o = cardOutputs(opts.out);
  const size = (p: string): string => (existsSync(p) ? mb(statSync(p).size) : "?");
  const lines = [
    `${basename(o.img)}: ${size(o.img)}${upToDate ? " (up to date)" : ""}, ${basename(o.xz)}: ${size(o.xz)}, board ${opts.board.name}`,
  ];
  if (layout) {
    lines.push(
      `  partitions: boot FAT32 ${mb(layout.bootSize)} at 4 MiB, data FAT ${mb(layout.size - layout.dataStart)}`,
    );
  }
  if (files) lines.push(`  boot files: ${files.map((f) => `${f.path} (${mb(f.data.length)})`).join(", ")}`);
  const main = packages.filter(
    (p) => opts.board.debian?.packages.includes(p.name) || /^linux-image-\d/.test(p.name),
  );
  lines.push(
    `  packages: ${main.map((p) => `${p.name} ${p.version}`).join(", ")} (+${packages.length - main.length} libraries)`,
  );
  lines.push(`  kernel modules: ${modules.map((m) => basename(m).replace(/\.ko.*$/, "")).join(", ")}`);
  lines.push(`  also: ${basename(o.bmap)}, ${basename(o.sha256)}`);
  return lines.join("\n");
}

/** The bmap of a card just written: the blocks the writer filled, with their checksums. */
function cardBmap(img: string, card: WrittenCard): string {
  const fd = openSync(img, "r");
  try {
    const ranges = checksumRanges(
      (buf, pos) => readSync(fd, buf, 0, buf.length, pos),
      card.size,
      MAP_BLOCK,
      card.mapped,
    );
    return emitBmap({ imageSize: card.size, blockSize: MAP_BLOCK, ranges });
  } finally {
    closeSync(fd);
  }
}
