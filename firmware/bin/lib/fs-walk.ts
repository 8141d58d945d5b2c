// File-system operations shared by cp, mv and rm, built on the FsClient so they work across
// managers (ramfs, imagefs, host passthrough). Each returns the errors instead of throwing,
// so that one bad file does not stop the rest, as BSD tools behave.
import { KernelError } from "../../kernel/errno.ts";
import type { FsClient } from "../../program.ts";
import { isDirMode, S_IFLNK, S_IFMT } from "./file-mode.ts";
import { basename, joinPath } from "./paths.ts";

export interface WalkError {
  path: string;
  error: unknown;
}

/** `dst` itself, or `dst/basename(src)` when dst is an existing directory. */
export async function destinationFor(fs: FsClient, src: string, dst: string): Promise<string> {
  const st = await fs.stat(dst).catch(() => null);
  return st && isDirMode(st.mode) ? joinPath(dst, basename(src)) : dst;
}

/** Whether `inner` is `outer` or lies below it (cp -r a a/b would never end). */
export function isInside(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith("/") ? outer : `${outer}/`);
}

const CHUNK = 64 * 1024;

/** Copies one regular file's bytes, creating or truncating `dst` with `mode`'s permission bits. */
export async function copyFile(fs: FsClient, src: string, dst: string, mode: number): Promise<void> {
  const input = await fs.open(src, "r");
  try {
    const output = await fs.open(dst, "w", mode & 0o7777);
    try {
      while (true) {
        const chunk = await input.read(CHUNK);
        if (chunk.length === 0) break;
        await output.write(chunk);
      }
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

/** cp -R: files, directories (created with the source's mode) and symlinks (recreated). */
export async function copyTree(fs: FsClient, src: string, dst: string, errors: WalkError[]): Promise<void> {
  let st;
  try {
    st = await fs.lstat(src);
  } catch (e) {
    errors.push({ path: src, error: e });
    return;
  }
  try {
    if ((st.mode & S_IFMT) === S_IFLNK) {
      await fs.symlink(await fs.readlink(src), dst);
      return;
    }
    if (!isDirMode(st.mode)) {
      await copyFile(fs, src, dst, st.mode);
      return;
    }
    const existing = await fs.stat(dst).catch(() => null);
    if (existing && !isDirMode(existing.mode)) throw new KernelError("ENOTDIR");
    if (!existing) await fs.mkdir(dst, { mode: st.mode & 0o7777 });
  } catch (e) {
    errors.push({ path: dst, error: e });
    return;
  }
  let names: string[];
  try {
    names = await fs.readdir(src);
  } catch (e) {
    errors.push({ path: src, error: e });
    return;
  }
  for (const name of names) {
    if (name === "." || name === "..") continue;
    await copyTree(fs, joinPath(src, name), joinPath(dst, name), errors);
  }
}

/** rm -r: depth first; a directory is removed once its entries are gone. */
export async function removeTree(fs: FsClient, path: string, errors: WalkError[]): Promise<void> {
  let st;
  try {
    st = await fs.lstat(path);
  } catch (e) {
    errors.push({ path, error: e });
    return;
  }
  if (!isDirMode(st.mode)) {
    try {
      await fs.unlink(path);
    } catch (e) {
      errors.push({ path, error: e });
    }
    return;
  }
  let names: string[] = [];
  try {
    names = await fs.readdir(path);
  } catch (e) {
    errors.push({ path, error: e });
  }
  const before = errors.length;
  for (const name of names) {
    if (name === "." || name === "..") continue;
    await removeTree(fs, joinPath(path, name), errors);
  }
  if (errors.length > before) return; // not empty: the child's error says why
  try {
    await fs.rmdir(path);
  } catch (e) {
    errors.push({ path, error: e });
  }
}
