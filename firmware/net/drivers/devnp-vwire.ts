// devnp-vwire: a virtual Ethernet wire. `hub=name` plugs into an in-process hub shared by
// every io-pkt of the runtime that names it (tests, simulated nodes); `udp=host:port` joins
// the UDP wire whose datagrams are raw Ethernet frames (QEMU's -netdev socket,udp=…), so two
// `netrino boot` runs on one machine share a LAN without root; `peer=host:port` (with
// `local=host:port`) is the hub-less point-to-point link of QEMU's udp=/localaddr=.
// The impairment options (loss=, delay= …) are every driver's: io-pkt puts the fault injector
// under this port as under any other.
import { KernelError } from "../../kernel/errno.ts";
import { DEFAULT_WIRE_PORT } from "../../../hal/eth/udp-endpoint.ts";
import { UdpEthPort } from "../../../hal/eth/udp-port.ts";
import type { EthPort } from "../../../hal/eth/eth-port.ts";
import type { OptionValue } from "../module-options.ts";
import { DEVNP_VWIRE } from "../modules/catalog.ts";
import type { ModuleContext, ModuleDescriptor, ModuleInstance } from "../manager/module-descriptor.ts";
import { mediaText, standardDriverOptions } from "./driver-options.ts";
import { hubRegistryFor } from "./hub-registry.ts";
import { macToBytes } from "./mac-bytes.ts";

/** The in-process hub used when neither hub= nor udp= is given. */
export const DEFAULT_HUB = "vwire0";

const devnpVwire: ModuleDescriptor = {
  kind: "driver",
  name: DEVNP_VWIRE.name,
  options: DEVNP_VWIRE.options,
  async attach(ctx: ModuleContext, opts: Record<string, OptionValue>): Promise<ModuleInstance> {
    const std = standardDriverOptions(opts);
    const mac = std.mac === undefined ? undefined : macToBytes(std.mac);
    let port: EthPort;
    let where: string;
    const udp = typeof opts.udp === "string" ? opts.udp : undefined;
    const peer = typeof opts.peer === "string" ? opts.peer : undefined;
    const local = typeof opts.local === "string" ? opts.local : undefined;
    if (udp !== undefined || peer !== undefined || local !== undefined) {
      if (typeof opts.hub === "string") {
        throw new KernelError(
          "EINVAL",
          "devnp-vwire: give either hub= (in-process) or udp=/peer= (UDP wire), not both",
        );
      }
      if (udp !== undefined && peer !== undefined) {
        throw new KernelError("EINVAL", "devnp-vwire: give either udp= (a hub) or peer= (point to point)");
      }
      port = await UdpEthPort.open({
        hub: udp,
        peer,
        local,
        mac,
        mtu: std.mtu,
        clock: ctx.clock,
      });
      where = peer !== undefined ? `udp peer ${peer}` : `udp ${udp ?? DEFAULT_WIRE_PORT}`;
    } else {
      const hubName = typeof opts.hub === "string" ? opts.hub : DEFAULT_HUB;
      const wire = hubRegistryFor(ctx.kernel).get(hubName, ctx.clock, std.mtu);
      port = wire.attach({ mac });
      where = `hub ${hubName}`;
    }
    let ifp;
    try {
      ifp = ctx.attachEthPort({
        port,
        std,
        media: mediaText(std, "Ethernet autoselect (1000baseT full-duplex)"),
        details: () => [{ key: "Wire", value: where }],
      });
    } catch (e) {
      port.close();
      throw e;
    }
    if (std.verbose) ctx.log(5, `devnp-vwire: ${ifp.name} on ${where}`);
    return { detach: () => port.close() };
  },
};

export default devnpVwire;
