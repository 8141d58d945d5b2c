// Host name lookup for the network utilities: dotted quads, `localhost`, and /etc/hosts
// (there is no resolver in the stack; a board lists its peers in /etc/hosts).
import { parseIpv4 } from "../../net/wire/ipv4-addr.ts";
import type { FsClient } from "../../program.ts";

/** Parses hosts(5) text: `10.0.0.2  node2 node2.lan` lines, `#` comments. First match wins. */
export function lookupHostsText(text: string, name: string): number | null {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const [addr, ...names] = line.split(/\s+/);
    const a = parseIpv4(addr);
    if (a !== null && names.includes(name)) return a;
  }
  return null;
}

/** The IPv4 address for `name`, or null when it is not known. */
export async function resolveHost(fs: FsClient, name: string): Promise<number | null> {
  const direct = parseIpv4(name);
  if (direct !== null) return direct;
  try {
    const found = lookupHostsText(await fs.readFile("/etc/hosts", "utf8"), name);
    if (found !== null) return found;
  } catch {
    // No /etc/hosts: only the built-in name below.
  }
  return name === "localhost" ? 0x7f000001 : null;
}
