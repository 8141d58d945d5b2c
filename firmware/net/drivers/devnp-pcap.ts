// devnp-pcap: a host interface through libpcap (node-pcap): immediate mode, a snaplen that
// fits the MTU, a large kernel buffer. The MAC is the host interface's unless mac= is given;
// the link state follows the host's carrier. Opening fails with a message that names what
// is missing: the capture privilege (CAP_NET_RAW), libpcap, or the interface.
// Two backends: `thread` runs libpcap in a capture process and hands frames over in bounded
// slices per event-loop turn (hal/eth/pcap-worker-port.ts), so a flooded interface cannot hold
// off the others; `nothread` runs node-pcap on the runtime's own event loop (hal/eth/pcap-port.ts).
// A low-priority interface's capture process also runs at the host's lowest CPU priority (nice
// 19): QNX runs that interface's receive thread below everything else, and on the host the
// process is what competes with the runtime for a CPU.
import { KernelError } from "../../kernel/errno.ts";
import type { EthPort } from "../../../hal/eth/eth-port.ts";
import { quietHostInterface } from "../../../hal/eth/host-quiet.ts";
import { PcapPort } from "../../../hal/eth/pcap-port.ts";
import { PcapWorkerPort } from "../../../hal/eth/pcap-worker-port.ts";
import type { OptionValue } from "../module-options.ts";
import { DEVNP_PCAP } from "../modules/catalog.ts";
import type { ModuleContext, ModuleDescriptor, ModuleInstance } from "../manager/module-descriptor.ts";
import { RX_QUEUE_FRAMES } from "../manager/interface-binding.ts";
import { mediaText, standardDriverOptions } from "./driver-options.ts";
import { macToBytes } from "./mac-bytes.ts";

/** io-pkt's default receive priority (rx_prio); an interface set below it is a low-priority one. */
const DEFAULT_RX_PRIO = 21;
/** The host's lowest CPU priority, for the capture process of a low-priority interface. */
export const LOW_PRIORITY_NICE = 19;

function isLowPriority(priority: number | undefined, rxPrio: number): boolean {
  return priority !== undefined && priority < rxPrio;
}
/** Kernel ring of a low-priority interface: about 600 full-size frames. node-pcap hands over
 * the whole ring in one synchronous call, so this bounds how long a flood on it can hold off
 * a higher-priority interface (the excess is dropped by the host kernel, as by a NIC ring). */
export const LOW_PRIORITY_BUFSIZE = 1024 * 1024;

/**
 * Kernel ring of an interface captured on the event loop (`nothread`): about io-pkt's receive
 * queue (RX_QUEUE_FRAMES, 1024) of full-size frames — libpcap's ring slot for a 1600-byte
 * snaplen is 2 KiB. node-pcap's dispatch copies the whole ring over in one synchronous call,
 * during which io-pkt drains nothing, so of a fuller ring only a queue's worth is kept and every
 * other frame costs a copy and a call before io-pkt drops it (`npm run bench -- udp`,
 * handed_per_dgram_*). A ring the queue's size leaves that excess to the host kernel, which
 * drops it for free, as a NIC drops at its ring. Bursts are no worse off: no more than a
 * queue's worth of a burst survived a dispatch with the larger ring either.
 */
export const EVENT_LOOP_BUFSIZE = RX_QUEUE_FRAMES * 2048;

/**
 * The ring a backend gets without bufsize=: small for a low-priority interface, the receive
 * queue's size on the event loop, undefined (PcapPort's large default) for a capture process,
 * which drains the ring itself and hands frames over in bounded slices.
 */
export function defaultBufferSize(
  priority: number | undefined,
  rxPrio: number = DEFAULT_RX_PRIO,
  backend: PcapBackend = defaultPcapBackend(priority, rxPrio),
): number | undefined {
  if (isLowPriority(priority, rxPrio)) return LOW_PRIORITY_BUFSIZE;
  return backend === "nothread" ? EVENT_LOOP_BUFSIZE : undefined;
}

/**
 * Host niceness of a capture process (`thread`). A low-priority interface's gets 19, so the
 * host schedules the runtime — and with it every higher-priority interface — first whenever
 * both want a CPU (`npm run bench -- priority`: flooded hi p99 0.6–1.4× idle, against 2–6×
 * at nice 0, where a busy capture process could hold the runtime off for a 4 ms host tick).
 */
export function defaultCaptureNice(priority: number | undefined, rxPrio: number = DEFAULT_RX_PRIO): number {
  return isLowPriority(priority, rxPrio) ? LOW_PRIORITY_NICE : 0;
}

export type PcapBackend = "thread" | "nothread";

/**
 * Without thread / nothread: a low-priority interface (priority= below rx_prio) captures in its
 * own process, so a flood on it cannot hold the event loop that higher-priority interfaces
 * need (`npm run bench -- priority`: flooded p99 2.3× idle instead of 11×); every other
 * interface captures on the event loop, which has the lower idle latency and the higher rate
 * for large frames.
 */
export function defaultPcapBackend(
  priority: number | undefined,
  rxPrio: number = DEFAULT_RX_PRIO,
): PcapBackend {
  return isLowPriority(priority, rxPrio) ? "thread" : "nothread";
}

export function pcapBackend(
  opts: Record<string, OptionValue>,
  priority?: number,
  rxPrio: number = DEFAULT_RX_PRIO,
): PcapBackend {
  if (opts.thread === true && opts.nothread === true) {
    throw new KernelError("EINVAL", "devnp-pcap: thread and nothread exclude each other");
  }
  if (opts.thread === true) return "thread";
  if (opts.nothread === true) return "nothread";
  if (opts.nice !== undefined) return "thread";
  return defaultPcapBackend(priority, rxPrio);
}

const devnpPcap: ModuleDescriptor = {
  kind: "driver",
  name: DEVNP_PCAP.name,
  options: DEVNP_PCAP.options,
  async attach(ctx: ModuleContext, opts: Record<string, OptionValue>): Promise<ModuleInstance> {
    const std = standardDriverOptions(opts);
    if (typeof opts.if !== "string") {
      throw new KernelError(
        "EINVAL",
        "devnp-pcap: if= is required (the host interface to open, e.g. if=eth0)",
      );
    }
    const host = opts.if;
    // On a board the kernel's eth0 is ours alone: up, no address, Linux silent (ARP, ICMP, IPv6).
    if (opts.quiet === true) {
      quietHostInterface(host);
      ctx.log(6, `devnp-pcap: ${host}: up without an address; Linux answers no ARP, ICMP or IPv6 there`);
    }
    const backend = pcapBackend(opts, std.priority, ctx.rxPrio);
    if (backend === "nothread" && opts.nice !== undefined) {
      throw new KernelError(
        "EINVAL",
        "devnp-pcap: nice= applies to a capture process (thread), not nothread",
      );
    }
    const explicitNice = typeof opts.nice === "number" ? opts.nice : undefined;
    const nice = explicitNice ?? defaultCaptureNice(std.priority, ctx.rxPrio);
    // No mtu here: the port reports the host interface's MTU, the most the interface can
    // carry; io-pkt refuses an mtu= above it and starts the interface at mtu= if given.
    const portOpts = {
      mac: std.mac === undefined ? undefined : macToBytes(std.mac),
      snaplen: typeof opts.snaplen === "number" ? opts.snaplen : undefined,
      bufferSize:
        typeof opts.bufsize === "number"
          ? opts.bufsize
          : defaultBufferSize(std.priority, ctx.rxPrio, backend),
      promiscuous: true,
      clock: ctx.clock,
    };
    const port: EthPort & { readonly snaplen: number } =
      backend === "thread"
        ? await PcapWorkerPort.open(host, { ...portOpts, nice })
        : PcapPort.open(host, portOpts);
    try {
      ctx.attachEthPort({
        port,
        std,
        media: mediaText(std),
        // The niceness follows the receive priority io-pkt settles on (a too-few-workers
        // fallback puts every interface at rx_prio), unless nice= fixed it.
        onPriority: (priority) => {
          if (explicitNice !== undefined || !(port instanceof PcapWorkerPort)) return;
          const before = port.nice;
          const after = port.setNice(defaultCaptureNice(priority, ctx.rxPrio));
          if (after !== before) ctx.log(5, `devnp-pcap: ${host}: capture process now at nice ${after}`);
        },
        details: () => [
          { key: "Host interface", value: host },
          { key: "Capture length", value: String(port.snaplen) },
          {
            key: "Capture",
            value:
              port instanceof PcapWorkerPort
                ? `own process (pid ${port.capturePid}, nice ${port.nice})`
                : "event loop",
          },
        ],
      });
    } catch (e) {
      port.close();
      throw e;
    }
    return { detach: () => port.close() };
  },
};

export default devnpPcap;
