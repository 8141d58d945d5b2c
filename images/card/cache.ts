// The download and build cache: $NETRINO_CACHE, else $XDG_CACHE_HOME/netrino, else
// ~/.cache/netrino. CI keeps this directory between runs.
import { homedir } from "node:os";
import { join } from "node:path";

export function cacheDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.NETRINO_CACHE) return env.NETRINO_CACHE;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "netrino");
}
