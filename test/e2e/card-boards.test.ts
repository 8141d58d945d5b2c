// The Raspberry Pi 3/4 and BeagleBone Black cards, built by `netrino build` from their
// buildfiles (the pipeline CI's QEMU boot test uses, sharing its cache: rpi3 and rpi4 reuse
// the arm64 initramfs archive qemu-arm64 made, bbb makes the armhf one), then checked from
// outside with tools we did not write: sfdisk reads the partition table, mtools the FAT, xz and
// cpio the initramfs's two archives, bmaptool copies the card through our bmap, sha256sum checks
// the .sha256 file, xz unpacks the compressed copy. Another build of the same buildfile into
// another place with the same SOURCE_DATE_EPOCH must give the same bytes, and a build with
// nothing changed must come from the cache. The card's own node, with the card's initramfs as
// its root, runs under qemu-user and must format, collate, segment and decode with the reduced
// ICU data (images/card/icu-data.ts). Expectations come from boards/*.ts.
// Needs a Debian mirror (or a filled NETRINO_CACHE), the cross compilers g++-aarch64-linux-gnu
// and g++-arm-linux-gnueabihf, and packages fdisk, mtools, dosfstools, bmap-tools, cpio,
// xz-utils, icu-devtools, qemu-user.
import { spawnSync } from "node:child_process";
import { transformSync } from "esbuild";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Board } from "../../boards/board.ts";
import { findBoard } from "../../boards/index.ts";
import { BOOT_START, DATA_SIZE } from "../../images/card/card.ts";
import { DATA_FS_MODULES } from "../../images/card/initramfs.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const EPOCH = "1700000000";
const tools = [
  "sfdisk",
  "mdir",
  "mtype",
  "bmaptool",
  "cpio",
  "xz",
  "aarch64-linux-gnu-g++",
  "arm-linux-gnueabihf-g++",
  "icupkg",
  "qemu-aarch64",
  "qemu-arm",
];
const missing = tools.filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
const need = missing.length === 0 || process.env.CI === "true";
const tmp = mkdtempSync(join(tmpdir(), "netrino-cards-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sh(cmd: string, args: readonly string[], input?: Uint8Array): Buffer {
  const r = spawnSync(cmd, args, {
    input,
    maxBuffer: 1 << 30,
    env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
  });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

const sha = (path: string): string => sh("sha256sum", [path]).toString("utf8").split(/\s+/)[0];

/** `netrino build buildfiles/<board>.build`; returns its summary and how long it took. */
function build(board: string, extra: readonly string[] = [], env: Record<string, string> = {}) {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ["images/cli/netrino.js", "build", `buildfiles/${board}.build`, ...extra],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH, ...env } },
  );
  expect(r.status, r.stderr).toBe(0);
  return { stdout: r.stdout, seconds: (performance.now() - t0) / 1000 };
}

/**
 * initrd.img's two archives: the architecture's shared one (one xz stream, whose footer ends
 * with "YZ") and the board's uncompressed cpio right after it.
 */
function splitInitrd(initrd: Buffer): { shared: Buffer; own: Buffer } {
  for (let at = initrd.indexOf("YZ070701"); at >= 0; at = initrd.indexOf("YZ070701", at + 1)) {
    if ((at + 2) % 4 === 0) return { shared: initrd.subarray(0, at + 2), own: initrd.subarray(at + 2) };
  }
  throw new Error("initrd.img: no cpio archive after the xz stream");
}

/** What a card's FAT and initramfs hold, read with mtools, xz and cpio. */
function inspect(img: string): {
  files: string[];
  read: (f: string) => Buffer;
  shared: Buffer;
  initramfs: string[];
  own: string[];
  init: string;
} {
  const part = `${img}@@${BOOT_START}`;
  const files = sh("mdir", ["-b", "-/", "-i", part, "::"])
    .toString("utf8")
    .split("\n")
    .filter((l) => l && !l.endsWith("/"))
    .map((l) => l.replace(/^::\//, ""));
  const read = (f: string): Buffer => sh("mtype", ["-i", part, `::${f}`]);
  const { shared, own: ownCpio } = splitInitrd(read("initrd.img"));
  const list = (cpio: Buffer): string[] =>
    sh("cpio", ["-it", "--quiet"], cpio).toString("utf8").split("\n").filter(Boolean);
  const own = list(ownCpio);
  const initramfs = [...list(sh("xz", ["-dc"], shared)), ...own];
  const init = sh("cpio", ["-i", "--to-stdout", "--quiet", "init"], ownCpio).toString("utf8");
  return { files, read, shared, initramfs, own, init };
}

/** Intl basics node needs on a board (fixtures/intl-probe.ts), as JavaScript the card's node runs. */
function intlScript(): string {
  const probe = join(import.meta.dirname, "fixtures", "intl-probe.ts");
  return transformSync(readFileSync(probe, "utf8"), { loader: "ts", format: "cjs", target: "node20" }).code;
}

/** The card's node run under qemu-user with its shared initramfs archive as the root. */
function intlOnCard(shared: Buffer, arch: "arm64" | "armhf"): unknown {
  const root = mkdtempSync(join(tmp, `root-${arch}-`));
  const unpack = spawnSync("sh", ["-c", "xz -dc | cpio -idm --quiet --nonmatching 'dev/*'"], {
    cwd: root,
    input: shared,
    maxBuffer: 1 << 20,
  });
  expect(unpack.status, String(unpack.stderr)).toBe(0);
  const qemu = arch === "arm64" ? "qemu-aarch64" : "qemu-arm";
  const r = spawnSync(qemu, ["-L", root, join(root, "usr/bin/node"), "-e", intlScript()], {
    encoding: "utf8",
    env: { PATH: "/bin" },
  });
  rmSync(root, { recursive: true, force: true });
  expect(r.status, `${r.error?.message ?? ""}${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

function checkIntl(shared: Buffer, arch: "arm64" | "armhf"): void {
  expect(intlOnCard(shared, arch)).toEqual({
    number: "1,234,567.891",
    currency: "€1,234.50",
    date: "1/1/1970, 12:00:00 AM",
    zone: "Thursday, 1 January 1970 at 01:00:00 CET",
    dropped: "en-US",
    supported: ["en-GB"],
    collation: ["a", "ä", "b", "B"],
    normalization: "éfi",
    upper: "STRASSE",
    plural: "one",
    relative: "1 day ago",
    words: 2,
    region: "Germany",
    decoder: "あ",
    idna: "xn--bcher-kva.example",
  });
}

/** What every card has, whatever the board: the checks that do not depend on its boot chain. */
function checkCommon(board: Board, img: string): ReturnType<typeof inspect> {
  const table = JSON.parse(sh("sfdisk", ["--json", img]).toString("utf8")) as {
    partitiontable: {
      label: string;
      partitions: { start: number; size: number; type: string; bootable?: boolean }[];
    };
  };
  expect(table.partitiontable.label).toBe("dos");
  const [boot, data] = table.partitiontable.partitions;
  expect(boot).toMatchObject({ start: BOOT_START / 512, type: "c", bootable: true });
  expect(data).toMatchObject({ start: boot.start + boot.size, size: DATA_SIZE / 512, type: "e" });
  expect(sh("mdir", ["-i", `${img}@@${(boot.start + boot.size) * 512}`, "::"]).toString()).toContain(
    "NETRINO-DAT",
  );

  // .sha256 in sha256sum's own format; bmaptool copies through the bmap (checking its
  // checksums) to the same bytes; the .xz unpacks to the same bytes.
  expect(readFileSync(`${img}.sha256`, "utf8")).toBe(`${sha(img)}  ${basename(img)}\n`);
  const copy = join(tmp, "copy.img");
  sh("bmaptool", ["copy", "--bmap", `${img}.bmap`, img, copy]);
  expect(sha(copy)).toBe(sha(img));
  sh("sh", ["-c", `xz -dc "$0" > "$1"`, `${img}.xz`, copy]);
  expect(sha(copy)).toBe(sha(img));
  rmSync(copy);

  const card = inspect(img);
  expect(card.files).toEqual(
    expect.arrayContaining(["vmlinuz", "initrd.img", ...board.dtbs.map((d) => basename(d))]),
  );
  expect(card.initramfs).toEqual(
    expect.arrayContaining([
      "init",
      "bin/busybox",
      "usr/bin/node",
      "netrino/image.ifs",
      "netrino/runtime/board-init.js",
      "netrino/runtime/pcap-capture.js",
      "netrino/node_modules/pcap/build/Release/pcap_binding.node",
      "netrino/node_modules/epoll/build/Release/epoll.node",
    ]),
  );
  // The board's own archive holds only what differs between boards of an architecture.
  expect(
    card.own.filter(
      (f) => !/^(?:usr(?:\/lib(?:\/modules(?:\/.*)?)?)?|netrino|netrino\/image\.ifs|init)$/.test(f),
    ),
  ).toEqual([]);
  // What nothing on a board reads stays out (images/card/rootfs.ts DROP, runtime-bundle.ts).
  const unneeded =
    /\.d\.ts$|\.md$|\/@types\/|node_modules\/(?:nan|node-addon-api)\/|libicu(?:tu|io|test)\.|\/prebuilds\/(?:win32|darwin|android|linux-x64)/;
  expect(card.initramfs.filter((f) => unneeded.test(f))).toEqual([]);
  const modules = card.initramfs.filter((f) => f.startsWith("usr/lib/modules/") && /\.ko/.test(f));
  const names = modules.map((f) =>
    basename(f)
      .replace(/\.ko.*$/, "")
      .replace(/-/g, "_"),
  );
  for (const m of [...(board.debian?.kernelModules ?? []), ...DATA_FS_MODULES])
    expect(names, `kernel module ${m}`).toContain(m.replace(/-/g, "_"));
  for (const m of modules)
    expect(card.init).toContain(`insmod /lib/modules/${m.split("/").slice(3).join("/")}`);
  return card;
}

function boardOf(name: string): Board {
  const board = findBoard(name);
  if (!board?.boot) throw new Error(`no board ${name} with a boot chain`);
  return board;
}

const imgOf = (name: string): string => join(ROOT, "images", "out", `${name}.img`);

describe.skipIf(!need)(`board cards (needs ${tools.join(", ")})`, () => {
  for (const name of ["rpi4", "rpi3"]) {
    it(`${name}: MBR, FAT with firmware, config.txt, cmdline.txt, dtbs, kernel, initramfs`, () => {
      const board = boardOf(name);
      if (board.boot?.loader !== "raspberry-pi") throw new Error(`${name} is not a Raspberry Pi`);
      const { seconds } = build(name);
      console.log(`${name} card build: ${seconds.toFixed(1)} s`);
      const card = checkCommon(board, imgOf(name));
      expect(card.files).toEqual(
        expect.arrayContaining(["config.txt", "cmdline.txt", ...board.boot.firmware]),
      );
      const config = card.read("config.txt").toString("utf8");
      expect(config).toMatch(/^enable_uart=1$/m);
      expect(config).toMatch(/^arm_64bit=1$/m);
      expect(config).toMatch(/^kernel=vmlinuz$/m);
      expect(config).toMatch(/^initramfs initrd\.img followkernel$/m);
      for (const line of board.boot.config) expect(config.split("\n")).toContain(line);
      expect(card.read("cmdline.txt").toString("utf8")).toMatch(/^console=ttyS1,115200 /);
    }, 900_000);
  }

  it("bbb: MLO raw at 128 KiB and in the FAT, u-boot.img at 384 KiB, extlinux.conf", () => {
    const board = boardOf("bbb");
    const { seconds } = build("bbb");
    console.log(`bbb card build: ${seconds.toFixed(1)} s`);
    const img = imgOf("bbb");
    const card = checkCommon(board, img);
    expect(card.files).toEqual(expect.arrayContaining(["MLO", "u-boot.img", "extlinux/extlinux.conf"]));
    const bytes = readFileSync(img);
    const mlo = card.read("MLO");
    expect(mlo.length).toBeGreaterThan(0);
    expect(bytes.subarray(128 * 1024, 128 * 1024 + mlo.length).equals(mlo)).toBe(true);
    const uboot = card.read("u-boot.img");
    expect(bytes.subarray(384 * 1024, 384 * 1024 + uboot.length).equals(uboot)).toBe(true);
    const extlinux = card.read("extlinux/extlinux.conf").toString("utf8");
    expect(extlinux).toMatch(/^\s*kernel \/vmlinuz$/m);
    expect(extlinux).toMatch(/^\s*initrd \/initrd\.img$/m);
    expect(extlinux).toMatch(/^\s*fdt \/am335x-boneblack\.dtb$/m);
    expect(extlinux).toMatch(/^\s*append console=ttyO0,115200n8 /m);
  }, 900_000);

  it("the cards' node formats, collates, segments and decodes with the reduced ICU data (qemu-user)", () => {
    checkIntl(inspect(imgOf("rpi4")).shared, "arm64");
    checkIntl(inspect(imgOf("bbb")).shared, "armhf");
  }, 300_000);

  it("rpi3 and rpi4 share the arm64 initramfs archive byte for byte", () => {
    expect(inspect(imgOf("rpi3")).shared.equals(inspect(imgOf("rpi4")).shared)).toBe(true);
  });

  it("a build with nothing changed comes from the cache", () => {
    const before = sha(imgOf("rpi4"));
    const { stdout, seconds } = build("rpi4");
    console.log(`rpi4 card build, nothing changed: ${seconds.toFixed(1)} s`);
    expect(stdout).toContain("(up to date)");
    expect(sha(imgOf("rpi4"))).toBe(before);
  }, 300_000);

  it("is deterministic: the same buildfile built elsewhere with one SOURCE_DATE_EPOCH is byte-identical", () => {
    const img = join(tmp, "again", "bbb.img");
    mkdirSync(join(tmp, "again"), { recursive: true });
    const { stdout } = build("bbb", ["-o", img]);
    expect(stdout).not.toContain("(up to date)");
    for (const ext of ["", ".bmap", ".xz"]) {
      expect(readFileSync(`${img}${ext}`).equals(readFileSync(`${imgOf("bbb")}${ext}`)), `.img${ext}`).toBe(
        true,
      );
    }
    expect(readFileSync(`${img}.sha256`, "utf8").split(" ")[0]).toBe(sha(imgOf("bbb")));
  }, 900_000);
});
