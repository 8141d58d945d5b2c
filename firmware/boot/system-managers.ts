// The managers every boot starts before the startup script (what procnto serves on QNX):
// imagefs with the image's files at their target paths, /dev/null, /dev/zero, /dev/random,
// /dev/text (the early console), RAM filesystems on /tmp and /dev/shmem, and pipes.
// Links the image puts under /dev (/dev/console) become path-space links (procmgr_symlink),
// since /dev belongs to the managers rather than to the image.
import type { IfsImage, ImageEntry } from "../../images/image/reader.ts";
import { attachDevNull } from "../fs/dev-null.ts";
import { attachDevRandom } from "../fs/dev-random.ts";
import { attachDevZero } from "../fs/dev-zero.ts";
import { Imagefs, type ImageFile } from "../fs/imagefs.ts";
import { ProcFs } from "../fs/proc.ts";
import { Ramfs } from "../fs/ramfs.ts";
import { attachSlog } from "../fs/slog-manager.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { SLOG_MAJOR, SLOG_SEVERITY } from "../kernel/slog.ts";
import * as C from "../resmgr/io-constants.ts";
import { startPipeManager } from "../resmgr/pipe.ts";
import { startManager } from "../resmgr/start-manager.ts";
import { attachDevText } from "./dev-text.ts";

export interface SystemManagerOptions {
  /** Where /dev/text output goes. */
  console: (bytes: Uint8Array) => void;
  /** Size limit of each RAM filesystem (default 64 MiB). */
  ramBytes?: number;
}

function isDevLink(e: ImageEntry): boolean {
  return e.type === "link" && e.path.startsWith("/dev/");
}

/** The image's directory as imagefs wants it (data inflated, times in milliseconds). */
export function imageFiles(image: IfsImage): ImageFile[] {
  const out: ImageFile[] = [];
  for (const e of image.entries) {
    if (isDevLink(e) || e.type === "fifo") continue;
    const base = { path: e.path, uid: e.uid, gid: e.gid, mtime: e.mtime * 1000 };
    if (e.type === "dir") out.push({ ...base, mode: C.S_IFDIR | e.perms });
    else if (e.type === "link") out.push({ ...base, mode: C.S_IFLNK | 0o777, symlink: e.linkTarget ?? "" });
    else out.push({ ...base, mode: C.S_IFREG | e.perms, data: image.fileData(e) });
  }
  return out;
}

export async function startSystemManagers(
  kernel: Kernel,
  image: IfsImage,
  opts: SystemManagerOptions,
): Promise<void> {
  await startManager(kernel, { name: "procmgr" }, (rm) => {
    new Imagefs(rm, imageFiles(image)).mount();
    // /proc/<pid>/… (pidin, cat /proc/self/status) and the system log as a file.
    new ProcFs(rm).mount();
    attachSlog(rm);
    attachDevNull(rm);
    attachDevZero(rm);
    attachDevRandom(rm);
    attachDevText(rm, opts.console);
  });
  await startManager(kernel, { name: "ramfs" }, (rm) => {
    for (const path of ["/dev/shmem", "/tmp"]) {
      new Ramfs(rm, { maxBytes: opts.ramBytes }).mount(path);
    }
  });
  await startPipeManager(kernel);
  for (const e of image.entries) {
    if (!isDevLink(e) || !e.linkTarget) continue;
    try {
      kernel.paths.symlink(e.linkTarget, e.path);
    } catch (err) {
      kernel.slog.log(SLOG_MAJOR.BOOT, 0, SLOG_SEVERITY.WARNING, `link ${e.path}: ${String(err)}`);
    }
  }
}
