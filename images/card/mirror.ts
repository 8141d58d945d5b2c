// Where Debian packages come from: the host's own apt configuration (one-line `deb URL suite …`
// entries in /etc/apt/sources.list and *.list, or deb822 `URIs:` in *.sources), or the user's
// NETRINO_DEBIAN_MIRROR. No registry host is written into the project.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export class MirrorError extends Error {}

/** The first Debian archive URL in the apt configuration (skipping security archives). */
export function mirrorFromAptConfig(root = "/etc/apt"): string | undefined {
  const files: string[] = [];
  if (existsSync(join(root, "sources.list"))) files.push(join(root, "sources.list"));
  const dir = join(root, "sources.list.d");
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith(".list") || f.endsWith(".sources")) files.push(join(dir, f));
    }
  }
  for (const f of files) {
    for (const raw of readFileSync(f, "utf8").split("\n")) {
      const line = raw.replace(/#.*/, "").trim();
      let urls: string[] = [];
      const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line);
      if (oneLine) urls = [oneLine[1]];
      const deb822 = /^URIs:\s*(.+)$/i.exec(line);
      if (deb822) urls = deb822[1].split(/\s+/);
      const url = urls.find((u) => /^https?:\/\//.test(u) && !/security/.test(u));
      if (url) return url.replace(/\/+$/, "");
    }
  }
  return undefined;
}

export function debianMirror(env: Readonly<Record<string, string | undefined>>): string {
  const set = env.NETRINO_DEBIAN_MIRROR;
  if (set) return set.replace(/\/+$/, "");
  const found = mirrorFromAptConfig();
  if (!found) {
    throw new MirrorError(
      "no Debian mirror: none in /etc/apt/sources.list(.d); set NETRINO_DEBIAN_MIRROR to an archive URL",
    );
  }
  return found;
}
