// Loads the optional `pcap` package (node-pcap) lazily and turns the ways it can fail into
// KernelErrors that name what is missing: the package, libpcap, or the privilege.
import { createRequire } from "node:module";
import { KernelError } from "../../firmware/kernel/errno.ts";

/** The part of node-pcap's API this HAL uses. */
export interface PcapSession {
  on(event: "packet", cb: (pkt: { buf: Buffer; header: Buffer }) => void): unknown;
  inject(data: Buffer): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
  close(): void;
}

export interface PcapSessionOptions {
  filter?: string;
  buffer_size?: number;
  snap_length?: number;
  buffer_timeout?: number;
  promiscuous?: boolean;
  monitor?: boolean;
}

export interface PcapModule {
  createSession(device: string, options: PcapSessionOptions): PcapSession;
  /** node-pcap prints open-time warnings through this (console.warn by default). */
  warningHandler?: (text: string) => void;
}

/**
 * The one reach into node-pcap's private side. A session calls its binding's
 * `session.session.read_callback` on every readable event of the capture fd, and that call
 * runs pcap_dispatch; node-pcap has no public hook around a dispatch. `wrap` gets the
 * original and returns its replacement. Returns false (nothing wrapped) when the property is
 * not there, as with another node-pcap version: callers then go without the hook.
 * PcapPort and the capture process (pcap-capture.ts) both use it.
 */
export function wrapDispatch(session: PcapSession, wrap: (dispatch: () => void) => () => void): boolean {
  const binding = (session as { session?: { read_callback?: unknown } }).session;
  const read = binding?.read_callback;
  if (binding === undefined || typeof read !== "function") return false;
  binding.read_callback = wrap(read as () => void);
  return true;
}

export const NEED_PRIVILEGE =
  "CAP_NET_RAW (run as root, or: setcap cap_net_raw,cap_net_admin+ep $(which node))";

/** Requires `pcap` through the given require (injectable for tests). */
export function loadPcap(req: (id: string) => unknown = createRequire(import.meta.url)): PcapModule {
  let pcap: PcapModule;
  try {
    pcap = req("pcap") as PcapModule;
  } catch (e) {
    throw pcapLoadError(e);
  }
  // An interface without an IPv4 address is the normal case here (the stack owns the
  // addresses), so that warning is noise; others become process warnings, not console output.
  pcap.warningHandler = (text: string) => {
    if (!/no IPv4 address assigned/.test(text)) process.emitWarning(`pcap: ${text}`);
  };
  return pcap;
}

export function pcapLoadError(e: unknown): KernelError {
  const err = e as NodeJS.ErrnoException;
  const msg = String(err?.message ?? e);
  if (/libpcap|cannot open shared object/i.test(msg)) {
    return new KernelError(
      "ENOSYS",
      `pcap: the libpcap library is missing (install libpcap0.8 / libpcap.so.1): ${firstLine(msg)}`,
    );
  }
  if (err?.code === "MODULE_NOT_FOUND" || /Cannot find module/.test(msg)) {
    return new KernelError(
      "ENOSYS",
      'pcap: the optional npm package "pcap" is not installed (it needs libpcap and its headers to build)',
    );
  }
  return new KernelError("ENOSYS", `pcap: cannot load node-pcap: ${firstLine(msg)}`);
}

/** Maps an error thrown by createSession (libpcap's errbuf text) to a KernelError. */
export function pcapOpenError(ifname: string, e: unknown): KernelError {
  const msg = firstLine(String((e as Error)?.message ?? e));
  if (/permission|not permitted|EPERM|EACCES/i.test(msg)) {
    return new KernelError("EPERM", `pcap: cannot capture on ${ifname}: needs ${NEED_PRIVILEGE}: ${msg}`);
  }
  if (/no such device|doesn't exist|does not exist|ENODEV|ENXIO/i.test(msg)) {
    return new KernelError("ENODEV", `pcap: no network interface "${ifname}": ${msg}`);
  }
  if (/is not up|network is down/i.test(msg)) {
    return new KernelError("ENETDOWN", `pcap: ${ifname} is down: ${msg}`);
  }
  return new KernelError("EIO", `pcap: cannot open ${ifname}: ${msg}`);
}

function firstLine(s: string): string {
  const i = s.indexOf("\n");
  return i < 0 ? s : s.slice(0, i);
}
