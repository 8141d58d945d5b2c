// devctl() command numbers for terminals (names as QNX's <sys/dcmd_chr.h>) and the
// encodings of their data. Numbers are built like QNX's __DIOF/__DIOT macros: direction bits,
// the data size, the command class and the command. devc-ser and the console implement them.
import bin from "typed-binary";
import type { Termios } from "../program.ts";
import { KernelError } from "../kernel/errno.ts";
import { decodeWith, encodeWith } from "./messages.ts";

export const DEVDIR_NONE = 0x00000000;
export const DEVDIR_TO = 0x80000000; // data goes to the driver
export const DEVDIR_FROM = 0x40000000; // data comes back from the driver
export const DEVDIR_TOFROM = DEVDIR_TO | DEVDIR_FROM;

/** The command class of character devices (_DCMD_CHR). */
export const DCMD_CHR_CLASS = 0x0300;

function dcmd(dir: number, cls: number, cmd: number, size: number): number {
  return (dir | ((size & 0x3fff) << 16) | cls | cmd) >>> 0;
}

/** The size of a devctl's data, from its number. */
export function dcmdSize(cmd: number): number {
  return (cmd >>> 16) & 0x3fff;
}

export const TERMIOS_SIZE = 16;
export const WINSIZE_SIZE = 4;

export const DCMD_CHR_TCGETATTR = dcmd(DEVDIR_FROM, DCMD_CHR_CLASS, 1, TERMIOS_SIZE);
export const DCMD_CHR_TCSETATTR = dcmd(DEVDIR_TO, DCMD_CHR_CLASS, 2, TERMIOS_SIZE);
export const DCMD_CHR_TCGETPGRP = dcmd(DEVDIR_FROM, DCMD_CHR_CLASS, 14, 4);
export const DCMD_CHR_TCSETPGRP = dcmd(DEVDIR_TO, DCMD_CHR_CLASS, 15, 4);
export const DCMD_CHR_GETSIZE = dcmd(DEVDIR_FROM, DCMD_CHR_CLASS, 18, WINSIZE_SIZE);
export const DCMD_CHR_SETSIZE = dcmd(DEVDIR_TO, DCMD_CHR_CLASS, 19, WINSIZE_SIZE);
/** Modem/line control (DTR, RTS, break): an i32 of _SERCTL_* bits. */
export const DCMD_CHR_SERCTL = dcmd(DEVDIR_TO, DCMD_CHR_CLASS, 20, 4);
/** Bytes waiting to be read (FIONREAD). */
export const DCMD_CHR_ISCHARS = dcmd(DEVDIR_FROM, DCMD_CHR_CLASS, 21, 4);

export const SERCTL_DTR_CHG = 0x01;
export const SERCTL_DTR = 0x02;
export const SERCTL_RTS_CHG = 0x04;
export const SERCTL_RTS = 0x08;
export const SERCTL_BRK_CHG = 0x10;
export const SERCTL_BRK = 0x20;

/** termios flag bits in the wire encoding. */
const F_ICANON = 0x01;
const F_ECHO = 0x02;
const F_ISIG = 0x04;
const F_ICRNL = 0x08;
const F_ONLCR = 0x10;
const F_CSTOPB = 0x20;
const F_CRTSCTS = 0x40;
const F_IXON = 0x80;

export const TermiosSchema = bin.object({
  flags: bin.u32,
  verase: bin.u8,
  vkill: bin.u8,
  vintr: bin.u8,
  vsusp: bin.u8,
  veof: bin.u8,
  vquit: bin.u8,
  csize: bin.u8,
  parity: bin.u8, // 0 none, 1 even, 2 odd
  baud: bin.u32,
});
export const WinsizeSchema = bin.object({ rows: bin.u16, cols: bin.u16 });
const Int32Schema = bin.object({ value: bin.i32 });

const PARITY = ["none", "even", "odd"] as const;

export function encodeTermios(t: Termios): Uint8Array {
  const flags =
    (t.icanon ? F_ICANON : 0) |
    (t.echo ? F_ECHO : 0) |
    (t.isig ? F_ISIG : 0) |
    (t.icrnl ? F_ICRNL : 0) |
    (t.onlcr ? F_ONLCR : 0) |
    (t.cstopb ? F_CSTOPB : 0) |
    (t.crtscts ? F_CRTSCTS : 0) |
    (t.ixon ? F_IXON : 0);
  return encodeWith(TermiosSchema, {
    flags,
    verase: t.verase & 0xff,
    vkill: t.vkill & 0xff,
    vintr: t.vintr & 0xff,
    vsusp: t.vsusp & 0xff,
    veof: t.veof & 0xff,
    vquit: t.vquit & 0xff,
    csize: t.csize,
    parity: PARITY.indexOf(t.parity),
    baud: t.baud >>> 0,
  });
}

export function decodeTermios(bytes: Uint8Array): Termios {
  if (bytes.byteLength !== TERMIOS_SIZE) throw new KernelError("EBADMSG", "termios length");
  const r = decodeWith(TermiosSchema, bytes);
  if (r.csize < 5 || r.csize > 8 || r.parity > 2) throw new KernelError("EINVAL", "bad termios");
  return {
    icanon: !!(r.flags & F_ICANON),
    echo: !!(r.flags & F_ECHO),
    isig: !!(r.flags & F_ISIG),
    icrnl: !!(r.flags & F_ICRNL),
    onlcr: !!(r.flags & F_ONLCR),
    cstopb: !!(r.flags & F_CSTOPB),
    crtscts: !!(r.flags & F_CRTSCTS),
    ixon: !!(r.flags & F_IXON),
    verase: r.verase,
    vkill: r.vkill,
    vintr: r.vintr,
    vsusp: r.vsusp,
    veof: r.veof,
    vquit: r.vquit,
    csize: r.csize as Termios["csize"],
    parity: PARITY[r.parity] as Termios["parity"],
    baud: r.baud,
  };
}

export function encodeWinsize(w: { rows: number; cols: number }): Uint8Array {
  return encodeWith(WinsizeSchema, { rows: w.rows & 0xffff, cols: w.cols & 0xffff });
}
export function decodeWinsize(bytes: Uint8Array): { rows: number; cols: number } {
  if (bytes.byteLength !== WINSIZE_SIZE) throw new KernelError("EBADMSG", "winsize length");
  return decodeWith(WinsizeSchema, bytes);
}

export function encodeInt32(value: number): Uint8Array {
  return encodeWith(Int32Schema, { value: value | 0 });
}
export function decodeInt32(bytes: Uint8Array): number {
  if (bytes.byteLength !== 4) throw new KernelError("EBADMSG", "int32 length");
  return decodeWith(Int32Schema, bytes).value;
}

/** Sane defaults of a terminal line (what `stty sane` restores). */
export const DEFAULT_TERMIOS: Termios = {
  icanon: true,
  echo: true,
  isig: true,
  icrnl: true,
  onlcr: true,
  verase: 0x7f,
  vkill: 0x15,
  vintr: 0x03,
  vsusp: 0x1a,
  veof: 0x04,
  vquit: 0x1c,
  baud: 115200,
  csize: 8,
  parity: "none",
  cstopb: false,
  crtscts: false,
  ixon: false,
};
