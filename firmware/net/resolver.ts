// The name resolver every utility and program uses (libc's getaddrinfo for IPv4): dotted quads
// as they are, then /etc/hosts, then the nameservers of resolv.conf over UDP through the socket
// layer, with resolv.conf's search domains, timeout and attempts, following CNAME chains.
// `dnsLookup` is the Node `dns.lookup`-shaped facade over it.
import { KernelError } from "../kernel/errno.ts";
import type { FsClient } from "../program.ts";
import type { SocketClient } from "./socket/api.ts";
import { AF_INET, POLLIN, SOCK_DGRAM } from "./socket/constants.ts";
import { formatIpv4, parseIpv4 } from "./wire/ipv4-addr.ts";
import {
  DNS_PORT,
  DNS_RCODE_NOERROR,
  DNS_RCODE_NXDOMAIN,
  DNS_UDP_MAX,
  answerAddresses,
  buildDnsQuery,
  parseDnsMessage,
} from "./wire/dns.ts";

/** Where resolv.conf lives unless $RESOLV_CONF names another file (dhcp.client writes it). */
export const RESOLV_CONF = "/etc/resolv.conf";
export const HOSTS_FILE = "/etc/hosts";

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  /** Seconds to wait for one server's answer (options timeout:N, default 5). */
  timeout: number;
  /** Rounds over all servers (options attempts:N, default 2). */
  attempts: number;
  /** Names with fewer dots try the search list first (options ndots:N, default 1). */
  ndots: number;
}

/** What the resolver needs from a program's context. */
export interface ResolverContext {
  fs: FsClient;
  sockets: SocketClient;
  env?: Record<string, string | undefined>;
  /** The injectable clock timeouts are measured on (a program's ctx.kernel.clock). */
  kernel: { clock: { now(): number } };
}

/** resolv.conf(5): nameserver, search, domain and options lines; `#`/`;` comments. */
export function parseResolvConf(text: string): ResolvConf {
  const rc: ResolvConf = { nameservers: [], search: [], timeout: 5, attempts: 2, ndots: 1 };
  for (const raw of text.split("\n")) {
    const [key, ...args] = raw
      .replace(/[#;].*/, "")
      .trim()
      .split(/\s+/);
    if (key === "nameserver" && args[0] !== undefined && parseIpv4(args[0]) !== null) {
      if (rc.nameservers.length < 3) rc.nameservers.push(args[0]);
    } else if (key === "search" || key === "domain") rc.search = args.filter((a) => a !== "");
    else if (key === "options")
      for (const o of args) {
        const m = /^(timeout|attempts|ndots):(\d+)$/.exec(o);
        if (m !== null) rc[m[1] as "timeout" | "attempts" | "ndots"] = Math.min(Number(m[2]), 30);
      }
  }
  return rc;
}

/** hosts(5): every address listed for `name` (case-insensitive), in file order. */
export function lookupHosts(text: string, name: string): string[] {
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const [addr, ...names] = raw.replace(/#.*/, "").trim().split(/\s+/);
    if (addr && parseIpv4(addr) !== null && names.some((n) => n.toLowerCase() === want)) out.push(addr);
  }
  return out;
}

async function readText(fs: FsClient, path: string): Promise<string | null> {
  try {
    return await fs.readFile(path, "utf8");
  } catch {
    return null;
  }
}

/** The names to ask, in order: with the search domains first for short names, as res_search. */
export function candidates(name: string, rc: ResolvConf): string[] {
  if (name.endsWith(".")) return [name.slice(0, -1)];
  const searched = rc.search.map((d) => `${name}.${d}`);
  const dots = name.split(".").length - 1;
  return dots >= rc.ndots ? [name, ...searched] : [...searched, name];
}

/**
 * getaddrinfo for IPv4: the addresses of `name` (dotted quads), or ENOENT-shaped
 * KernelError("EHOSTUNREACH"/"ENOENT") with the reason: "unknown host" when no source knows it,
 * ETIMEDOUT when no nameserver answered.
 */
export async function getaddrinfo(ctx: ResolverContext, name: string): Promise<string[]> {
  if (parseIpv4(name) !== null) return [formatIpv4(parseIpv4(name) as number)];
  if (name === "" || name.length > 253) throw new KernelError("EINVAL", `bad host name '${name}'`);
  const hosts = await readText(ctx.fs, HOSTS_FILE);
  if (hosts !== null) {
    const found = lookupHosts(hosts, name);
    if (found.length !== 0) return found;
  }
  if (name.toLowerCase() === "localhost") return ["127.0.0.1"];
  const conf = await readText(ctx.fs, ctx.env?.RESOLV_CONF || RESOLV_CONF);
  const rc = parseResolvConf(conf ?? "");
  if (rc.nameservers.length === 0) throw new KernelError("ENOENT", `unknown host ${name}`);
  let answered = false;
  for (const q of candidates(name, rc)) {
    const r = await queryServers(ctx, q, rc);
    if (r === null) continue;
    answered = true;
    if (r.length !== 0) return r;
  }
  throw answered
    ? new KernelError("ENOENT", `unknown host ${name}`)
    : new KernelError("ETIMEDOUT", `no answer from nameservers for ${name}`);
}

/**
 * One name asked of each server in turn, `attempts` rounds: the addresses, [] for a definite
 * "no such name" (NXDOMAIN, or an answer without addresses), null when nobody answered.
 */
export async function queryServers(
  ctx: ResolverContext,
  name: string,
  rc: ResolvConf,
): Promise<string[] | null> {
  const { sockets } = ctx;
  const clock = ctx.kernel.clock;
  const fd = await sockets.socket(AF_INET, SOCK_DGRAM);
  try {
    let answered = false;
    for (let round = 0; round < Math.max(1, rc.attempts); round++) {
      for (const server of rc.nameservers) {
        const id = (Math.random() * 0x10000) & 0xffff;
        await sockets.sendto(fd, buildDnsQuery(id, name), {
          family: "inet",
          address: server,
          port: DNS_PORT,
        });
        const deadline = clock.now() + rc.timeout * 1000;
        for (;;) {
          const left = deadline - clock.now();
          if (left <= 0) break;
          const [ev] = await sockets.poll([{ fd, events: POLLIN }], left);
          if ((ev & POLLIN) === 0) break;
          const got = await sockets.recvfrom(fd, DNS_UDP_MAX);
          // Only the server asked, and only our question: anything else is ignored (spoofing).
          if (got.from?.family !== "inet" || got.from.address !== server) continue;
          let msg;
          try {
            msg = parseDnsMessage(got.data);
          } catch {
            continue;
          }
          if (!msg.response || msg.id !== id) continue;
          if (msg.rcode === DNS_RCODE_NXDOMAIN) return [];
          if (msg.rcode !== DNS_RCODE_NOERROR) break; // SERVFAIL, REFUSED: next server
          answered = true;
          return answerAddresses(msg, name);
        }
      }
    }
    return answered ? [] : null;
  } finally {
    await sockets.close(fd).catch(() => {});
  }
}

/** Node's `dns.lookup(hostname, callback)` shape, IPv4 only: (err, address, family). */
export function dnsLookup(
  ctx: ResolverContext,
  hostname: string,
  callback: (err: Error | null, address?: string, family?: number) => void,
): void {
  getaddrinfo(ctx, hostname).then(
    (addrs) => callback(null, addrs[0], 4),
    (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
  );
}
