// `netrino boot FILE`: boots a buildfile (built in memory) or an image on this machine, with
// the host process as the board. The console is whatever the buildfile's devc-ser opens
// (the host terminal for `npm start`); before that, /dev/text writes to the host's stdout.
// The runtime ends on `shutdown`, on SIGTERM/SIGINT/SIGHUP of the host process, or when the
// console session's shell exits; the terminal is restored and the exit status returned.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { formatDiagnostics, summary } from "../../images/buildfile/report.ts";
import { buildImage } from "../../images/image/build.ts";
import { isImage, readImage, type IfsImage } from "../../images/image/reader.ts";
import { undoHostOnlcr } from "../../hal/uart/terminal-uart.ts";
import { Kernel } from "../kernel/kernel.ts";
import { SIGNALS } from "../kernel/signals.ts";
import { SLOG_MAJOR, SLOG_SEVERITY } from "../kernel/slog.ts";
import { boot } from "./boot.ts";

export interface HostBootOptions {
  file: string;
  /** `-D NAME=VALUE` for `${NAME}` in a buildfile. */
  defines?: Record<string, string>;
  /** Environment for `${NAME}` substitution (default: the host's). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * "terminal" (default): early output on the host terminal. `{ uartPath }`: the console is a
   * host serial device, offered to the buildfile as `${CONSOLE_DEVICE}` with
   * `${CONSOLE_BACKEND}` = serial (devc-ser's -t).
   */
  console?: "terminal" | { uartPath: string };
  /** Node name (hostname) of the runtime (default "localhost"). */
  nodeName?: string;
}

const HOST_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
/** After the runtime is down, host handles (a UDP socket, stdin) may not keep Node alive. */
const EXIT_GRACE_MS = 300;

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Reads an image, or builds the buildfile in memory (printing its diagnostics). */
export async function loadBootImage(
  opts: HostBootOptions,
  stderr: (s: string) => void,
): Promise<IfsImage | null> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(opts.file);
  } catch (e) {
    stderr(`netrino boot: ${opts.file}: ${errText(e)}\n`);
    return null;
  }
  if (isImage(bytes)) {
    try {
      return readImage(bytes, opts.file);
    } catch (e) {
      stderr(`netrino boot: ${errText(e)}\n`);
      return null;
    }
  }
  const defines = { ...opts.defines };
  if (typeof opts.console === "object") {
    defines.CONSOLE_DEVICE ??= opts.console.uartPath;
    defines.CONSOLE_BACKEND ??= "serial";
  }
  const env = (opts.env ?? process.env) as Record<string, string | undefined>;
  const cleanEnv = Object.fromEntries(
    Object.entries(env).filter((kv): kv is [string, string] => kv[1] !== undefined),
  );
  const result = await buildImage(opts.file, { defines, env: cleanEnv });
  const shownFile = relative(process.cwd(), opts.file) || opts.file;
  if (result.diagnostics.length > 0) {
    const source = new TextDecoder().decode(bytes);
    stderr(
      formatDiagnostics(
        result.diagnostics.map((d) => ({ ...d, pos: { ...d.pos, file: shownFile } })),
        source,
      ),
    );
  }
  if (!result.image) {
    stderr(`netrino boot: ${shownFile}: ${summary(result.diagnostics)}\n`);
    return null;
  }
  return readImage(result.image, opts.file);
}

/**
 * Writes to the host's stdout as is: a host terminal maps NL to CR NL itself (ONLCR), in raw
 * mode too (Node keeps it on), so a CR NL is handed over as NL, as the terminal console does.
 */
function hostConsole(bytes: Uint8Array): void {
  process.stdout.write(process.stdout.isTTY ? undoHostOnlcr(bytes) : bytes);
}

export async function bootHost(opts: HostBootOptions): Promise<number> {
  const stderr = (s: string): void => void process.stderr.write(s);
  const image = await loadBootImage(opts, stderr);
  if (!image) return 1;
  const kernel = new Kernel({ nodeName: opts.nodeName ?? "localhost" });
  const log = (sev: number, text: string): void => {
    kernel.slog.log(SLOG_MAJOR.BOOT, 0, sev, text);
  };

  // A bug in one program must not take the whole runtime down: log it and go on.
  const onCrash = (e: unknown): void =>
    log(SLOG_SEVERITY.ERROR, `uncaught: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);

  let status = 0;
  let stopping = false;
  const stop = (why: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    status = code;
    log(SLOG_SEVERITY.NOTICE, `shutting down: ${why}`);
    void kernel.shutdown();
  };
  const signalHandlers = HOST_SIGNALS.map((sig) => {
    const h = (): void => stop(`host ${sig}`, 128 + SIGNALS[sig]);
    process.on(sig, h);
    return [sig, h] as const;
  });
  // The `shutdown` utility calls kernel.shutdown() itself: notice it the same way.
  const down = new Promise<void>((resolve) => {
    kernel.onShutdown(() => {
      stopping = true;
      const poll = (): void => {
        if (kernel.isDown) resolve();
        else setTimeout(poll, 10);
      };
      poll();
    });
  });

  try {
    const system = await boot({ kernel, image, console: hostConsole });
    void system.script.then(async (r) => {
      // The console session ended (`exit` in the shell): nothing is left to talk to.
      if (!r.sessionLeader) return;
      const code = await r.sessionLeader.wait();
      stop("console session ended", code);
    });
  } catch (e) {
    stderr(`netrino boot: ${errText(e)}\n`);
    stop("boot failed", 1);
  }
  await down;

  for (const [sig, h] of signalHandlers) process.off(sig, h);
  process.off("uncaughtException", onCrash);
  process.off("unhandledRejection", onCrash);
  if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
  process.stdin.pause();
  setTimeout(() => process.exit(status), EXIT_GRACE_MS).unref();
  return status;
}
