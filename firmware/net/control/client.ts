// NetControl: the client library the network utilities use to talk to io-pkt. One open of
// `<prefix>/dev/socket/config`; every method is one devctl on it. Errors are the server's
// KernelErrors (ENXIO "interface en9 does not exist", ESRCH "not in table" …). ICMP echo
// sessions and BPF taps belong to this open and end with close().
import type { AnySchema, Parsed } from "typed-binary";
import type { FileHandle, FsClient } from "../../program.ts";
import { decode, encode } from "./codec.ts";
import { controlPath, normalizePrefix, prefixFromEnv } from "./paths.ts";
import * as P from "./protocol.ts";

export type {
  ArpInfo,
  BpfFrame,
  BpfStats,
  Counter,
  EchoEvent,
  IfInfo,
  ModuleInfoRecord,
  NetInfo,
  Nicinfo,
  RouteGetInfo,
  RouteInfo,
  SysctlEntry,
  WorkerInfo,
} from "./protocol.ts";

export interface OpenOptions {
  /** Stack prefix; default: $SOCK of `env`, else the default stack. */
  prefix?: string;
  env?: Record<string, string | undefined>;
}

export interface AddrSpec {
  addr: number;
  prefixLen: number;
  /** Default: the subnet's directed broadcast. */
  broadcast?: number;
}

export interface RouteSpec {
  dst: number;
  prefixLen: number;
  /** 0: a direct route out of `ifname`. */
  gateway: number;
  ifname?: string;
  reject?: boolean;
  blackhole?: boolean;
  mtu?: number;
}

export interface EchoRequest {
  dst: number;
  seq: number;
  ttl?: number;
  df?: boolean;
  src?: number;
  payload: Uint8Array;
  /** IP options bytes (ping -R). */
  ipOptions?: Uint8Array;
}

export interface BpfOpenOptions {
  /** "" or "any": every interface. */
  ifname?: string;
  expr?: string;
  /** BPF_DIR_IN | BPF_DIR_OUT (default both). */
  dir?: number;
  snaplen?: number;
  bufferFrames?: number;
}

export class NetControl {
  readonly prefix: string;
  private readonly fh: FileHandle;

  private constructor(prefix: string, fh: FileHandle) {
    this.prefix = prefix;
    this.fh = fh;
  }

  /** Opens the control file of the stack chosen by `opts.prefix` or $SOCK. ENOENT when no io-pkt runs there. */
  static async open(fs: FsClient, opts: OpenOptions = {}): Promise<NetControl> {
    const prefix = opts.prefix !== undefined ? normalizePrefix(opts.prefix) : prefixFromEnv(opts.env ?? {});
    const fh = await fs.open(controlPath(prefix), "r");
    return new NetControl(prefix, fh);
  }

  close(): Promise<void> {
    return this.fh.close();
  }

  private async call<R extends AnySchema>(
    dcmd: number,
    reqSchema: AnySchema | null,
    req: unknown,
    replySchema: R,
  ): Promise<Parsed<R["__unwrapped"]>> {
    const data = reqSchema === null ? new Uint8Array(0) : encode(reqSchema, req as never);
    const reply = await this.fh.devctl(dcmd, data, P.NETCTL_REPLY_MAX);
    return decode(replySchema, reply);
  }

  private async command(dcmd: number, reqSchema: AnySchema, req: unknown): Promise<void> {
    await this.fh.devctl(dcmd, encode(reqSchema, req as never), P.NETCTL_REPLY_MAX);
  }

  // ---- the instance ----

  info(): Promise<P.NetInfo> {
    return this.call(P.NETCTL.INFO, null, null, P.InfoReply);
  }

  // ---- interfaces ----

  /** Every interface in index order (lo0 first). */
  async interfaces(): Promise<P.IfInfo[]> {
    return (await this.call(P.NETCTL.IF_LIST, P.NameRequest, { name: "" }, P.IfListReply)).ifs;
  }

  /** One interface; ENXIO when it does not exist. */
  async interface(name: string): Promise<P.IfInfo> {
    const r = await this.call(P.NETCTL.IF_LIST, P.NameRequest, { name }, P.IfListReply);
    return r.ifs[0] as P.IfInfo;
  }

  setUp(name: string, up: boolean): Promise<void> {
    return this.command(P.NETCTL.IF_SET, P.IfSetRequest, { name, up: up ? 1 : 0, promisc: -1, mtu: -1 });
  }

  setPromisc(name: string, on: boolean): Promise<void> {
    return this.command(P.NETCTL.IF_SET, P.IfSetRequest, { name, up: -1, promisc: on ? 1 : 0, mtu: -1 });
  }

  setMtu(name: string, mtu: number): Promise<void> {
    return this.command(P.NETCTL.IF_SET, P.IfSetRequest, { name, up: -1, promisc: -1, mtu });
  }

  /** `ifconfig en0 10.0.0.1/24`: replaces the primary address (brings the interface up). */
  setAddress(name: string, a: AddrSpec): Promise<void> {
    return this.addr(name, P.IFADDR_ADD, a);
  }

  /** `ifconfig en0 alias 10.0.0.2/24`. */
  addAlias(name: string, a: AddrSpec): Promise<void> {
    return this.addr(name, P.IFADDR_ALIAS, a);
  }

  /** `ifconfig en0 delete 10.0.0.2`; EADDRNOTAVAIL when it is not there. */
  deleteAddress(name: string, addr: number): Promise<void> {
    return this.addr(name, P.IFADDR_DELETE, { addr, prefixLen: 0 });
  }

  private addr(name: string, op: number, a: AddrSpec): Promise<void> {
    return this.command(P.NETCTL.IF_ADDR, P.IfAddrRequest, {
      name,
      op,
      addr: a.addr >>> 0,
      prefixLen: a.prefixLen,
      broadcast: (a.broadcast ?? 0) >>> 0,
    });
  }

  /** `ifconfig en0 destroy`: removes the interface; its driver is unloaded with its last one. */
  destroy(name: string): Promise<void> {
    return this.command(P.NETCTL.IF_DESTROY, P.NameRequest, { name });
  }

  // ---- routes ----

  async routes(): Promise<P.RouteInfo[]> {
    return (await this.call(P.NETCTL.ROUTE_LIST, null, null, P.RouteListReply)).routes;
  }

  addRoute(r: RouteSpec): Promise<void> {
    return this.command(P.NETCTL.ROUTE_ADD, P.RouteAddRequest, {
      dst: r.dst >>> 0,
      prefixLen: r.prefixLen,
      gateway: r.gateway >>> 0,
      ifname: r.ifname ?? "",
      reject: r.reject ?? false,
      blackhole: r.blackhole ?? false,
      mtu: r.mtu ?? 0,
    });
  }

  /** ESRCH ("not in table") when there is no such route. */
  deleteRoute(dst: number, prefixLen: number): Promise<void> {
    return this.command(P.NETCTL.ROUTE_DELETE, P.RouteDeleteRequest, { dst: dst >>> 0, prefixLen });
  }

  /** `route get`: ESRCH when nothing matches. */
  routeGet(dst: number): Promise<P.RouteGetInfo> {
    return this.call(P.NETCTL.ROUTE_GET, P.RouteGetRequest, { dst: dst >>> 0 }, P.RouteGetReply);
  }

  // ---- ARP ----

  async arpList(): Promise<P.ArpInfo[]> {
    return (await this.call(P.NETCTL.ARP_LIST, null, null, P.ArpListReply)).entries;
  }

  arpDelete(ip: number): Promise<void> {
    return this.command(P.NETCTL.ARP_DELETE, P.ArpDeleteRequest, { ip: ip >>> 0 });
  }

  arpSet(
    ip: number,
    mac: string,
    opts: { ifname?: string; temp?: boolean; pub?: boolean } = {},
  ): Promise<void> {
    return this.command(P.NETCTL.ARP_SET, P.ArpSetRequest, {
      ip: ip >>> 0,
      mac,
      ifname: opts.ifname ?? "",
      temp: opts.temp ?? false,
      pub: opts.pub ?? false,
    });
  }

  // ---- sysctl ----

  /** ENOENT for an unknown name. */
  sysctlGet(name: string): Promise<P.SysctlEntry> {
    return this.call(P.NETCTL.SYSCTL_GET, P.NameRequest, { name }, P.SysctlEntrySchema);
  }

  /** Returns the entry after the change; EPERM for read-only names, EINVAL for bad values. */
  sysctlSet(name: string, value: string | number): Promise<P.SysctlEntry> {
    return this.call(
      P.NETCTL.SYSCTL_SET,
      P.SysctlSetRequest,
      { name, value: String(value) },
      P.SysctlEntrySchema,
    );
  }

  /** Every name under `prefix` ("" = all, as sysctl -a). */
  async sysctlList(prefix = ""): Promise<P.SysctlEntry[]> {
    return (await this.call(P.NETCTL.SYSCTL_LIST, P.NameRequest, { name: prefix }, P.SysctlListReply))
      .entries;
  }

  // ---- statistics ----

  /** Protocol counters; `group` "" = all groups (ip, icmp, arp, ether, pfil, bpf, pool, iopkt). */
  async stats(group = ""): Promise<P.Counter[]> {
    return (await this.call(P.NETCTL.STATS, P.StatsRequest, { group }, P.StatsReply)).counters;
  }

  nicinfo(name: string): Promise<P.Nicinfo> {
    return this.call(P.NETCTL.NICINFO, P.NameRequest, { name }, P.NicinfoReply);
  }

  // ---- ICMP echo ----

  /** Claims an echo identifier for this open (ping passes its pid); the stack picks a free one near it. */
  async echoOpen(preferredId: number): Promise<number> {
    return (
      await this.call(
        P.NETCTL.ECHO_OPEN,
        P.EchoOpenRequest,
        { preferredId: preferredId & 0xffff },
        P.EchoOpenReply,
      )
    ).id;
  }

  /** Sends one echo request; resolves with 0 or an errno number (ERRNO.EHOSTUNREACH …). */
  async echoSend(r: EchoRequest): Promise<number> {
    const reply = await this.call(
      P.NETCTL.ECHO_SEND,
      P.EchoSendRequest,
      {
        dst: r.dst >>> 0,
        seq: r.seq & 0xffff,
        ttl: r.ttl ?? 0,
        df: r.df ?? false,
        src: (r.src ?? 0) >>> 0,
        payload: r.payload,
        ipOptions: r.ipOptions ?? new Uint8Array(0),
      },
      P.EchoSendReply,
    );
    return reply.errno;
  }

  /** The next reply or ICMP error for our id; kind ECHO_EV_TIMEOUT when `timeoutMs` passes first. */
  echoReceive(timeoutMs: number): Promise<P.EchoEvent> {
    return this.call(
      P.NETCTL.ECHO_RECV,
      P.EchoRecvRequest,
      { timeoutMs: Math.max(0, Math.round(timeoutMs)) },
      P.EchoEventSchema,
    );
  }

  echoClose(): Promise<void> {
    return this.command(P.NETCTL.ECHO_CLOSE, P.EmptySchema, {});
  }

  // ---- BPF ----

  /** Opens a tap (one per NetControl); EINVAL with the parser's message for a bad expression. */
  bpfOpen(o: BpfOpenOptions = {}): Promise<void> {
    return this.command(P.NETCTL.BPF_OPEN, P.BpfOpenRequest, {
      ifname: o.ifname ?? "",
      expr: o.expr ?? "",
      dir: o.dir ?? P.BPF_DIR_INOUT,
      snaplen: o.snaplen ?? 262144,
      bufferFrames: o.bufferFrames ?? 4096,
    });
  }

  /** Frames captured so far (up to `maxFrames`); waits up to `timeoutMs` for the first one. */
  async bpfRead(maxFrames = 256, timeoutMs = 1000): Promise<P.BpfFrame[]> {
    return (
      await this.call(
        P.NETCTL.BPF_READ,
        P.BpfReadRequest,
        { maxFrames, timeoutMs: Math.max(0, Math.round(timeoutMs)) },
        P.BpfReadReply,
      )
    ).frames;
  }

  bpfStats(): Promise<P.BpfStats> {
    return this.call(P.NETCTL.BPF_STATS, null, null, P.BpfStatsReply);
  }

  bpfClose(): Promise<void> {
    return this.command(P.NETCTL.BPF_CLOSE, P.EmptySchema, {});
  }

  // ---- modules ----

  /** `mount -T io-pkt -o opts module`: resolves with the interfaces the module attached. */
  async loadModule(module: string, options = ""): Promise<string[]> {
    return (
      await this.call(P.NETCTL.MODULE_LOAD, P.ModuleLoadRequest, { module, options }, P.ModuleLoadReply)
    ).interfaces;
  }

  /** Unloads a module by name, or destroys an interface (`en0`). */
  unloadModule(name: string): Promise<void> {
    return this.command(P.NETCTL.MODULE_UNLOAD, P.ModuleUnloadRequest, { name });
  }

  async modules(): Promise<P.ModuleInfoRecord[]> {
    return (await this.call(P.NETCTL.MODULE_LIST, null, null, P.ModuleListReply)).modules;
  }

  // ---- threads ----

  /** io-pkt's threads: main, L2 workers, resource-manager threads, with priorities and states. */
  async threads(): Promise<P.WorkerInfo[]> {
    return (await this.call(P.NETCTL.THREADS, null, null, P.ThreadsReply)).threads;
  }
}
