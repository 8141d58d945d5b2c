// Where the repository's directories are, seen from this file.
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const IMAGE_OUT_DIR = join(REPO_ROOT, "images", "out");

/** `buildfiles/host.build` → `images/out/host.ifs`. */
export function defaultImagePath(buildfile: string): string {
  const name = basename(buildfile, extname(buildfile)) || "image";
  return join(IMAGE_OUT_DIR, `${name}.ifs`);
}

/** `buildfiles/rpi4.build` → `images/out/rpi4.img` (an SD-card image). */
export function defaultCardPath(buildfile: string): string {
  const name = basename(buildfile, extname(buildfile)) || "image";
  return join(IMAGE_OUT_DIR, `${name}.img`);
}
