// Finds a built-in program by name (for `use`) in the builtin table, firmware/bin/index.ts.
import type { Program } from "../../program.ts";
import { loadBuiltin } from "../index.ts";

export async function loadBuiltinProgram(name: string): Promise<Program | undefined> {
  try {
    return await loadBuiltin(name);
  } catch {
    return undefined; // listed, but its module is not there (a board without it)
  }
}
