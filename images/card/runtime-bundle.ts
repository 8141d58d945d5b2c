// The runtime as the board runs it: firmware/boot/board-init.ts and everything it imports in
// one esbuild bundle (ESM, lazy chunks kept lazy). npm packages with native addons stay
// outside the bundle and are copied with their cross-platform prebuilds (nativePackages);
// esbuild itself (only used to build buildfiles, which a board never does) is replaced by a
// module that says so.
import { build, type Plugin } from "esbuild";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { pathToFileURL } from "node:url";

/** Packages loaded at run time from /netrino/node_modules (they hold .node addons). */
export const NATIVE_PACKAGES = ["serialport", "pcap", "onoff"];

export interface BundleFile {
  readonly path: string;
  readonly data: Uint8Array;
  readonly mode: number;
}

const NO_ESBUILD = `export function build() { throw new Error("buildfiles are built on a host: netrino build"); }`;

function boardPlugin(root: string): Plugin {
  return {
    name: "netrino-board",
    setup(b) {
      b.onResolve({ filter: /^esbuild$/ }, () => ({ path: "esbuild", namespace: "netrino-stub" }));
      b.onLoad({ filter: /.*/, namespace: "netrino-stub" }, () => ({ contents: NO_ESBUILD, loader: "js" }));
      // Source paths in import.meta would name this machine: the board has its own layout.
      b.onLoad({ filter: /\.[cm]?[tj]s$/ }, (args) => {
        if (relative(root, args.path).startsWith("node_modules")) return undefined;
        const source = readFileSync(args.path, "utf8");
        if (!source.includes("import.meta")) return undefined;
        const rel = relative(root, args.path);
        const contents = source
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(join("/netrino/src", rel)).href))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(join("/netrino/src", rel, "..")))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(join("/netrino/src", rel)));
        return { contents, loader: /\.[cm]?ts$/.test(args.path) ? "ts" : "js" };
      });
    },
  };
}

/** The bundle's files, relative to /netrino/runtime (entry: board-init.js). */
export async function bundleRuntime(root: string): Promise<BundleFile[]> {
  const result = await build({
    // devnp-pcap's capture process is an entry of its own (hal/eth/pcap-worker.ts captureArgs).
    entryPoints: {
      "board-init": join(root, "firmware", "boot", "board-init.ts"),
      "pcap-capture": join(root, "hal", "eth", "pcap-capture.ts"),
    },
    define: { NETRINO_PCAP_CAPTURE_JS: JSON.stringify("/netrino/runtime/pcap-capture.js") },
    outdir: "/netrino/runtime",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    external: NATIVE_PACKAGES.flatMap((p) => [p, `${p}/*`]),
    chunkNames: "chunks/[name]-[hash]",
    legalComments: "none",
    logLevel: "silent",
    absWorkingDir: root,
    plugins: [boardPlugin(root)],
  });
  return result.outputFiles
    .map((f) => ({ path: f.path, data: f.contents, mode: 0o644 }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Packages that only serve a build (C++ headers, type declarations): dependencies of the
 * native packages that nothing loads at run time.
 */
export const BUILD_ONLY_PACKAGES = /^(?:nan|node-addon-api|@types\/.*|undici-types)$/;
/**
 * Directories of a package a board never reads: tests, examples, docs (not `src`: `debug`
 * keeps its code there; native sources go by SKIP_FILES).
 */
const SKIP_DIRS = new Set([
  "build",
  "node_modules",
  "test",
  "spec",
  "integration-test",
  "example",
  "examples",
  "doc",
  "docs",
  ".github",
]);
/** Files a board never reads: docs, type declarations, source maps, C++ sources, pictures. */
export const SKIP_FILES = /(?:\.md|\.d\.ts|\.map|\.cc|\.cpp|\.h|\.gyp|\.png)$/;

/**
 * The native packages and their run-time dependencies from node_modules, without host build
 * output (build/ holds addons compiled for this machine; node-gyp-build would prefer them) and
 * with only the prebuilt addons for the board's platform (`linux-arm64`, `linux-arm`).
 */
export function nativePackageFiles(root: string, platform: string): BundleFile[] {
  const out: BundleFile[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name) || BUILD_ONLY_PACKAGES.test(name)) return;
    const dir = join(root, "node_modules", name);
    if (!existsSync(join(dir, "package.json"))) return; // optional dependency not installed
    seen.add(name);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    walk(dir, `/netrino/node_modules/${name}`);
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  const walk = (dir: string, target: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry);
      const st = statSync(p);
      if (st.isDirectory()) {
        const otherPlatform = basename(dir) === "prebuilds" && entry !== platform;
        if (!SKIP_DIRS.has(entry) && !otherPlatform) walk(p, `${target}/${entry}`);
      } else if (st.isFile() && !SKIP_FILES.test(entry))
        out.push({ path: `${target}/${entry}`, data: readFileSync(p), mode: 0o644 });
    }
  };
  for (const p of NATIVE_PACKAGES) visit(p);
  return out;
}
