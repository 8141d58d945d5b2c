// Qnet names and node descriptors. A node descriptor (nd) is local to the node holding it, like a
// file descriptor: 0 is this node, and each remote node the resolver learns gets the smallest free
// number. The low 16 bits name the node (compare with ndNodeCmp); bits 16–17 carry the QoS policy
// and bits 18–25 the link a ~preferred/~exclusive path names. netmgr_strtond/netmgr_ndtostr
// convert between nds and names: a plain name, an FQNN (name.domain) or a /net/… path, each with
// an optional ~policy[:link] suffix. Docs: docs/qnet.md ("Names").
import { KernelError } from "../../kernel/errno.ts";
import { formatMac } from "../wire/mac.ts";
import { QOS } from "./l4-header.ts";

export const ND_LOCAL_NODE = 0;
const ND_NODE_MASK = 0xffff;
const QOS_SHIFT = 16;
const LINK_SHIFT = 18;

/** netmgr_ndtostr flags. */
export const ND2S = {
  DIR_SHOW: 0x1,
  DIR_HIDE: 0x2,
  QOS_SHOW: 0x4,
  QOS_HIDE: 0x8,
  NAME_SHOW: 0x10,
  NAME_HIDE: 0x20,
  DOMAIN_SHOW: 0x40,
  DOMAIN_HIDE: 0x80,
  LOCAL_STR: 0x1000,
  SEP_FORCE: 0x2000,
} as const;

const POLICY_NAMES = ["loadbalance", "redundant", "exclusive", "preferred"];

export function ndNodeCmp(a: number, b: number): boolean {
  return (a & ND_NODE_MASK) === (b & ND_NODE_MASK);
}

/** The QoS policy an nd carries (QOS.LOADBALANCE for a plain nd). */
export function ndQos(nd: number): number {
  return (nd >>> QOS_SHIFT) & 3;
}

/** The bound link (its index in NodeTable.links) a ~preferred/~exclusive nd names. */
export function ndLink(nd: number): number {
  return (nd >>> LINK_SHIFT) & 0xff;
}

/**
 * This node's Qnet name from its host name: the part before the first dot, with no "/";
 * a host called "localhost" (or with no name) is named after its MAC, as QNX does.
 */
export function qnetNodeName(hostname: string, mac: number): string {
  const name = hostname.split(".")[0].replace(/\//g, "");
  return name === "" || name === "localhost" ? formatMac(mac).replace(/:/g, "") : name;
}

export interface QnetNode {
  nd: number;
  name: string;
  domain: string;
  /** Link-layer addresses the node was heard at, one per link. */
  macs: Map<string, number>;
  /** Clock time the node was last heard (resolver or traffic). */
  heard: number;
}

export class NodeTable {
  name: string;
  readonly domain: string;
  /** Interfaces Qnet binds, in order: the link index in an nd is a position here. */
  readonly links: string[];
  private readonly byNd = new Map<number, QnetNode>();
  private readonly byFqnn = new Map<string, QnetNode>();

  constructor(name: string, domain: string, links: string[]) {
    this.name = checkNodeName(name);
    this.domain = domain;
    this.links = links;
  }

  /** The host name changed: this node is now `name` (the resolver announces it). */
  rename(name: string): void {
    this.name = checkNodeName(name);
  }

  get fqnn(): string {
    return fqnn(this.name, this.domain);
  }

  /** Records that `name.domain` is at `mac` on `link`; returns its nd (allocated on first sight). */
  learn(name: string, domain: string, link: string, mac: number, now: number): QnetNode {
    const key = fqnn(name, domain);
    let n = this.byFqnn.get(key);
    if (n === undefined) {
      // A node heard at the same address under another name renamed itself (`hostname`).
      n = [...this.byNd.values()].find((x) => x.macs.get(link) === mac);
      if (n !== undefined) {
        this.byFqnn.delete(fqnn(n.name, n.domain));
        n.name = name;
        n.domain = domain;
        this.byFqnn.set(key, n);
      }
    }
    if (n === undefined) {
      let nd = 1;
      while (this.byNd.has(nd)) nd++;
      if (nd > ND_NODE_MASK) throw new KernelError("ENOSPC", "qnet: node table full");
      n = { nd, name, domain, macs: new Map(), heard: now };
      this.byNd.set(nd, n);
      this.byFqnn.set(key, n);
    }
    n.macs.set(link, mac);
    n.heard = now;
    return n;
  }

  /** rmdir /net/<node>: forget it. */
  forget(nd: number): boolean {
    const n = this.byNd.get(nd & ND_NODE_MASK);
    if (!n) return false;
    this.byNd.delete(n.nd);
    this.byFqnn.delete(fqnn(n.name, n.domain));
    return true;
  }

  node(nd: number): QnetNode | undefined {
    return this.byNd.get(nd & ND_NODE_MASK);
  }

  nodes(): QnetNode[] {
    return [...this.byNd.values()].sort((a, b) => a.nd - b.nd);
  }

  /** The name /net lists for `n`: bare in our domain, else name.domain. */
  entryName(n: { name: string; domain: string }): string {
    return n.domain === this.domain ? n.name : fqnn(n.name, n.domain);
  }

  /** netmgr_strtond: name, FQNN or /net/… path (optional ~policy[:link]) → nd. */
  strtond(text: string): number {
    let s = text;
    if (s.startsWith("/net/")) s = s.slice(5).split("/")[0];
    else if (s.startsWith("/")) throw new KernelError("EINVAL", `qnet: "${text}" is not under /net`);
    const [node, qos] = s.split("~", 2);
    let nd: number;
    if (node === this.name || node === this.fqnn) nd = ND_LOCAL_NODE;
    else {
      const n = this.byFqnn.get(node.includes(".") ? node : fqnn(node, this.domain));
      if (!n) throw new KernelError("ENOENT", `qnet: no node "${node}" in /net`);
      nd = n.nd;
    }
    return qos === undefined ? nd : nd | this.qosBits(qos, text);
  }

  /** netmgr_ndtostr: nd → FQNN (or as `flags` ask), with ~policy when not loadbalance. */
  ndtostr(flags: number, nd: number): string {
    const local = (nd & ND_NODE_MASK) === ND_LOCAL_NODE;
    const n = local ? { name: this.name, domain: this.domain } : this.node(nd);
    if (!n) throw new KernelError("EBADF", `qnet: nd ${nd & ND_NODE_MASK} is not in the node table`);
    if (local && flags & ND2S.LOCAL_STR) return "";
    // The FQNN by default; as a /net entry a same-domain node is its bare name.
    let showDomain = !(flags & ND2S.DOMAIN_HIDE) && n.domain !== "";
    if (flags & ND2S.DIR_SHOW && !(flags & ND2S.DOMAIN_SHOW) && n.domain === this.domain) showDomain = false;
    let s = flags & ND2S.NAME_HIDE ? "" : n.name;
    if (showDomain) s += (s !== "" || flags & ND2S.SEP_FORCE ? "." : "") + n.domain;
    const qos = ndQos(nd);
    if (flags & ND2S.QOS_SHOW || (qos !== QOS.LOADBALANCE && !(flags & ND2S.QOS_HIDE))) {
      s += `~${POLICY_NAMES[qos]}`;
      const link = ndLink(nd);
      if (qos === QOS.EXCLUSIVE || qos === QOS.PREFERRED) s += `:${this.links[link] ?? link}`;
    }
    return flags & ND2S.DIR_SHOW ? `/net/${s}` : s;
  }

  private qosBits(qos: string, text: string): number {
    const [policy, link] = qos.split(":", 2);
    const type = POLICY_NAMES.indexOf(policy);
    if (type < 0 || type === QOS.REDUNDANT)
      throw new KernelError("EINVAL", `qnet: unknown QoS policy "~${policy}" in "${text}"`);
    if (type === QOS.LOADBALANCE) return 0;
    if (link === undefined)
      throw new KernelError("EINVAL", `qnet: "~${policy}" needs a link (~${policy}:en0) in "${text}"`);
    const i = this.links.indexOf(link);
    if (i < 0)
      throw new KernelError(
        "ENODEV",
        `qnet: link "${link}" in "${text}" is not bound (bind=${this.links.join(",bind=")})`,
      );
    return (type << QOS_SHIFT) | (i << LINK_SHIFT);
  }
}

function fqnn(name: string, domain: string): string {
  return domain === "" ? name : `${name}.${domain}`;
}

function checkNodeName(name: string): string {
  if (name === "" || /[./~]/.test(name))
    throw new KernelError("EINVAL", `qnet: node name "${name}" may not be empty or contain . / ~`);
  return name;
}
