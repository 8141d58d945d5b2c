// One io-pkt instance: the stack, the L2 workers and their event channel, the stack timers
// as pulses, the loaded modules and the interfaces they attached. The Program (io-pkt.ts)
// parses the command line and serves the paths; this object does the work, and tests can
// drive it directly.
import type { ResourceManager } from "../../resmgr/resmgr.ts";
import { TcpSockets } from "../tcp/tcp-socket.ts";
import type { Kernel } from "../../kernel/kernel.ts";
import { KernelError } from "../../kernel/errno.ts";
import { SLOG_MAJOR, SLOG_SEVERITY } from "../../kernel/slog.ts";
import type { Thread } from "../../kernel/thread.ts";
import type { FsClient, ProgramContext } from "../../program.ts";
import type { SocketClient } from "../socket/api.ts";
import { parseModuleOptions } from "../module-options.ts";
import { IFF_MULTICAST, type Ifnet } from "../stack/ifnet.ts";
import { Stack } from "../stack/stack.ts";
import { bytesToMac } from "../drivers/mac-bytes.ts";
import { interfaceName } from "../drivers/driver-options.ts";
import { describeImpairedPath, ImpairedEthPort } from "../../../hal/eth/impaired-port.ts";
import { IfBinding } from "./interface-binding.ts";
import type {
  EthAttachRequest,
  ModuleContext,
  ModuleDescriptor,
  ModuleInstance,
  ModuleKind,
} from "./module-descriptor.ts";
import { fullModuleName, moduleBaseName, resolveModule, type ModuleQuery } from "./module-loader.ts";
import { PulseClock } from "./pulse-clock.ts";
import { PULSE_TIMER } from "./pulse-codes.ts";
import type { TcpipOptions } from "./tcpip-options.ts";
import { L2Workers } from "./workers.ts";
import { SocketLayer } from "../socket/layer.ts";
import { SocketServer } from "../socket/server.ts";

export interface IoPktConfig extends TcpipOptions {
  /** -i */
  instance: number;
  /** -t (L2 workers). */
  threads: number;
  verbose: boolean;
}

export interface LoadedModule {
  readonly kind: ModuleKind;
  readonly name: string;
  readonly options: string;
  readonly source: string;
  readonly descriptor: ModuleDescriptor;
  instance: ModuleInstance | null;
  readonly bindings: Set<IfBinding>;
}

export const IO_PKT_VERSION = "netrino io-pkt 1.0";

export class IoPkt {
  readonly kernel: Kernel;
  /** The thread that created the instance (io-pkt's main thread). */
  readonly thread: Thread;
  readonly config: IoPktConfig;
  readonly fs: FsClient;
  /** io-pkt's own libsocket (modules that are socket clients, e.g. lsm-qnet's resolve=dns). */
  readonly libsocket: SocketClient;
  readonly stack: Stack;
  /** The resource manager io-pkt serves its paths with (set by io-pkt's main; modules attach to it). */
  resmgr: ResourceManager | null = null;
  /** Sockets on the stack (UDP, raw, …) and the /dev/socket/<domain> server over them. */
  readonly sockets: SocketLayer;
  readonly socketServer: SocketServer;
  readonly workers: L2Workers;
  readonly clock: PulseClock;
  readonly modules: LoadedModule[] = [];
  /** Interfaces by slot (the receive pulse's value); holes after destroy. */
  private readonly slots: (IfBinding | undefined)[] = [];
  private readonly byName = new Map<string, IfBinding>();
  /** True while per-interface priorities are overridden (too few workers). */
  private priorityOverride = false;
  private stopped = false;

  constructor(thread: Thread, config: IoPktConfig, client: Pick<ProgramContext, "fs" | "sockets">) {
    this.kernel = thread.kernel;
    this.thread = thread;
    this.config = config;
    this.fs = client.fs;
    this.libsocket = client.sockets;
    this.workers = new L2Workers(thread, {
      rx: (slot) => this.slots[slot]?.drain() ?? 0,
      timer: (id) => void this.clock.fire(id),
    });
    this.clock = new PulseClock(this.kernel.clock, (id) =>
      this.workers.pulse(this.config.timerPrio, PULSE_TIMER, id),
    );
    this.stack = new Stack({ clock: this.clock, log: (sev, text) => this.log(sev, text) });
    if (config.forward) this.stack.config.forwarding = 1;
    this.sockets = new SocketLayer(this.stack);
    this.sockets.addProtocol(new TcpSockets(this.sockets, this.stack.tcp.engine));
    this.socketServer = new SocketServer(this.sockets, this.kernel.clock);
    this.workers.start(config.threads, config.rxPrio);
    this.log(SLOG_SEVERITY.INFO, "tcpip starting");
  }

  get pid(): number {
    return this.thread.process.pid;
  }

  log(severity: number, text: string): void {
    this.kernel.slog.log(SLOG_MAJOR.NET, this.config.instance, severity, text, this.pid);
  }

  // ---- interfaces ----

  bindings(): IfBinding[] {
    return this.slots.filter((b): b is IfBinding => b !== undefined);
  }

  binding(name: string): IfBinding | undefined {
    return this.byName.get(name);
  }

  /** ENXIO "interface en9 does not exist" for a name the stack does not know. */
  requireIf(name: string): Ifnet {
    return this.stack.requireIf(name);
  }

  private attachEthPort(mod: LoadedModule, req: EthAttachRequest): Ifnet {
    if (this.stopped) throw new KernelError("ESHUTDOWN");
    const std = req.std;
    const name = interfaceName(std, (n) => this.stack.ifunit(n) !== undefined);
    if (this.stack.ifunit(name)) throw new KernelError("EEXIST", `interface ${name} already exists`);
    // loss=, delay= …: the fault injector goes between the driver's port and the stack, so it
    // acts on any driver; the binding closes it (and the port under it) at detach.
    const impaired = std.impair
      ? new ImpairedEthPort(req.port, { rx: std.impair.rx, tx: std.impair.tx, clock: this.kernel.clock })
      : null;
    const port = impaired ?? req.port;
    for (const [opt, value] of [
      ["mtu", std.mtu],
      ["mru", std.mru],
    ] as const) {
      if (value !== undefined && value > port.mtu) {
        throw new KernelError("EINVAL", `${opt}=${value} is above the maximum ${port.mtu} of ${port.name}`);
      }
    }
    // Options of real hardware that a host or virtual port has nothing to apply to.
    if (std.phy !== undefined)
      this.log(SLOG_SEVERITY.WARNING, `${mod.name}: phy= ignored: ${port.name} has no PHY to select`);
    if (std.iftype !== undefined)
      this.log(SLOG_SEVERITY.WARNING, `${mod.name}: iftype= ignored: ${port.name} is Ethernet`);
    const ifp = this.stack.attach({
      name,
      mac: std.mac ?? bytesToMac(port.mac),
      mtu: std.mtu ?? port.mtu,
      maxMtu: port.mtu,
      output: (frame, len) => port.send(frame, len),
      media: req.media,
      promiscuous: std.promiscuous,
      linkUp: port.linkUp,
    });
    if (std.nomulticast) ifp.flags &= ~IFF_MULTICAST;
    let slot = this.slots.indexOf(undefined);
    if (slot < 0) slot = this.slots.length;
    const b = new IfBinding({
      slot,
      ifp,
      port,
      module: mod.name,
      requestedPriority: std.priority,
      priority: std.priority ?? this.config.rxPrio,
      stack: this.stack,
      workers: this.workers,
      details:
        impaired === null
          ? req.details
          : () => [
              ...(req.details?.() ?? []),
              { key: "Impairment rx", value: describeImpairedPath(impaired.rx) },
              { key: "Impairment tx", value: describeImpairedPath(impaired.tx) },
            ],
      onPriority: req.onPriority,
      mru: std.mru,
      rcvFullDrops: () => this.sockets.rcvFullDrops(),
    });
    ifp.driverData = b;
    this.slots[slot] = b;
    this.byName.set(name, b);
    mod.bindings.add(b);
    this.applyPriorities();
    port.onLink((up) => this.stack.setLinkState(ifp, up));
    port.onFrame(b.onFrame);
    this.log(SLOG_SEVERITY.INFO, `${name}: attached (${mod.name}, ${port.name})`);
    return ifp;
  }

  /**
   * Per-interface receive priorities need a worker per interface; with fewer workers, QNX
   * logs a warning and uses rx_prio for every interface. So do we.
   */
  private applyPriorities(): void {
    const all = this.bindings();
    const wantsOwn = all.some((b) => b.requestedPriority !== undefined);
    const tooFew = wantsOwn && all.length > this.workers.count;
    if (tooFew && !this.priorityOverride) {
      this.log(
        SLOG_SEVERITY.WARNING,
        `io-pkt: ${all.length} interfaces but only ${this.workers.count} threads: per-interface priority ignored, using rx_prio ${this.config.rxPrio} (use -t ${all.length})`,
      );
    }
    this.priorityOverride = tooFew;
    for (const b of all)
      b.setPriority(tooFew ? this.config.rxPrio : (b.requestedPriority ?? this.config.rxPrio));
  }

  /** `ifconfig en0 destroy`: the driver goes with its last interface. */
  async destroyInterface(name: string): Promise<void> {
    const b = this.byName.get(name);
    if (b === undefined) {
      this.stack.requireIf(name); // ENXIO for unknown names
      throw new KernelError("EOPNOTSUPP", `${name} cannot be destroyed`);
    }
    this.detachBinding(b);
    const mod = this.modules.find((m) => m.bindings.has(b));
    if (mod === undefined) return;
    mod.bindings.delete(b);
    if (mod.kind === "driver" && mod.bindings.size === 0) await this.dropModule(mod);
  }

  private detachBinding(b: IfBinding): void {
    this.stack.detach(b.ifp);
    b.close();
    this.slots[b.slot] = undefined;
    this.byName.delete(b.ifp.name);
    this.applyPriorities();
    this.log(SLOG_SEVERITY.INFO, `${b.ifp.name}: destroyed`);
  }

  // ---- modules ----

  /**
   * Loads `spec` (`vwire`, `devnp-vwire.so`, `/lib/dll/devnp-x.js`, `sample`) with `options`.
   * A failure goes to the system log (`Unable to load devnp-vwire.so: …`), as QNX's io-pkt
   * logs it, whoever asked for the load; the error is rethrown unchanged.
   */
  async loadModule(cls: ModuleQuery, spec: string, options: string): Promise<LoadedModule> {
    try {
      return await this.load(cls, spec, options);
    } catch (e) {
      this.log(SLOG_SEVERITY.ERROR, `io-pkt: ${loadFailureText(cls, spec, e)}`);
      throw e;
    }
  }

  private async load(cls: ModuleQuery, spec: string, options: string): Promise<LoadedModule> {
    if (this.stopped) throw new KernelError("ESHUTDOWN");
    const { descriptor, source } = await resolveModule(cls, spec, this.fs);
    const parsed = parseModuleOptions(descriptor.options, options, descriptor.name);
    if (parsed.diagnostics.length !== 0) {
      throw new KernelError("EINVAL", parsed.diagnostics.map((d) => d.message).join("; "));
    }
    const mod: LoadedModule = {
      kind: descriptor.kind,
      name: descriptor.name,
      options,
      source,
      descriptor,
      instance: null,
      bindings: new Set(),
    };
    const ctx: ModuleContext = {
      kernel: this.kernel,
      stack: this.stack,
      clock: this.kernel.clock,
      fs: this.fs,
      sockets: this.libsocket,
      prefix: this.config.prefix,
      rxPrio: this.config.rxPrio,
      resmgr: this.resmgr,
      log: (sev, text) => this.log(sev, text),
      attachEthPort: (req) => this.attachEthPort(mod, req),
    };
    try {
      mod.instance = await descriptor.attach(ctx, parsed.values);
    } catch (e) {
      for (const b of [...mod.bindings]) this.detachBinding(b);
      throw e;
    }
    this.modules.push(mod);
    this.log(SLOG_SEVERITY.INFO, `${descriptor.name}: loaded${options ? ` (${options})` : ""}`);
    return mod;
  }

  /** Unloads a module by name (`vwire`, `devnp-vwire.so`, `lsm-sample`) or destroys an interface (`en0`). */
  async unload(name: string): Promise<void> {
    if (this.byName.has(name)) return this.destroyInterface(name);
    const base = moduleBaseName(name);
    const wanted = new Set([base, fullModuleName("driver", base), fullModuleName("protocol", base)]);
    const mod = this.modules.find((m) => wanted.has(m.name));
    if (mod === undefined) throw new KernelError("ENOENT", `${name}: no such module or interface`);
    for (const b of [...mod.bindings]) this.detachBinding(b);
    mod.bindings.clear();
    await this.dropModule(mod);
  }

  private async dropModule(mod: LoadedModule): Promise<void> {
    const i = this.modules.indexOf(mod);
    if (i >= 0) this.modules.splice(i, 1);
    const inst = mod.instance;
    mod.instance = null;
    try {
      await inst?.detach();
    } finally {
      this.log(SLOG_SEVERITY.INFO, `${mod.name}: unloaded`);
    }
  }

  // ---- lifetime ----

  /** Stops workers, closes ports, detaches modules and stops the stack's timers. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    for (const b of this.bindings()) {
      b.close();
      this.slots[b.slot] = undefined;
    }
    this.byName.clear();
    for (const m of [...this.modules].reverse()) {
      try {
        await m.instance?.detach();
      } catch {
        // a module that fails to let go must not stop the others
      }
    }
    this.modules.length = 0;
    this.stopped = true;
    this.workers.stop();
    this.clock.clearAll();
    this.stack.stop();
  }
}

/** QNX's words for a module that would not load: `Unable to load devnp-x.so: <reason>`. */
export function loadFailureText(cls: ModuleQuery, spec: string, e: unknown): string {
  const name = cls === "either" ? spec : `${fullModuleName(cls, spec)}.so`;
  return `Unable to load ${name}: ${e instanceof Error ? e.message : String(e)}`;
}
