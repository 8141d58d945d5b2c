// The server side of the io-pkt control protocol (control/protocol.ts): one devctl on the
// control file → one stack operation, run in the resource-manager thread at the client's
// priority. Echo sessions and BPF taps hang off the open (OCB) and end with it.
import type { AnySchema, Parsed } from "typed-binary";
import { KernelError } from "../../kernel/errno.ts";
import type { Deferred, DevctlAnswer, IoContext, Ocb } from "../../resmgr/handlers.ts";
import { encodeDevctlReply } from "../../resmgr/messages.ts";
import { decode, encode } from "../control/codec.ts";
import * as P from "../control/protocol.ts";
import { formatIpv4 } from "../wire/ipv4-addr.ts";
import { formatMac, parseMac } from "../wire/mac.ts";
import { ARP_PERMANENT } from "../stack/arp.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import type { Route } from "../stack/route.ts";
import { compileFilter } from "../stack/tcpdump-expr.ts";
import { BpfSession } from "./bpf-session.ts";
import { EchoSession } from "./echo-session.ts";
import type { IoPkt } from "./io-pkt-core.ts";
import type { IfBinding } from "./interface-binding.ts";
import { classOf } from "./module-loader.ts";
import { threadList } from "./thread-list.ts";

/** What one control open holds. */
export class ControlSession {
  echo: EchoSession | null = null;
  bpf: BpfSession | null = null;

  close(): void {
    this.echo?.close();
    this.echo = null;
    this.bpf?.close();
    this.bpf = null;
  }
}

export type DevctlResult = DevctlAnswer;

const EMPTY = new Uint8Array(0);

function ok<S extends AnySchema>(schema: S, value: Parsed<S["__unwrapped"]>): DevctlResult {
  return { ret: 0, data: encode(schema, value) };
}

function sessionOf(ocb: Ocb): ControlSession {
  if (!(ocb.data instanceof ControlSession)) ocb.data = new ControlSession();
  return ocb.data as ControlSession;
}

function ifInfo(io: IoPkt, ifp: Ifnet): P.IfInfo {
  const b = ifp.driverData as IfBinding | null;
  return {
    name: ifp.name,
    index: ifp.index,
    type: ifp.type,
    flags: ifp.flags >>> 0,
    mtu: ifp.mtu,
    maxMtu: ifp.maxMtu,
    mru: b?.mru ?? ifp.mtu,
    mac: ifp.isLoopback ? "" : formatMac(ifp.mac),
    media: ifp.media,
    linkUp: ifp.linkUp,
    addrs: ifp.addrs.map((a) => ({ addr: a.addr, prefixLen: a.prefixLen, broadcast: a.broadcast })),
    counters: b?.counters() ?? { ...ifp.counters },
    driver: b?.module ?? (ifp.parent ? "vlan" : ""),
    rxPriority: b?.priority ?? io.config.rxPrio,
    parent: ifp.parent?.name ?? "",
    vlanId: ifp.vlanId,
  };
}

function routeInfo(r: Route): P.RouteInfo {
  return {
    dst: r.dst,
    prefixLen: r.prefixLen,
    gateway: r.gateway >>> 0,
    flags: r.flags >>> 0,
    ifname: r.ifp.name,
    use: r.use,
    mtu: r.mtu,
  };
}

function sysctlEntry(io: IoPkt, name: string): P.SysctlEntry {
  const node = io.stack.sysctl.describe(name);
  const v = io.stack.sysctl.get(name);
  return {
    name,
    type: node.type,
    value: typeof v === "object" ? JSON.stringify(v) : String(v),
    description: node.description,
    writable: node.writable,
  };
}

function flatten(group: string, obj: Record<string, unknown>, out: P.Counter[], prefix = ""): void {
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === "number") out.push({ group, name: prefix + k, value: v });
    else if (Array.isArray(v))
      v.forEach(
        (n, i) =>
          typeof n === "number" && n !== 0 && out.push({ group, name: `${prefix}${k}.${i}`, value: n }),
      );
  }
}

function counters(io: IoPkt, group: string): P.Counter[] {
  const out: P.Counter[] = [];
  const s = io.stack.stats;
  const want = (g: string) => group === "" || group === g;
  if (want("ip")) flatten("ip", s.ip, out);
  if (want("icmp")) flatten("icmp", s.icmp, out);
  if (want("arp")) flatten("arp", s.arp, out);
  if (want("udp")) flatten("udp", io.sockets.udp.stats, out);
  if (want("igmp")) flatten("igmp", io.sockets.igmp.stats, out);
  if (want("ether")) flatten("ether", s.ether, out);
  if (want("tcp")) flatten("tcp", io.stack.tcp.engine.stats, out);
  if (want("pfil")) {
    const heads = [
      { where: "", head: io.stack.pfil },
      { where: "inet.", head: io.stack.inetPfil },
      ...io.stack.interfaces().map((i) => ({ where: `${i.name}.`, head: i.pfil })),
    ];
    for (const { where, head } of heads) {
      for (const h of head.hooks())
        flatten("pfil", h.counters as unknown as Record<string, unknown>, out, `hook.${where}${h.name}.`);
    }
  }
  if (want("bpf")) {
    const taps = [...io.stack.taps, ...io.stack.interfaces().flatMap((i) => i.taps)];
    out.push({ group: "bpf", name: "taps", value: taps.length });
    out.push({ group: "bpf", name: "seen", value: taps.reduce((n, t) => n + t.seen, 0) });
    out.push({ group: "bpf", name: "matched", value: taps.reduce((n, t) => n + t.matched, 0) });
  }
  if (want("pool")) flatten("pool", io.stack.pool.stats as unknown as Record<string, unknown>, out);
  if (want("iopkt")) {
    const bs = io.bindings();
    out.push({ group: "iopkt", name: "rxqdrops", value: bs.reduce((n, b) => n + b.queueDrops, 0) });
    out.push({ group: "iopkt", name: "rxpulses", value: bs.reduce((n, b) => n + b.pulses, 0) });
    out.push({ group: "iopkt", name: "pulseslost", value: io.workers.lost });
    out.push({ group: "iopkt", name: "timers", value: io.clock.armed });
  }
  return out;
}

function ifFor(io: IoPkt, name: string, ip: number): Ifnet {
  if (name !== "") return io.requireIf(name);
  const r = io.stack.routes.lookup(ip);
  if (r === null) throw new KernelError("ENETUNREACH", `${formatIpv4(ip)}: no interface for this address`);
  return r.ifp;
}

/** Handles one control devctl; null when the reply was deferred (echo receive, BPF read). */
export async function controlDevctl(
  io: IoPkt,
  ctx: IoContext,
  ocb: Ocb,
  dcmd: number,
  data: Uint8Array,
): Promise<DevctlResult | null> {
  const st = io.stack;
  const C = P.NETCTL;
  // Route and address changes are reported on routing sockets in the caller's name (no seq).
  const by = { pid: ctx.info.pid, seq: 0 };
  switch (dcmd) {
    case C.INFO:
      return ok(P.InfoReply, {
        prefix: io.config.prefix,
        instance: io.config.instance,
        pid: io.pid,
        rxPriority: io.config.rxPrio,
        timerPriority: io.config.timerPrio,
        workers: io.workers.count,
        version: "netrino io-pkt 1.0",
      });
    case C.IF_LIST: {
      const { name } = decode(P.NameRequest, data);
      const ifs = name === "" ? st.interfaces() : [io.requireIf(name)];
      return ok(P.IfListReply, { ifs: ifs.map((i) => ifInfo(io, i)) });
    }
    case C.IF_SET: {
      const r = decode(P.IfSetRequest, data);
      const ifp = io.requireIf(r.name);
      if (r.mtu >= 0) st.setMtu(ifp, r.mtu);
      if (r.promisc >= 0) st.setPromisc(ifp, r.promisc === 1);
      if (r.up >= 0) st.setUp(ifp, r.up === 1);
      return { ret: 0 };
    }
    case C.IF_ADDR: {
      const r = decode(P.IfAddrRequest, data);
      const ifp = io.requireIf(r.name);
      if (r.op !== P.IFADDR_DELETE && r.prefixLen > 32)
        throw new KernelError("EINVAL", `bad prefix length ${r.prefixLen}`);
      st.rtEvents.as(by, () => {
        if (r.op === P.IFADDR_DELETE) st.deleteAddress(ifp, r.addr);
        else {
          const primary = ifp.primaryAddr;
          if (r.op === P.IFADDR_ADD && primary !== undefined && primary.addr !== r.addr)
            st.deleteAddress(ifp, primary.addr);
          st.addAddress(ifp, r.addr, r.prefixLen, r.broadcast === 0 ? undefined : r.broadcast);
        }
      });
      return { ret: 0 };
    }
    case C.IF_DESTROY: {
      const { name } = decode(P.NameRequest, data);
      await io.destroyInterface(name);
      return { ret: 0 };
    }
    case C.ROUTE_LIST:
      return ok(P.RouteListReply, { routes: st.routes.list().map(routeInfo) });
    case C.ROUTE_ADD: {
      const r = decode(P.RouteAddRequest, data);
      if (r.prefixLen > 32) throw new KernelError("EINVAL", `bad prefix length ${r.prefixLen}`);
      const ifp = r.ifname === "" ? undefined : io.requireIf(r.ifname);
      st.rtEvents.as(by, () =>
        st.addRoute(r.dst, r.prefixLen, r.gateway, {
          ifp,
          reject: r.reject,
          blackhole: r.blackhole,
          mtu: r.mtu,
        }),
      );
      return { ret: 0 };
    }
    case C.ROUTE_DELETE: {
      const r = decode(P.RouteDeleteRequest, data);
      st.rtEvents.as(by, () => st.deleteRoute(r.dst, r.prefixLen));
      return { ret: 0 };
    }
    case C.ROUTE_GET: {
      const { dst } = decode(P.RouteGetRequest, data);
      const g = st.routeGet(dst);
      return ok(P.RouteGetReply, {
        route: routeInfo(g.route),
        dst: g.dst >>> 0,
        ifname: g.ifp.name,
        gateway: g.gateway >>> 0,
        src: g.src >>> 0,
      });
    }
    case C.ARP_LIST: {
      const now = st.clock.now();
      const entries = st.arp.list().map((e) => ({
        ip: e.ip >>> 0,
        mac: e.mac >= 0 ? formatMac(e.mac) : "",
        ifname: e.ifp.name,
        state: e.state,
        expiresMs: e.state === ARP_PERMANENT ? -1 : Math.max(0, Math.round(e.expires - now)),
        published: e.published,
        text: st.arp.formatEntry(e),
      }));
      return ok(P.ArpListReply, { entries });
    }
    case C.ARP_DELETE: {
      st.arp.delete(decode(P.ArpDeleteRequest, data).ip);
      return { ret: 0 };
    }
    case C.ARP_SET: {
      const r = decode(P.ArpSetRequest, data);
      const mac = parseMac(r.mac);
      if (mac === null) throw new KernelError("EINVAL", `bad MAC address '${r.mac}'`);
      st.arp.addStatic(ifFor(io, r.ifname, r.ip), r.ip, mac, { temp: r.temp, pub: r.pub });
      return { ret: 0 };
    }
    case C.SYSCTL_GET:
      return ok(P.SysctlEntrySchema, sysctlEntry(io, decode(P.NameRequest, data).name));
    case C.SYSCTL_SET: {
      const r = decode(P.SysctlSetRequest, data);
      st.sysctl.set(r.name, r.value);
      return ok(P.SysctlEntrySchema, sysctlEntry(io, r.name));
    }
    case C.SYSCTL_LIST: {
      const names = st.sysctl.list(decode(P.NameRequest, data).name);
      return ok(P.SysctlListReply, { entries: names.map((n) => sysctlEntry(io, n)) });
    }
    case C.STATS:
      return ok(P.StatsReply, { counters: counters(io, decode(P.StatsRequest, data).group) });
    case C.NICINFO: {
      const { name } = decode(P.NameRequest, data);
      const ifp = io.requireIf(name);
      const b = io.binding(name);
      const ps = b?.port.stats();
      return ok(P.NicinfoReply, {
        info: ifInfo(io, ifp),
        port: b?.port.name ?? "",
        details: (b?.details() ?? []).map((d) => ({ label: d.key, text: d.value })),
        portRxPackets: ps?.rxPackets ?? 0,
        portRxBytes: ps?.rxBytes ?? 0,
        portRxDropped: ps?.rxDropped ?? 0,
        portTxPackets: ps?.txPackets ?? 0,
        portTxBytes: ps?.txBytes ?? 0,
        portTxErrors: ps?.txErrors ?? 0,
        rxDrops: b?.rxDrops() ?? { hostIf: 0, ring: 0, port: 0, queue: 0, nobufs: 0 },
      });
    }
    case C.ECHO_OPEN: {
      const s = sessionOf(ocb);
      s.echo?.close();
      s.echo = new EchoSession(st, io.kernel.clock, decode(P.EchoOpenRequest, data).preferredId);
      return ok(P.EchoOpenReply, { id: s.echo.id });
    }
    case C.ECHO_SEND: {
      const s = sessionOf(ocb);
      if (s.echo === null) throw new KernelError("ENOTCONN", "ECHO_OPEN first");
      const r = decode(P.EchoSendRequest, data);
      const errno = st.icmp.sendEcho(r.dst, s.echo.id, r.seq, r.payload, {
        ttl: r.ttl || undefined,
        df: r.df,
        src: r.src || undefined,
        ipOptions: r.ipOptions.length !== 0 ? r.ipOptions : undefined,
      });
      return ok(P.EchoSendReply, { errno });
    }
    case C.ECHO_RECV: {
      const echo = sessionOf(ocb).echo;
      if (echo === null) throw new KernelError("ENOTCONN", "ECHO_OPEN first");
      const { timeoutMs } = decode(P.EchoRecvRequest, data);
      let d: Deferred | null = null;
      const ev = echo.next(
        timeoutMs,
        () => (d = ctx.defer()),
        (e) => d?.reply(encodeDevctlReply(0, encode(P.EchoEventSchema, e)), 0),
      );
      return ev === null ? null : ok(P.EchoEventSchema, ev);
    }
    case C.ECHO_CLOSE: {
      const s = sessionOf(ocb);
      s.echo?.close();
      s.echo = null;
      return { ret: 0 };
    }
    case C.BPF_OPEN: {
      const r = decode(P.BpfOpenRequest, data);
      const ifp = r.ifname === "" || r.ifname === "any" ? null : io.requireIf(r.ifname);
      const filter = r.expr.trim() === "" ? null : compileFilter(r.expr);
      const s = sessionOf(ocb);
      s.bpf?.close();
      s.bpf = new BpfSession(st, io.kernel.clock, {
        ifp,
        dir: r.dir & P.BPF_DIR_INOUT || P.BPF_DIR_INOUT,
        filter,
        snaplen: r.snaplen,
        bufferFrames: r.bufferFrames,
      });
      return { ret: 0 };
    }
    case C.BPF_READ: {
      const bpf = sessionOf(ocb).bpf;
      if (bpf === null) throw new KernelError("ENOTCONN", "BPF_OPEN first");
      const r = decode(P.BpfReadRequest, data);
      let d: Deferred | null = null;
      const frames = bpf.read(
        r.maxFrames,
        r.timeoutMs,
        () => (d = ctx.defer()),
        (f) => d?.reply(encodeDevctlReply(0, encode(P.BpfReadReply, { frames: f })), 0),
      );
      return frames === null ? null : ok(P.BpfReadReply, { frames });
    }
    case C.BPF_STATS: {
      const bpf = sessionOf(ocb).bpf;
      if (bpf === null) throw new KernelError("ENOTCONN", "BPF_OPEN first");
      return ok(P.BpfStatsReply, { seen: bpf.tap.seen, matched: bpf.tap.matched, dropped: bpf.dropped });
    }
    case C.BPF_CLOSE: {
      const s = sessionOf(ocb);
      s.bpf?.close();
      s.bpf = null;
      return { ret: 0 };
    }
    case C.MODULE_LOAD: {
      checkRoot(ctx);
      const r = decode(P.ModuleLoadRequest, data);
      const mod = await io.loadModule(classOf(r.module), r.module, r.options);
      return ok(P.ModuleLoadReply, { interfaces: [...mod.bindings].map((b) => b.ifp.name) });
    }
    case C.MODULE_UNLOAD: {
      checkRoot(ctx);
      await io.unload(decode(P.ModuleUnloadRequest, data).name);
      return { ret: 0 };
    }
    case C.MODULE_LIST:
      return ok(P.ModuleListReply, {
        modules: io.modules.map((m) => ({
          kind: m.kind,
          name: m.name,
          options: m.options,
          interfaces: [...m.bindings].map((b) => b.ifp.name),
          source: m.source,
        })),
      });
    case C.THREADS:
      return ok(P.ThreadsReply, { threads: threadList(io) });
    default:
      throw new KernelError("ENOTTY", `unknown io-pkt control command 0x${dcmd.toString(16)}`);
  }
}

/** Loading and unloading modules is for root, as mount is on QNX. */
function checkRoot(ctx: IoContext): void {
  if (ctx.cred.uid !== 0) throw new KernelError("EPERM", "only root may load or unload io-pkt modules");
}

export { EMPTY as NO_DATA };
