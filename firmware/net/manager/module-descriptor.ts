// What an io-pkt module is: a descriptor with its kind, name, option schema and an attach
// function. Built-in modules and user modules from the image (/lib/dll/devnp-*.js,
// lsm-*.js, whose default export is a descriptor) look the same to io-pkt.
import type { Clock } from "../../kernel/clock.ts";
import type { Kernel } from "../../kernel/kernel.ts";
import type { FsClient } from "../../program.ts";
import type { SocketClient } from "../socket/api.ts";
import type { ResourceManager } from "../../resmgr/resmgr.ts";
import type { EthPort } from "../../../hal/eth/eth-port.ts";
import type { OptionSchema, OptionValue } from "../module-options.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import type { Stack } from "../stack/stack.ts";
import type { StandardDriverOptions } from "../drivers/driver-options.ts";

export type ModuleKind = "driver" | "protocol" | "filter";

/** One driver-provided fact nicinfo prints ("Link speed" → "1000 Mbps"). */
export interface DriverDetail {
  key: string;
  value: string;
}

export interface EthAttachRequest {
  port: EthPort;
  /** The standard options the driver was given (name=, mac=, mtu=, priority= …). */
  std: StandardDriverOptions;
  /** ifconfig's media text; default "Ethernet autoselect". */
  media?: string;
  /** Extra lines for nicinfo. */
  details?: () => DriverDetail[];
  /** Called when io-pkt changes the interface's receive priority after attaching it (the
   * too-few-workers rule of docs/threading.md), so the driver can follow it. */
  onPriority?: (priority: number) => void;
}

/** What io-pkt gives a module while it attaches and runs. */
export interface ModuleContext {
  readonly kernel: Kernel;
  readonly stack: Stack;
  /** The kernel's clock (timers of modules go through it). */
  readonly clock: Clock;
  /** Reads files from the image (user modules, configuration). */
  readonly fs: FsClient;
  /** io-pkt's libsocket: calls go to its own /dev/socket like any program's (DNS lookups). */
  readonly sockets: SocketClient;
  /** The tcpip prefix= of this instance ("" by default): keeps in-process wires per instance apart when asked. */
  readonly prefix: string;
  /** The tcpip rx_prio= of this instance: an interface whose priority= is below it is a low-priority one. */
  readonly rxPrio: number;
  /** io-pkt's resource manager (protocols attach paths such as /net to it); null in bare tests. */
  readonly resmgr: ResourceManager | null;
  /** io-pkt's system-log sink; severity as _SLOG_* (0..7). */
  log(severity: number, text: string): void;
  /**
   * Drivers: plugs an Ethernet port into the stack as a new interface. io-pkt names it,
   * copies each received frame once into a pool buffer, queues it for the L2 workers at the
   * interface's priority, and transmits through `port.send`. Throws EEXIST for a taken name=.
   */
  attachEthPort(req: EthAttachRequest): Ifnet;
}

/** A loaded module. `detach` releases what it holds (ports, hooks, timers). */
export interface ModuleInstance {
  detach(): void | Promise<void>;
}

export interface ModuleDescriptor {
  readonly kind: ModuleKind;
  /** Full name: `devnp-vwire`, `lsm-sample`. */
  readonly name: string;
  readonly options: OptionSchema;
  attach(ctx: ModuleContext, opts: Record<string, OptionValue>): ModuleInstance | Promise<ModuleInstance>;
}

/** Duck-typing check for the default export of a user module. */
export function isModuleDescriptor(v: unknown): v is ModuleDescriptor {
  if (typeof v !== "object" || v === null) return false;
  const d = v as Partial<ModuleDescriptor>;
  return (
    (d.kind === "driver" || d.kind === "protocol" || d.kind === "filter") &&
    typeof d.name === "string" &&
    Array.isArray(d.options) &&
    typeof d.attach === "function"
  );
}
