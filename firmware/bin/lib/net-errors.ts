// Error reporting of the network utilities. io-pkt replies carry only an errno, so the
// utilities phrase the failure themselves, as BSD tools do (`ifconfig: interface en9 does not
// exist`, `route: writing to routing socket: File exists`).
import { ERRNO, KernelError, strerror } from "../../kernel/errno.ts";
import type { Errno } from "../../kernel/errno.ts";
import type { Stream } from "../../program.ts";
import { runUtility } from "./errors.ts";

/** A failure whose whole text is chosen by the utility (printed as `prog: text`). */
export class NetUtilError extends KernelError {
  constructor(errno: Errno, text: string) {
    super(errno, text);
  }
}

/** Re-throws `e` with `text` when it is a KernelError with errno `errno`. */
export function rephrase(e: unknown, errno: Errno, text: string): never {
  if (e instanceof KernelError && e.errno === errno) throw new NetUtilError(errno, text);
  throw e;
}

/** `subject: strerror` for any errno-shaped error (`socket: No such file or directory`). */
export function withSubject(e: unknown, subject: string): never {
  if (e instanceof KernelError && !(e instanceof NetUtilError)) {
    throw new NetUtilError(e.errno, `${subject}: ${strerror(e.errno)}`);
  }
  throw e;
}

/** The errno of an error from Node's net/http facades (their `code`), EIO when it has none. */
export function nodeErrno(e: NodeJS.ErrnoException): Errno {
  return e.code !== undefined && Object.hasOwn(ERRNO, e.code) ? (e.code as Errno) : "EIO";
}

/** runUtility, printing a NetUtilError's own text instead of strerror. */
export function runNetUtility(
  stderr: Stream,
  prog: string,
  usage: string,
  body: () => Promise<number>,
): Promise<number> {
  return runUtility(stderr, prog, usage, async () => {
    try {
      return await body();
    } catch (e) {
      if (e instanceof NetUtilError) {
        await stderr.write(`${prog}: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  });
}
