// What the card's initramfs leaves out to stay small, and that what it keeps still runs: the
// native npm packages come with their run-time code (every package's `main` resolves, so
// `require` works on the board) but without build-only packages (C++ headers, type
// declarations), docs, tests, examples or other platforms' prebuilt addons; the Debian trees
// lose type declarations, docs and the libraries nothing links.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { DROP } from "../../../images/card/rootfs.ts";
import { NATIVE_PACKAGES, nativePackageFiles } from "../../../images/card/runtime-bundle.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");

describe("native packages on the card", () => {
  for (const platform of ["linux-arm64", "linux-arm"]) {
    it(`${platform}: run-time files only, every package's main present`, () => {
      const files = nativePackageFiles(ROOT, platform);
      const paths = new Set(files.map((f) => f.path));
      const packages = new Map<string, string>();
      for (const f of files) {
        const m = /^\/netrino\/node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(f.path);
        if (m) packages.set(m[1], f.path);
      }
      for (const p of NATIVE_PACKAGES) expect([...packages.keys()]).toContain(p);
      expect([...packages.keys()]).toContain("debug");
      for (const [name, pj] of packages) {
        const json = JSON.parse(readFileSync(join(ROOT, pj.replace("/netrino/", "")), "utf8")) as {
          main?: string;
        };
        const main = join(`/netrino/node_modules/${name}`, json.main ?? "index.js");
        const found = [main, `${main}.js`, join(main, "index.js")].some((c) => paths.has(c));
        expect(found, `${name}: main ${main}`).toBe(true);
      }
      const other = platform === "linux-arm64" ? "linux-arm/" : "linux-arm64/";
      for (const path of paths) {
        expect(path).not.toMatch(/\/node_modules\/(?:nan|node-addon-api|@types\/node|undici-types)\//);
        expect(path).not.toMatch(/\.(?:md|d\.ts|map|cc|cpp|h|png)$/);
        expect(path).not.toMatch(/\/(?:examples?|spec|integration-test|docs?)\//);
        expect(path).not.toMatch(/\/prebuilds\/(?:win32|darwin|android|linux-x64)/);
        expect(path).not.toContain(`/prebuilds/${other}`);
      }
      expect([...paths].some((p) => p.includes(`/prebuilds/${platform}/`))).toBe(true);
    });
  }
});

describe("Debian files left out of the initramfs", () => {
  it("drops type declarations, docs and unlinked libraries, keeps what node loads", () => {
    for (const gone of [
      "/usr/share/nodejs/@types/node/fs.d.ts",
      "/usr/share/nodejs/undici/README.md",
      "/usr/lib/aarch64-linux-gnu/libicutu.so.76.1",
      "/usr/lib/arm-linux-gnueabihf/libicuio.so.76",
      "/usr/lib/aarch64-linux-gnu/libc_malloc_debug.so.0",
      "/usr/lib/aarch64-linux-gnu/engines-3/afalg.so",
      "/usr/lib/aarch64-linux-gnu/gconv/UTF-16.so",
    ])
      expect(DROP.test(gone), gone).toBe(true);
    for (const kept of [
      "/usr/bin/node",
      "/usr/lib/aarch64-linux-gnu/libnode.so.115",
      "/usr/lib/aarch64-linux-gnu/libicuuc.so.76.1",
      "/usr/lib/aarch64-linux-gnu/libicudata.so.76.1",
      "/usr/lib/aarch64-linux-gnu/libicui18n.so.76",
      "/usr/lib/arm-linux-gnueabihf/libc.so.6",
      "/usr/lib/aarch64-linux-gnu/libpcap.so.0.8",
      "/usr/lib/aarch64-linux-gnu/ossl-modules/legacy.so",
      "/usr/share/nodejs/acorn/dist/acorn.js",
      "/usr/share/nodejs/undici/undici-fetch.js",
    ])
      expect(DROP.test(kept), kept).toBe(false);
  });
});
