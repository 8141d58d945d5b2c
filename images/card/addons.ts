// Native addons for the board's architecture. `pcap` (devnp-pcap) and `epoll` (onoff's GPIO
// interrupts) ship no prebuilds, so they are cross-compiled on the host with Debian's cross
// toolchain (g++-aarch64-linux-gnu / g++-arm-linux-gnueabihf) against the node headers of the
// board's own Debian node (trixie libnode-dev, ABI 115) and its libpcap, with npm's node-gyp.
// Cross-compiling takes seconds where emulating a native build under qemu-user takes minutes,
// and needs no binfmt setup (root). serialport needs nothing: @serialport/bindings-cpp ships
// linux-arm64/linux-arm prebuilds, copied with the package (runtime-bundle.ts).
//
// Reproducible: the build runs in a directory named by its inputs' hash, source paths are
// mapped away (-ffile-prefix-map), the result is stripped; cached as
// <cache>/addons/<hash>.node, so a warm build never compiles.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { unpackedTree } from "./deb-tree.ts";
import { DebianError, type DebianRepo } from "./debian-repo.ts";
import type { BundleFile } from "./runtime-bundle.ts";

/** The npm packages whose addon is compiled for the board, and the file their loader wants. */
export const CROSS_ADDONS: readonly { readonly pkg: string; readonly output: string }[] = [
  { pkg: "pcap", output: "build/Release/pcap_binding.node" },
  { pkg: "epoll", output: "build/Release/epoll.node" },
];

/** Build-time Debian packages (never in the image): node headers, libuv and libpcap to link. */
export const HEADER_PACKAGES = [
  "libnode-dev",
  "libuv1-dev",
  "libpcap0.8-dev",
  "libpcap0.8t64",
  "libdbus-1-3",
  "libsystemd0",
  "libcap2",
];

interface Cross {
  readonly triplet: string;
  readonly gypArch: string;
  readonly aptPackage: string;
}

/** Debian's cross toolchain for each board architecture (addons here, ICU's data library). */
export const CROSS: Record<string, Cross> = {
  arm64: { triplet: "aarch64-linux-gnu", gypArch: "arm64", aptPackage: "g++-aarch64-linux-gnu" },
  armhf: { triplet: "arm-linux-gnueabihf", gypArch: "arm", aptPackage: "g++-arm-linux-gnueabihf" },
};

export interface AddonOptions {
  readonly arch: "arm64" | "armhf";
  readonly repoRoot: string;
  readonly cache: string;
  readonly repo: DebianRepo;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
}

/** Every file of an npm package's sources, sorted, for the cache key and the build copy. */
function sourceFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    if (name === "build" || name === "node_modules" || name === "prebuilds") continue;
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(join(dir, r)).isDirectory()) out.push(...sourceFiles(dir, r));
    else out.push(r);
  }
  return out;
}

/** npm's own node-gyp: `npm run` names it; else the copy bundled with the running node's npm. */
function nodeGyp(env: Readonly<Record<string, string | undefined>>): string {
  const candidates = [
    env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      "..",
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
  ];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) throw new DebianError("cannot find node-gyp (it comes with npm): install npm");
  return found;
}

/** Runs a build tool; a failure throws with the tail of its output. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv },
  what: string,
): string {
  const r = spawnSync(cmd, args, { ...opts, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.error) throw new DebianError(`${what}: cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-15).join("\n");
    throw new DebianError(`${what} failed:\n${tail}`);
  }
  return r.stdout;
}

/** The cross-compiled addons as files of /netrino/node_modules (built once, then cached). */
export async function crossAddons(opts: AddonOptions): Promise<BundleFile[]> {
  const cross = CROSS[opts.arch];
  const present = CROSS_ADDONS.filter((a) =>
    existsSync(join(opts.repoRoot, "node_modules", a.pkg, "package.json")),
  );
  if (present.length === 0) return [];
  const gxx = `${cross.triplet}-g++`;
  const version = spawnSync(gxx, ["--version"], { encoding: "utf8" });
  if (version.error || version.status !== 0) {
    throw new DebianError(
      `the ${opts.arch} native addons (${present.map((a) => a.pkg).join(", ")}) need the cross compiler ${gxx}: apt-get install ${cross.aptPackage}`,
    );
  }
  const compiler = version.stdout.split("\n")[0];

  const headerPackages = await opts.repo.memo(`packages ${HEADER_PACKAGES.join(" ")}`, async () => {
    const found = [];
    for (const name of HEADER_PACKAGES) {
      const pkg = await opts.repo.find(name);
      if (!pkg)
        throw new DebianError(
          `package ${name} (needed to build addons) is not in ${opts.repo.opts.suite}/${opts.arch}`,
        );
      found.push(pkg);
    }
    return found;
  });
  const headers = [];
  for (const pkg of headerPackages) headers.push({ pkg, tree: await unpackedTree(opts.repo, pkg) });
  const nodeDev = headers[0].tree;
  const libDirs = headers.map((h) => join(h.tree, "usr", "lib", cross.triplet)).filter((d) => existsSync(d));
  const incDirs = headers.map((h) => join(h.tree, "usr", "include")).filter((d) => existsSync(d));

  const out: BundleFile[] = [];
  for (const addon of present) {
    const src = join(opts.repoRoot, "node_modules", addon.pkg);
    const files = sourceFiles(src);
    const key = createHash("sha256");
    key.update(`addon-1\n${opts.arch}\n${compiler}\n`);
    for (const h of headers) key.update(`${h.pkg.name} ${h.pkg.sha256}\n`);
    const nan = join(opts.repoRoot, "node_modules", "nan", "package.json");
    if (existsSync(nan)) key.update(readFileSync(nan));
    for (const f of files) key.update(`${f}\0`).update(readFileSync(join(src, f)));
    const hash = key.digest("hex");
    const cached = join(opts.cache, "addons", `${addon.pkg}-${opts.arch}-${hash.slice(0, 32)}.node`);
    if (!existsSync(cached)) {
      opts.log(`compiling ${addon.pkg} for ${opts.arch} (${gxx})`);
      const dir = join(opts.cache, "addons", "build", hash.slice(0, 16));
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const f of files) cpSync(join(src, f), join(dir, f));
      // One library directory: the -dev packages' `libpcap.so` links into the runtime
      // package's tree, and static archives are left out so the addon links libpcap.so.0.8.
      const libs = join(dir, ".sysroot-lib");
      for (const d of libDirs) {
        cpSync(d, libs, { recursive: true, verbatimSymlinks: true, filter: (f) => !f.endsWith(".a") });
      }
      const flags = [`-ffile-prefix-map=${dir}=.`, ...incDirs.map((d) => `-I${d}`)].join(" ");
      const env: NodeJS.ProcessEnv = {
        PATH: opts.env.PATH ?? process.env.PATH,
        HOME: opts.env.HOME ?? process.env.HOME,
        NODE_PATH: join(opts.repoRoot, "node_modules"),
        SOURCE_DATE_EPOCH: opts.env.SOURCE_DATE_EPOCH,
        CC: `${cross.triplet}-gcc`,
        CXX: gxx,
        LINK: gxx,
        CC_host: "gcc",
        CXX_host: "g++",
        CFLAGS: flags,
        CXXFLAGS: flags,
        LDFLAGS: `-L${libs} -Wl,-rpath-link,${libs}`,
      };
      run(
        process.execPath,
        [
          nodeGyp(opts.env),
          "rebuild",
          `--arch=${cross.gypArch}`,
          `--nodedir=${join(nodeDev, "usr")}`,
          "--jobs=2",
        ],
        { cwd: dir, env },
        `building ${addon.pkg} for ${opts.arch}`,
      );
      const built = join(dir, addon.output);
      run(`${cross.triplet}-strip`, ["--strip-unneeded", built], {}, `stripping ${addon.pkg}`);
      mkdirSync(dirname(cached), { recursive: true });
      writeFileSync(`${cached}.tmp`, readFileSync(built));
      renameSync(`${cached}.tmp`, cached);
      rmSync(dir, { recursive: true, force: true });
    }
    out.push({
      path: `/netrino/node_modules/${addon.pkg}/${addon.output}`,
      data: readFileSync(cached),
      mode: 0o755,
    });
  }
  return out;
}
