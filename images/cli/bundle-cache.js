// The runtime, bundled: `netrino` loads images/cli/main.ts and everything it imports from one
// esbuild bundle cached under node_modules/.cache/netrino/, instead of transforming ~250
// TypeScript files through tsx on every start. Lazy imports (the built-in program table)
// stay lazy: they become separate chunks (`splitting`). The cache is keyed by the size and
// mtime of every source file, so an edit rebuilds it on the next start. Plain JavaScript:
// it runs before any TypeScript loader exists.
import { createHash } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Directories whose files can end up in the runtime (tsconfig's source roots, minus tests). */
const SOURCE_DIRS = ["firmware", "hal", "images", "boards"];
const SOURCE_FILE = /\.(?:[cm]?ts|[cm]?js|json)$/;
/** Not sources: build output. */
const SKIP_DIRS = new Set(["node_modules", "out"]);
/** Bump when the bundle's shape changes, so old caches are not used. */
const FORMAT = "1";
/**
 * A runtime loads lazy chunks from its bundle as long as it runs, so bundles of other keys are
 * removed only when no start has used them for this long (each start touches its bundle).
 */
const PRUNE_AFTER_MS = 24 * 60 * 60 * 1000;

/** `NETRINO_TRACE_BOOT=1`: one stderr line per step, milliseconds since the process started. */
export function trace(env, text) {
  if (env.NETRINO_TRACE_BOOT) process.stderr.write(`[${performance.now().toFixed(1)} ms] ${text}\n`);
}

function listSources(root, dir, out) {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const rel = dir + "/" + e.name;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) listSources(root, rel, out);
    } else if (SOURCE_FILE.test(e.name)) {
      out.push(rel);
    }
  }
}

function esbuildVersion(root) {
  try {
    return JSON.parse(readFileSync(join(root, "node_modules", "esbuild", "package.json"), "utf8")).version;
  } catch {
    return "none";
  }
}

/** Hash of every source file's path, size and mtime (and of what builds the bundle). */
export function sourceKey(root = REPO_ROOT) {
  const files = [];
  for (const d of SOURCE_DIRS) listSources(root, d, files);
  files.sort();
  const h = createHash("sha256");
  h.update(`format ${FORMAT}\nesbuild ${esbuildVersion(root)}\n`);
  for (const f of files) {
    const st = statSync(join(root, f), { throwIfNoEntry: false });
    if (st) h.update(`${f} ${st.size} ${st.mtimeMs}\n`);
  }
  return h.digest("hex").slice(0, 16);
}

export function cacheDir(root = REPO_ROOT) {
  return join(root, "node_modules", ".cache", "netrino", "runtime");
}

/**
 * esbuild plugin: `import.meta.url`, `.dirname` and `.filename` keep meaning the source file
 * (paths.ts finds the repository from it), not the bundle in the cache.
 */
function keepImportMeta(root) {
  return {
    name: "netrino-import-meta",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[tj]s$/ }, (args) => {
        if (relative(root, args.path).startsWith("node_modules")) return undefined;
        const source = readFileSync(args.path, "utf8");
        if (!source.includes("import.meta")) return undefined;
        const contents = source
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path)))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path));
        return { contents, loader: /\.[cm]?ts$/.test(args.path) ? "ts" : "js" };
      });
    },
  };
}

/** Bundles main.ts into `outdir` (ESM, code splitting, npm packages left as imports). */
export async function buildBundle(root, outdir) {
  const { build } = await import("esbuild");
  await build({
    entryPoints: { main: join(root, "images", "cli", "main.ts") },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    chunkNames: "chunks/[name]-[hash]",
    logLevel: "silent",
    absWorkingDir: root,
    plugins: [keepImportMeta(root)],
  });
}

/** Marks a bundle as used now (pruning goes by its mtime). */
function touch(path) {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // a read-only cache is still usable
  }
}

/** Removes bundles of other keys that nobody can still be using. */
function prune(dir, keep, now) {
  for (const name of readdirSync(dir)) {
    if (name === keep) continue;
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st && now - st.mtimeMs > PRUNE_AFTER_MS) rmSync(p, { recursive: true, force: true });
  }
}

/**
 * The URL of the bundled main.js, built first if the sources changed; null when it cannot be
 * built (esbuild missing or failing): the caller falls back to tsx. A failed key is remembered
 * so the next start does not try again until a source file changes.
 */
export async function bundledMainUrl(env = process.env, root = REPO_ROOT) {
  const dir = cacheDir(root);
  const key = sourceKey(root);
  const target = join(dir, key);
  const mainJs = join(target, "main.js");
  trace(env, `bundle key ${key}`);
  if (statSync(mainJs, { throwIfNoEntry: false })) {
    touch(target);
    return pathToFileURL(mainJs).href;
  }
  const failed = join(dir, `${key}.failed`);
  if (statSync(failed, { throwIfNoEntry: false })) {
    trace(env, `bundle ${key} failed before; using tsx`);
    return null;
  }
  // Build beside the target and rename: other starts may be building the same key right now.
  const tmp = join(dir, `tmp-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(dir, { recursive: true });
    await buildBundle(root, tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    trace(env, `bundle failed: ${e instanceof Error ? e.message : String(e)}`);
    try {
      writeFileSync(failed, e instanceof Error ? e.message : String(e));
    } catch {
      // a read-only checkout: try again next time
    }
    return null;
  }
  try {
    renameSync(tmp, target);
  } catch {
    // Someone else renamed theirs first: theirs is the same bundle.
    rmSync(tmp, { recursive: true, force: true });
  }
  trace(env, `bundle ${key} built`);
  try {
    prune(dir, key, Date.now());
  } catch {
    // pruning is housekeeping only
  }
  return statSync(mainJs, { throwIfNoEntry: false }) ? pathToFileURL(mainJs).href : null;
}
