// resolve=file: Qnet's static node table, in the format of QNX's resolve-file (npm-qnet-compat):
// one node a line, `name[.domain] addr1[,addr2...]`, an address being a MAC (`02:00:00:00:00:02`)
// for a node reached over Ethernet or a dotted IPv4 address for bind=ip; `#` starts a comment.
// The n-th address is the node's address on the n-th bound interface. Bad lines are reported with
// their number and skipped, so one typo does not hide the other nodes.
import { parseIpv4 } from "../wire/ipv4-addr.ts";
import { parseMac } from "../wire/mac.ts";

/** Where resolve=file looks unless given resolve=file:/path. */
export const QNET_HOSTS_FILE = "/etc/qnet.hosts";

export type QnetAddress = { kind: "mac"; mac: number } | { kind: "ipv4"; ip: number };

export interface QnetHostEntry {
  name: string;
  domain: string;
  addrs: QnetAddress[];
}

export interface QnetHosts {
  entries: QnetHostEntry[];
  /** `line N: why` for every line skipped. */
  errors: string[];
}

/** One address of a hosts line, or null. */
export function parseQnetAddress(text: string): QnetAddress | null {
  const ip = parseIpv4(text);
  if (ip !== null && /^\d+\.\d+\.\d+\.\d+$/.test(text)) return { kind: "ipv4", ip };
  const mac = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text) ? parseMac(text) : null;
  return mac === null ? null : { kind: "mac", mac };
}

export function parseQnetHosts(text: string): QnetHosts {
  const out: QnetHosts = { entries: [], errors: [] };
  text.split("\n").forEach((raw, i) => {
    const words = raw.replace(/#.*/, "").trim().split(/\s+/);
    if (words[0] === "") return;
    const bad = (why: string): void => void out.errors.push(`line ${i + 1}: ${why}`);
    if (words.length !== 2) return bad(`expected "name[.domain] address[,address...]", got "${raw.trim()}"`);
    const [fq, list] = words;
    const dot = fq.indexOf(".");
    const name = dot < 0 ? fq : fq.slice(0, dot);
    if (!/^[^/.~,\s]+$/.test(name)) return bad(`"${fq}" is not a node name`);
    const addrs: QnetAddress[] = [];
    for (const a of list.split(",")) {
      const addr = parseQnetAddress(a);
      if (addr === null) return bad(`"${a}" is neither a MAC (xx:xx:xx:xx:xx:xx) nor an IPv4 address`);
      addrs.push(addr);
    }
    out.entries.push({ name, domain: dot < 0 ? "" : fq.slice(dot + 1), addrs });
  });
  return out;
}

/** The entry for `name.domain`; a name written without a domain is in `ourDomain`. */
export function findQnetHost(
  hosts: QnetHosts,
  name: string,
  domain: string,
  ourDomain: string,
): QnetHostEntry | undefined {
  return hosts.entries.find((e) => e.name === name && (e.domain === "" ? ourDomain : e.domain) === domain);
}
