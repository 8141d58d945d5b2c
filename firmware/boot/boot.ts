// Boots a runtime from an image: the system managers (imagefs, /dev nodes, RAM filesystems,
// pipes), then the startup script in its own process ("startup", pid 2 on a fresh kernel)
// with /dev/text as stdio until `reopen` gives it a terminal. Commands are started with the
// runtime's exec (PATH search, `#!builtin`, bundled programs).
import type { IfsImage } from "../../images/image/reader.ts";
import { KernelError } from "../kernel/errno.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { Process } from "../kernel/process.ts";
import { SLOG_MAJOR, SLOG_SEVERITY } from "../kernel/slog.ts";
import type { Thread } from "../kernel/thread.ts";
import { exec } from "../exec.ts";
import * as client from "../resmgr/client.ts";
import * as C from "../resmgr/io-constants.ts";
import { DEV_TEXT } from "./dev-text.ts";
import {
  runStartupScript,
  type ScriptExecOptions,
  type ScriptResult,
  type ScriptRuntime,
} from "./startup-script.ts";
import { startSystemManagers } from "./system-managers.ts";

export interface BootOptions {
  kernel: Kernel;
  image: IfsImage;
  /** Where the early console (/dev/text) writes. */
  console: (bytes: Uint8Array) => void;
  /** Environment the script starts with. */
  env?: Record<string, string>;
}

export interface BootedSystem {
  /** The startup-script process. */
  startup: Process;
  /** Settles when the script has run its last line. */
  script: Promise<ScriptResult>;
}

export const DEFAULT_BOOT_ENV: Readonly<Record<string, string>> = {
  PATH: "/proc/boot:/bin:/usr/bin",
  HOME: "/",
};

const enc = new TextEncoder();

async function openStdio(t: Thread, path: string): Promise<void> {
  const fd = await client.open(t, path, C.O_RDWR);
  for (const std of [0, 1, 2]) if (fd !== std) await client.dup2(t, fd, std);
  if (fd > 2) await client.close(t, fd);
}

function scriptRuntime(kernel: Kernel, t: Thread): ScriptRuntime {
  return {
    now: () => kernel.clock.now(),
    sleep: (ms) => t.sleep(ms),
    write: async (fd, text) => {
      await client.write(t, fd, enc.encode(text));
    },
    stat: async (path) => {
      await client.stat(t, path);
    },
    reopen: (path) => openStdio(t, path),
    symlink: (target, path) => kernel.paths.symlink(target, path),
    exec: async (argv, opts: ScriptExecOptions) => {
      const p = await exec(kernel, t, argv[0], [...argv], {
        env: opts.env,
        priority: opts.priority,
        argv0: opts.argv0,
        session: opts.session,
      });
      return p;
    },
  };
}

export async function boot(opts: BootOptions): Promise<BootedSystem> {
  const { kernel, image } = opts;
  kernel.slog.log(
    SLOG_MAJOR.BOOT,
    0,
    SLOG_SEVERITY.INFO,
    `booting image ${image.header.buildId} (board ${image.header.board})`,
  );
  await startSystemManagers(kernel, image, { console: opts.console });
  let settle!: { resolve: (r: ScriptResult) => void; reject: (e: unknown) => void };
  const script = new Promise<ScriptResult>((resolve, reject) => (settle = { resolve, reject }));
  // NETRINO_BOARD: drivers (gpio-manager) find the board's facts in boards/ by this name.
  const env = { ...DEFAULT_BOOT_ENV, NETRINO_BOARD: image.header.board, ...opts.env };
  const startup = kernel.spawn({
    name: "startup",
    argv: ["startup"],
    env,
    cwd: "/",
    uid: 0,
    gid: 0,
    main: async (t) => {
      try {
        await openStdio(t, DEV_TEXT);
        const r = await runStartupScript(scriptRuntime(kernel, t), image.script, env);
        settle.resolve(r);
      } catch (e) {
        settle.reject(e instanceof KernelError ? e : new KernelError("EIO", String(e)));
        return 1;
      }
      return 0;
    },
  });
  void startup.wait().then(() => settle.resolve({ started: [], sessionLeader: null }));
  return { startup, script };
}
