// The signature every builtin shares. Builtins run inside the shell with the descriptor map
// of their command (redirections applied) and return an exit status.
import type { Io, Shell } from "./interp.ts";

export type Builtin = (sh: Shell, argv: string[], io: Io) => Promise<number>;

/** Writes `text` to the builtin's stdout. */
export function out(sh: Shell, io: Io, text: string): Promise<void> {
  return sh.write(io, 1, text);
}

/** `ksh: name: msg` on the builtin's stderr; returns `status` for `return err(…)`. */
export async function err(sh: Shell, io: Io, name: string, msg: string, status = 1): Promise<number> {
  await sh.error(io, `${name}: ${msg}`);
  return status;
}
