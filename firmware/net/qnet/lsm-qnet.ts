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
import { readMac } from "../wire/mac.ts";
import { QnetEndpoint } from "./endpoint.ts";
import { QnetKernelLink } from "./kernel-link.ts";
import { runForNode } from "./remote-spawn.ts";
import { qnetNodeName } from "./node-table.ts";
import { QNET_TICK_MS, type ResolverLink } from "./resolver.ts";

export const ETHERTYPE_QNET = 0x8204;
/** How long a path naming an unknown node waits for the LAN resolver's answer. */
const RESOLVE_TICKS = 5;

function num(v: OptionValue | undefined, dflt: number): number {
  return typeof v === "number" ? v : dflt;
}

/** The running module: what `/net`, tests and the benchmark reach. */
export interface QnetInstance extends ModuleInstance {
  readonly endpoint: QnetEndpoint;
  readonly link: QnetKernelLink;
}

const lsmQnet: ModuleDescriptor = {
  kind: "protocol",
  name: LSM_QNET.name,
  options: LSM_QNET.options,
  attach(ctx: ModuleContext, opts: Record<string, OptionValue>): QnetInstance {
    const kernel = ctx.kernel;
    if (kernel.netTransport) throw new KernelError("EBUSY", "lsm-qnet: Qnet is already running on this node");
    const resolve = typeof opts.resolve === "string" ? opts.resolve : "ndp";
    if (resolve !== "ndp")
      throw new KernelError("ENOTSUP", `lsm-qnet: resolve=${resolve} is not implemented (use resolve=ndp)`);
    const wanted = optionList(opts, "bind");
    const ifs = wanted.length
      ? wanted.map((n) => ctx.stack.requireIf(n))
      : ctx.stack.interfaces().filter((i) => i.type === "ethernet");
    if (ifs.length === 0)
      throw new KernelError(
        "ENODEV",
        "lsm-qnet: no Ethernet interface to bind (load a driver first, or bind=en0)",
      );
    const stack = ctx.stack;
    // Out through ether_output, like every protocol: counters, pfil and BPF taps (tcpdump) see it.
    const links: ResolverLink[] = ifs.map((ifp) => ({
      name: ifp.name,
      mac: ifp.mac,
      output: (frame) => {
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
    const endpoint = new QnetEndpoint({
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
    });
    const table = endpoint.table;
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
        nodeNd: (name) => resolveNode(endpoint, clock, name),
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
      // The endpoint keeps fragments past this call: it gets a copy, the pool buffer goes back.
      const frame = pb.bytes.slice(pb.off - ETHER_HDR_LEN, pb.off + pb.len);
      pbufFree(pb);
      endpoint.input(ifp.name, frame);
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
      ifinfo: (ifp) => {
        if (ifs.includes(ifp)) endpoint.ifState(ifp.name, ifp.linkUp && (ifp.flags & IFF_UP) !== 0);
      },
    };
    stack.rtEvents.subscribe(ifWatch);

    const rm = ctx.resmgr;
    const netDir = rm?.attach(mount, { type: "dir", network: true, handlers: netHandlers(endpoint) });
    ctx.log(
      SLOG_SEVERITY.INFO,
      `qnet: node ${table.fqnn} on ${links.map((l) => l.name).join(",")}${rm ? `, ${mount}` : ""}`,
    );
    return {
      endpoint,
      link,
      detach: () => {
        if (netDir && rm) rm.detach(netDir);
        kernel.hostnameWatchers.delete(onRename);
        stack.rtEvents.unsubscribe(ifWatch);
        endpoint.stop();
        ctx.stack.ether.unregister(ETHERTYPE_QNET);
        if (kernel.netTransport === link) kernel.netTransport = null;
      },
    };
  },
};

/**
 * /net itself: its entries are this node and the nodes the resolver found (reading it asks
 * them again, so `ls -l /net` refreshes it); `rmdir /net/<node>` forgets one. Paths below a
 * node never come here: the client library resolves them in that node's path space.
 */
function netHandlers(endpoint: QnetEndpoint): Handlers {
  const table = endpoint.table;
  const inoOf = (nd: number): number => 1000 + nd;
  return {
    lookup(ctx, rel) {
      if (rel === "") return ctx.attach.attr;
      const nd = table.strtond(rel);
      return newAttr(inoOf(nd), C.S_IFDIR | 0o755, 0, 0, ctx.attach.attr.mtime);
    },
    readdir() {
      for (const n of table.nodes()) endpoint.resolver.query(n.name, n.domain);
      endpoint.resolver.announce();
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

/** netmgr_strtond, asking the LAN resolver (and waiting a few ticks) for a name not known yet. */
function resolveNode(endpoint: QnetEndpoint, clock: Clock, name: string): number | Promise<number> {
  const table = endpoint.table;
  try {
    return table.strtond(name);
  } catch (e) {
    if (!(e instanceof KernelError && e.errno === "ENOENT")) throw e;
  }
  const base = name.split("~")[0];
  const dot = base.indexOf(".");
  endpoint.resolver.query(dot < 0 ? base : base.slice(0, dot), dot < 0 ? table.domain : base.slice(dot + 1));
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
}
export default lsmQnet;
