// The settings a terminal starts with ("stty sane" at 115200 8N1, no XON/XOFF as QNX's devc-ser), and the special
// characters' ASCII codes, so the line discipline and devc-ser agree on them.
import type { Termios } from "../program.ts";
import { DEFAULT_TERMIOS } from "../resmgr/devctl-codes.ts";

export const CTRL = {
  NUL: 0x00,
  C: 0x03,
  D: 0x04,
  BEL: 0x07,
  H: 0x08,
  TAB: 0x09,
  LF: 0x0a,
  CR: 0x0d,
  Q: 0x11,
  S: 0x13,
  U: 0x15,
  W: 0x17,
  Z: 0x1a,
  BACKSLASH: 0x1c,
  DEL: 0x7f,
} as const;

export function defaultTermios(): Termios {
  return { ...DEFAULT_TERMIOS };
}
