// lsm-qnet: the Qnet protocol module of io-pkt. `io-pkt -p qnet [opts]` or
// `mount -T io-pkt -o opts lsm-qnet` binds Qnet to Ethernet interfaces (ethertype 0x8204):
// a QnetEndpoint (node table, LAN resolver, one L4 session per peer) carries the kernel
// link's messages, so the kernel's ConnectAttach(nd, …) and MsgSend reach other nodes, and
// /net (mount=) lists the nodes and leads into their path spaces. Received frames are handled
// in io-pkt's L2 workers (the ethertype switch runs there) and its timers run as io-pkt
// timer pulses, so Qnet work is scheduled like any other receive work.
import type { Clock } from "../../kernel/clock.ts";
import { KernelError } from "../../kernel/errno.ts";
import { SLOG_SEVERITY } from "../../kernel/slog.ts";
import { newAttr } from "../../resmgr/attr.ts";
import type { Handlers } from "../../resmgr/handlers.ts";
import * as C from "../../resmgr/io-constants.ts";
import type { ModuleContext, ModuleDescriptor, ModuleInstance } from "../manager/module-descriptor.ts";
import { optionList, type OptionValue } from "../module-options.ts";
import { LSM_QNET } from "../modules/catalog.ts";
import { IFF_UP } from "../stack/ifnet.ts";
import { pbufFree } from "../stack/pbuf.ts";
import type { RouteEventSink } from "../stack/route-events.ts";
import { ETHER_HDR_LEN } from "../wire/ethernet.ts";
import { readMac, writeMac } from "../wire/mac.ts";
import { AUTH_TRAILER_LEN, authKey, QnetAuth } from "./auth.ts";
import { QnetEndpoint } from "./endpoint.ts";
import { QnetKernelLink } from "./kernel-link.ts";
import { findQnetHost, parseQnetHosts, QNET_HOSTS_FILE, type QnetHostEntry } from "./hosts-file.ts";
import { QNET_IP_LINK, qnetIpLink, qnetIpMtu } from "./ip-link.ts";
import { getaddrinfo } from "../resolver.ts";
import { parseIpv4 } from "../wire/ipv4-addr.ts";
import { runForNode } from "./remote-spawn.ts";
import { qnetNodeName } from "./node-table.ts";
import { QNET_TICK_MS, type ResolverLink } from "./resolver.ts";

export const ETHERTYPE_QNET = 0x8204;
/** Ethernet's payload size, which the L4 header and a fragment share. */
const ETHERMTU = 1500;
/** Qnet's counters, as QNX's lsm-qnet shows them. */
export const QNET_STATS_PATH = "/proc/qnetstats";
/** How long a path naming an unknown node waits for the LAN resolver's answer. */
const RESOLVE_TICKS = 5;

function num(v: OptionValue | undefined, dflt: number): number {
  return typeof v === "number" ? v : dflt;
}

/** The running module: what `/net`, tests and the benchmark reach. */
export interface QnetInstance extends ModuleInstance {
  readonly endpoint: QnetEndpoint;
  readonly link: QnetKernelLink;
  /** auth=: the key's MAC and replay checks (null without the option). */
  readonly auth: QnetAuth | null;
}

const lsmQnet: ModuleDescriptor = {
  kind: "protocol",
  name: LSM_QNET.name,
  options: LSM_QNET.options,
  async attach(ctx: ModuleContext, opts: Record<string, OptionValue>): Promise<QnetInstance> {
    const kernel = ctx.kernel;
    const resolvers = optionList(opts, "resolve");
    if (resolvers.length === 0) resolvers.push("ndp");
    const wanted = optionList(opts, "bind");
    const overIp = wanted.includes(QNET_IP_LINK);
    if (overIp && wanted.length > 1)
      throw new KernelError("EINVAL", "lsm-qnet: bind=ip cannot be combined with bind=enX");
    if (overIp && !resolvers.some((r) => r === "dns" || r.startsWith("file")))
      throw new KernelError(
        "EINVAL",
        "lsm-qnet: bind=ip needs resolve=file or resolve=dns (no broadcast over IP)",
      );
    if (!overIp && resolvers.includes("dns"))
      throw new KernelError("EINVAL", "lsm-qnet: resolve=dns needs bind=ip (DNS gives IP addresses)");
    if (kernel.netTransport) throw new KernelError("EBUSY", "lsm-qnet: Qnet is already running on this node");
    const ifs = overIp
      ? []
      : wanted.length
        ? wanted.map((n) => ctx.stack.requireIf(n))
        : ctx.stack.interfaces().filter((i) => i.type === "ethernet");
    if (ifs.length === 0 && !overIp)
      throw new KernelError(
        "ENODEV",
        "lsm-qnet: no Ethernet interface to bind (load a driver first, or bind=en0)",
      );
    const stack = ctx.stack;
    const auth = typeof opts.auth === "string" ? await loadAuth(ctx, opts.auth) : null;
    // Out through ether_output, like every protocol: counters, pfil and BPF taps (tcpdump) see it.
    // eslint-disable-next-line prefer-const -- the IP link hands frames to the endpoint made below
    let endpoint: QnetEndpoint;
    const ip = overIp
      ? qnetIpLink({
          stack,
          seal: (f) => (auth ? auth.seal(f) : f),
          sealed: auth !== null,
          input: (frame) => {
            if (auth?.check(frame)) return;
            // Delivered by the IP layer, so it is ours whichever local address it was sent to.
            writeMac(frame, 0, ip?.link.mac ?? 0);
            endpoint.input(QNET_IP_LINK, frame);
          },
        })
      : null;
    const links: ResolverLink[] = ip
      ? [ip.link]
      : ifs.map((ifp) => ({
          name: ifp.name,
          mac: ifp.mac,
          output: (plain) => {
            const frame = auth ? auth.seal(plain) : plain;
            const len = frame.length - ETHER_HDR_LEN;
            const pb = stack.pool.allocSize(len);
            if (!pb) return false;
            pb.bytes.set(frame.subarray(ETHER_HDR_LEN), pb.off);
            pb.len = len;
            return stack.ether.output(ifp, pb, readMac(frame, 0), ETHERTYPE_QNET) === 0;
          },
        }));
    const fixedName = typeof opts.host === "string" ? opts.host : null;
    const mount = typeof opts.mount === "string" ? opts.mount : "/net";
    const nameFor = (host: string): string => fixedName ?? qnetNodeName(host, links[0].mac);
    const clock = ctx.stack.clock;
    // eslint-disable-next-line prefer-const -- the endpoint and the link refer to each other
    let link: QnetKernelLink;
    endpoint = new QnetEndpoint({
      clock,
      name: nameFor(kernel.hostname),
      domain: typeof opts.domain === "string" ? opts.domain : "",
      links,
      deliver: (nd, payload) => link.input(nd, payload),
      down: (nd) => {
        ctx.log(SLOG_SEVERITY.WARNING, `qnet: node ${endpoint.table.node(nd)?.name ?? nd} is down`);
        link.nodeDown(nd);
      },
      linkState: (nd, index, up) => {
        const node = endpoint.table.node(nd)?.name ?? nd;
        ctx.log(
          SLOG_SEVERITY.WARNING,
          `qnet: link ${links[index].name} to ${node} is ${up ? "back" : "down"}`,
        );
        if (!up) link.linkDown(nd, index);
      },
      autoAdd: num(opts.auto_add, 150),
      doCrc: opts.do_crc === 1,
      txRetries: num(opts.tx_retries, 5),
      // The trailer rides in the frame too: fragments shrink by its size.
      mtu: (ip ? qnetIpMtu(stack) : ETHERMTU) - (auth ? AUTH_TRAILER_LEN : 0),
    });
    const table = endpoint.table;
    const names = nameSources(ctx, endpoint, resolvers);
    await names.loadFiles();
    link = new QnetKernelLink(
      kernel,
      {
        send: (nd, payload) => endpoint.send(nd, payload),
        nodeName: (nd) => {
          if (nd === 0) return table.name;
          const n = table.node(nd);
          if (!n) throw new KernelError("EHOSTUNREACH", `qnet: nd ${nd} is not in /net`);
          return n.name;
        },
        nodeNd: (name) => resolveNode(endpoint, clock, name, names),
      },
      {
        mapany: typeof opts.mapany === "number" ? opts.mapany : undefined,
        maproot: typeof opts.maproot === "number" ? opts.maproot : undefined,
        spawn: (req, nd, uid, gid, abort) =>
          runForNode(kernel, req, nd, uid, gid, abort, `${mount}/${table.node(nd)?.name ?? ""}`),
        clock,
      },
    );
    kernel.netTransport = link;

    ctx.stack.ether.register(ETHERTYPE_QNET, (ifp, pb) => {
      // Only the bound interfaces carry Qnet (none with bind=ip).
      if (!links.some((l) => l.name === ifp.name)) return pbufFree(pb);
      // A view of the pool buffer, which goes back once the endpoint is done: the endpoint
      // copies what it keeps past the call (the L4 session its fragments, the rest its payload).
      const frame = pb.bytes.subarray(pb.off - ETHER_HDR_LEN, pb.off + pb.len);
      try {
        if (auth?.check(frame)) return; // refused and counted by reason (/proc/qnetstats)
        endpoint.input(ifp.name, frame);
      } finally {
        pbufFree(pb);
      }
    });
    const onRename = (host: string): void => {
      try {
        table.rename(nameFor(host));
        endpoint.resolver.announce();
      } catch (e) {
        ctx.log(SLOG_SEVERITY.WARNING, `qnet: keeping node name ${table.name}: ${String(e)}`);
      }
    };
    kernel.hostnameWatchers.add(onRename);
    endpoint.resolver.start();
    // Carrier and up/down of the bound interfaces, as drivers report them (rtsock's ifinfo).
    const ifWatch: RouteEventSink = {
      route: () => undefined,
      addr: () => undefined,
      miss: () => undefined,
      redirect: () => undefined,
      ifinfo: (ifp) => {
        if (ifs.includes(ifp)) endpoint.ifState(ifp.name, ifp.linkUp && (ifp.flags & IFF_UP) !== 0);
      },
    };
    stack.rtEvents.subscribe(ifWatch);

    const rm = ctx.resmgr;
    const netDir = rm?.attach(mount, {
      type: "dir",
      network: true,
      handlers: netHandlers(endpoint, names.ndp),
    });
    const statsFile = rm?.attach(QNET_STATS_PATH, {
      type: "file",
      mode: 0o444,
      handlers: textFile(() => qnetStats(endpoint, auth, typeof opts.auth === "string" ? opts.auth : null)),
    });
    ctx.log(
      SLOG_SEVERITY.INFO,
      `qnet: node ${table.fqnn} on ${links.map((l) => l.name).join(",")}${rm ? `, ${mount}` : ""}`,
    );
    return {
      endpoint,
      link,
      auth,
      detach: () => {
        if (netDir && rm) rm.detach(netDir);
        if (statsFile && rm) rm.detach(statsFile);
        kernel.hostnameWatchers.delete(onRename);
        stack.rtEvents.unsubscribe(ifWatch);
        endpoint.stop();
        ctx.stack.ether.unregister(ETHERTYPE_QNET);
        ip?.close();
        if (kernel.netTransport === link) kernel.netTransport = null;
      },
    };
  },
};

/** Reads the auth= key file from the node's file system, with an error naming what is wrong. */
async function loadAuth(ctx: ModuleContext, path: string): Promise<QnetAuth> {
  let bytes: Uint8Array;
  try {
    bytes = await ctx.fs.readFile(path);
  } catch (e) {
    const errno = e instanceof KernelError ? e.errno : "EIO";
    throw new KernelError(errno, `lsm-qnet: auth key ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return new QnetAuth(authKey(bytes, path), ctx.clock.wallTime());
}

/** A read-only file whose text is made when it is opened (so one `cat` sees one snapshot). */
function textFile(text: () => string): Handlers {
  return {
    open: (ctx) => ({ attr: ctx.attach.attr, data: new TextEncoder().encode(text()) }),
    read: (_ctx, ocb, nbytes, offset) => (ocb.data as Uint8Array).subarray(offset, offset + nbytes),
  };
}

/** /proc/qnetstats: this node, the drop counters by reason, the resolver and the nodes. */
export function qnetStats(endpoint: QnetEndpoint, auth: QnetAuth | null, keyPath: string | null): string {
  const t = endpoint.table;
  const lines = [`qnet: node ${t.fqnn} on ${t.links.join(",")}`];
  const drops = [...endpoint.drops].map(([why, n]) => `${why} ${n}`);
  lines.push(`dropped: ${drops.length ? drops.join(", ") : "none"}`);
  if (auth) {
    const a = auth.stats;
    lines.push(`auth: key ${keyPath ?? "?"}: sealed ${a.sealed}, accepted ${a.accepted}`);
    lines.push(`auth dropped: auth-missing ${a.missing}, auth-bad ${a.bad}, auth-replay ${a.replay}`);
  } else lines.push("auth: off");
  const r = endpoint.resolver.stats;
  lines.push(
    `resolver: requests ${r.requestsSent}, probes ${r.probesSent}, replies ${r.repliesSent}, ` +
      `announcements ${r.announcementsSent}, learned ${r.learned}, ignored ${r.ignored}`,
  );
  for (const n of t.nodes()) lines.push(`node ${n.nd}: ${t.entryName(n)}`);
  return lines.join("\n") + "\n";
}

/**
 * /net itself: its entries are this node and the nodes the resolver found (reading it asks
 * them again, so `ls -l /net` refreshes it); `rmdir /net/<node>` forgets one. Paths below a
 * node never come here: the client library resolves them in that node's path space.
 */
function netHandlers(endpoint: QnetEndpoint, ndp: boolean): Handlers {
  const table = endpoint.table;
  const inoOf = (nd: number): number => 1000 + nd;
  return {
    lookup(ctx, rel) {
      if (rel === "") return ctx.attach.attr;
      const nd = table.strtond(rel);
      return newAttr(inoOf(nd), C.S_IFDIR | 0o755, 0, 0, ctx.attach.attr.mtime);
    },
    readdir() {
      // With the LAN resolver, a listing asks every node again and announces this one.
      if (ndp) {
        for (const n of table.nodes()) endpoint.resolver.query(n.name, n.domain);
        endpoint.resolver.announce();
      }
      const entries = [{ name: table.name, ino: inoOf(0), offset: 0, type: C.S_IFDIR }];
      for (const n of table.nodes())
        entries.push({ name: table.entryName(n), ino: inoOf(n.nd), offset: 0, type: C.S_IFDIR });
      return entries;
    },
    rmdir(_ctx, rel) {
      const nd = table.strtond(rel);
      if (nd === 0) throw new KernelError("EBUSY", `${rel} is this node`);
      table.forget(nd);
    },
  };
}

/** The resolvers of resolve=, in the order given: static files, DNS and the LAN resolver. */
interface NameSources {
  ndp: boolean;
  /** Learns `name.domain` from the resolvers in order (files read again); true if one had it. */
  lookup(name: string, domain: string): Promise<boolean>;
  /** Learns every node of the resolve=file tables (at load). */
  loadFiles(): Promise<void>;
}

/** One resolver: true when it taught the node table `name.domain`. */
type NameSource = (name: string, domain: string) => Promise<boolean>;

function nameSources(ctx: ModuleContext, endpoint: QnetEndpoint, resolvers: string[]): NameSources {
  const table = endpoint.table;
  const links = table.links;
  const filePath = (r: string): string => r.slice(5) || QNET_HOSTS_FILE;
  const read = async (path: string): Promise<QnetHostEntry[]> => {
    let text: string;
    try {
      text = await ctx.fs.readFile(path, "utf8");
    } catch (e) {
      ctx.log(
        SLOG_SEVERITY.WARNING,
        `qnet: resolve=file: ${path}: ${e instanceof Error ? e.message : String(e)}`,
      );
      return [];
    }
    const hosts = parseQnetHosts(text);
    for (const err of hosts.errors) ctx.log(SLOG_SEVERITY.WARNING, `qnet: ${path}: ${err}`);
    return hosts.entries;
  };
  const learn = (e: QnetHostEntry): void => {
    if (e.name === table.name && (e.domain || table.domain) === table.domain) return;
    // The n-th address is the node's on the n-th bound interface (MACs for Ethernet links).
    e.addrs.forEach((a, i) => {
      if (i < links.length && a.kind === (links[i] === QNET_IP_LINK ? "ipv4" : "mac"))
        table.learn(
          e.name,
          e.domain || table.domain,
          links[i],
          a.kind === "mac" ? a.mac : a.ip,
          ctx.clock.now(),
        );
    });
  };
  const fromFile =
    (path: string): NameSource =>
    async (name, domain) => {
      const e = findQnetHost({ entries: await read(path), errors: [] }, name, domain, table.domain);
      if (e) learn(e);
      return e !== null;
    };
  // resolve=dns (bind=ip only): the node's FQNN through getaddrinfo, /etc/hosts and then the
  // nameservers of /etc/resolv.conf, over io-pkt's own sockets, as libc's gethostbyname would.
  const fromDns: NameSource = async (name, domain) => {
    const fqnn = domain ? `${name}.${domain}` : name;
    let addrs: string[];
    try {
      addrs = await getaddrinfo({ fs: ctx.fs, sockets: ctx.sockets, kernel: { clock: ctx.clock } }, fqnn);
    } catch (e) {
      if (!(e instanceof KernelError && e.errno === "ENOENT"))
        ctx.log(
          SLOG_SEVERITY.WARNING,
          `qnet: resolve=dns: ${fqnn}: ${e instanceof Error ? e.message : String(e)}`,
        );
      return false;
    }
    const ip = parseIpv4(addrs[0]);
    if (ip === null) return false;
    table.learn(name, domain, QNET_IP_LINK, ip, ctx.clock.now());
    return true;
  };
  const sources: NameSource[] = resolvers.flatMap((r) =>
    r.startsWith("file") ? [fromFile(filePath(r))] : r === "dns" ? [fromDns] : [],
  );
  return {
    ndp: resolvers.includes("ndp"),
    async lookup(name, domain) {
      for (const source of sources) if (await source(name, domain)) return true;
      return false;
    },
    async loadFiles() {
      for (const r of resolvers) if (r.startsWith("file")) for (const e of await read(filePath(r))) learn(e);
    },
  };
}

/**
 * netmgr_strtond for a name not in the table yet: the static resolvers in order — files (read
 * again, so edits count) and DNS — then the LAN resolver (asked, and waited for a few ticks).
 */
function resolveNode(
  endpoint: QnetEndpoint,
  clock: Clock,
  name: string,
  names: NameSources,
): number | Promise<number> {
  const table = endpoint.table;
  try {
    return table.strtond(name);
  } catch (e) {
    if (!(e instanceof KernelError && e.errno === "ENOENT")) throw e;
  }
  const base = name.split("~")[0];
  const dot = base.indexOf(".");
  const node = dot < 0 ? base : base.slice(0, dot);
  const domain = dot < 0 ? table.domain : base.slice(dot + 1);
  return (async () => {
    if (await names.lookup(node, domain)) return table.strtond(name);
    if (!names.ndp) return table.strtond(name); // ENOENT, with the usual text
    endpoint.resolver.query(node, domain);
    return new Promise<number>((resolve, reject) => {
      let ticks = 0;
      const poll = (): void => {
        try {
          resolve(table.strtond(name));
        } catch (e) {
          if (++ticks >= RESOLVE_TICKS) reject(e instanceof Error ? e : new Error(String(e)));
          else clock.setTimer(QNET_TICK_MS, poll);
        }
      };
      clock.setTimer(QNET_TICK_MS, poll);
    });
  })();
}
export default lsmQnet;
