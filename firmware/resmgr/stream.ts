// A program's stdin/stdout/stderr: a Stream (firmware/program.ts) over a descriptor, with
// line buffering for readLine and, on a terminal, TtyControl through devctl.
import { KernelError } from "../kernel/errno.ts";
import type { Thread } from "../kernel/thread.ts";
import type { Stream, Termios, TtyControl } from "../program.ts";
import * as client from "./client.ts";
import {
  DCMD_CHR_GETSIZE,
  DCMD_CHR_TCGETATTR,
  DCMD_CHR_TCGETPGRP,
  DCMD_CHR_TCSETATTR,
  DCMD_CHR_TCSETPGRP,
  TERMIOS_SIZE,
  WINSIZE_SIZE,
  decodeInt32,
  decodeTermios,
  decodeWinsize,
  encodeInt32,
  encodeTermios,
} from "./devctl-codes.ts";
import type { Runner } from "./fs-client.ts";

const enc = new TextEncoder();
const READ_CHUNK = 4096;

/** Is `fd` a terminal? (Its manager answers DCMD_CHR_TCGETATTR, as isatty() asks on QNX.) */
export async function isatty(t: Thread, fd: number): Promise<boolean> {
  const e = t.process.fds.get(fd);
  if (!e || e.coid < 0) return false;
  try {
    await client.devctl(t, fd, DCMD_CHR_TCGETATTR, new Uint8Array(0), TERMIOS_SIZE);
    return true;
  } catch {
    return false;
  }
}

export function ttyControl(on: Runner, fd: number): TtyControl {
  const ctl = (cmd: number, data: Uint8Array, replyMax: number) =>
    on(async (t) => (await client.devctl(t, fd, cmd, data, replyMax)).data);
  return {
    getAttr: async () => decodeTermios(await ctl(DCMD_CHR_TCGETATTR, new Uint8Array(0), TERMIOS_SIZE)),
    setAttr: async (partial: Partial<Termios>) => {
      const cur = decodeTermios(await ctl(DCMD_CHR_TCGETATTR, new Uint8Array(0), TERMIOS_SIZE));
      await ctl(DCMD_CHR_TCSETATTR, encodeTermios({ ...cur, ...partial }), 0);
    },
    setForegroundPgid: async (pgid) => {
      await ctl(DCMD_CHR_TCSETPGRP, encodeInt32(pgid), 0);
    },
    getForegroundPgid: async () => decodeInt32(await ctl(DCMD_CHR_TCGETPGRP, new Uint8Array(0), 4)),
    getSize: async () => decodeWinsize(await ctl(DCMD_CHR_GETSIZE, new Uint8Array(0), WINSIZE_SIZE)),
  };
}

export function makeStream(on: Runner, fd: number, tty: boolean): Stream {
  let pending: Uint8Array = new Uint8Array(0);
  let eof = false;
  // Calls on one stream run one after the other, in the order they were made.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn, fn);
    chain = p.catch(() => undefined);
    return p;
  };
  const fill = async (): Promise<boolean> => {
    if (eof) return false;
    const chunk = await on((t) => client.read(t, fd, READ_CHUNK));
    if (chunk.byteLength === 0) {
      eof = !tty; // a terminal's EOF (Ctrl-D) is for this read only
      return false;
    }
    const joined = new Uint8Array(pending.byteLength + chunk.byteLength);
    joined.set(pending);
    joined.set(chunk, pending.byteLength);
    pending = joined;
    return true;
  };
  const stream: Stream = {
    fd,
    isatty: tty,
    write: (data) =>
      serial(async () => {
        const bytes = typeof data === "string" ? enc.encode(data) : data;
        if (bytes.byteLength === 0) return;
        const n = await on((t) => client.write(t, fd, bytes));
        if (n < bytes.byteLength) throw new KernelError("EIO", "short write");
      }),
    read: (max = 65536) =>
      serial(async () => {
        if (pending.byteLength === 0 && !(await fill())) return null;
        const out = pending.subarray(0, max);
        pending = pending.subarray(out.byteLength);
        return out;
      }),
    readLine: () =>
      serial(async () => {
        for (;;) {
          const nl = pending.indexOf(10);
          if (nl >= 0) {
            const line = new TextDecoder().decode(pending.subarray(0, nl));
            pending = pending.subarray(nl + 1);
            return line.endsWith("\r") ? line.slice(0, -1) : line;
          }
          if (!(await fill())) {
            if (pending.byteLength === 0) return null;
            const rest = new TextDecoder().decode(pending);
            pending = new Uint8Array(0);
            return rest;
          }
        }
      }),
  };
  if (tty) stream.tty = ttyControl(on, fd);
  return stream;
}
