// In-process virtual wires by name (`-d vwire hub=lan0`): every io-pkt of one runtime that
// names the same hub is plugged into the same VirtualWire. The registry belongs to the
// runtime (one per Kernel); simulated nodes (several kernels in one process) share one by
// calling shareHubRegistry.
import type { Clock } from "../../kernel/clock.ts";
import type { Kernel } from "../../kernel/kernel.ts";
import { VirtualWire } from "../../../hal/eth/vwire.ts";

export class HubRegistry {
  private readonly hubs = new Map<string, VirtualWire>();

  /** The hub called `name`, created on first use with `clock` for its delays. */
  get(name: string, clock: Clock, mtu = 1500): VirtualWire {
    let w = this.hubs.get(name);
    if (w === undefined) {
      w = new VirtualWire({ name, clock, mtu });
      this.hubs.set(name, w);
    }
    return w;
  }

  /** An existing hub (tests use it to wait until the wire is idle). */
  find(name: string): VirtualWire | undefined {
    return this.hubs.get(name);
  }

  names(): string[] {
    return [...this.hubs.keys()];
  }
}

const SERVICE = "net.vwire.hubs";

/** The registry of a runtime, kept in its Kernel's services (created on first use). */
export function hubRegistryFor(kernel: Kernel): HubRegistry {
  let r = kernel.services.get(SERVICE) as HubRegistry | undefined;
  if (r === undefined) {
    r = new HubRegistry();
    kernel.services.set(SERVICE, r);
  }
  return r;
}

/** Makes several runtimes (simulated nodes in one process) see the same hubs. */
export function shareHubRegistry(kernels: readonly Kernel[], registry = new HubRegistry()): HubRegistry {
  for (const k of kernels) k.services.set(SERVICE, registry);
  return registry;
}
