// An Ethernet port on a host interface through libpcap (node-pcap): the receive path of
// devnp-pcap. Immediate mode (buffer_timeout 0) so each frame is handed over as it arrives,
// a snaplen just above the largest frame, a large kernel buffer, frames injected with
// pcap_inject. node-pcap reuses one buffer for every packet: the frame handed to onFrame is
// only valid during the call, which is exactly the EthPort contract.
import type { Clock } from "../../firmware/kernel/clock.ts";
import { KernelError } from "../../firmware/kernel/errno.ts";
import { ETH_FRAME_OVERHEAD, ETH_HEADER_LEN, type EthStats } from "./eth-port.ts";
import { EthPortBase } from "./eth-port-base.ts";
import { loadPcap, pcapOpenError, wrapDispatch } from "./pcap-loader.ts";
import type { PcapModule, PcapSession, PcapSessionOptions } from "./pcap-loader.ts";
import { LinkWatch } from "./link-watch.ts";
import { interfaceExists, readMac, readMtu, SYSFS_NET } from "./sysfs-net.ts";

export interface PcapPortOptions {
  /** Station address for the stack; default: the interface's own (from sysfs). */
  mac?: Uint8Array;
  /** Default: the interface's MTU (from sysfs), else 1500. */
  mtu?: number;
  /** Bytes captured per frame; default max(1600, mtu + 18). */
  snaplen?: number;
  /** Kernel capture buffer; default 32 MiB so bursts are not dropped while JS is busy. */
  bufferSize?: number;
  /** Receive frames for other stations too (default true: the stack may use its own MAC). */
  promiscuous?: boolean;
  /** Drop frames whose source is the host interface's MAC: what Linux itself transmits on
   * the interface (IPv6 solicitations …), which a packet socket also sees (default true). */
  dropHostOutgoing?: boolean;
  /** Link state poll period in ms; 0 reads sysfs on every `linkUp` (default 1000). The poll
   * also reopens the capture when the interface comes back after being set down. */
  linkPollMs?: number;
  clock?: Clock;
  /** For tests: the sysfs net directory and the node-pcap module. */
  sysfsRoot?: string;
  pcap?: PcapModule;
}

export class PcapPort extends EthPortBase {
  readonly name: string;
  readonly mac: Uint8Array;
  readonly mtu: number;
  readonly snaplen: number;
  private readonly hostMac: Uint8Array | null;
  private session: PcapSession;
  private readonly pcap: PcapModule;
  private readonly sessionOpts: PcapSessionOptions;
  private readonly dropHost: boolean;
  private readonly watch: LinkWatch;
  private open = true;
  /** Captures reopened after the interface came back from down (see LinkWatch). */
  reopens = 0;
  private paused = false;
  /** Readable events skipped while paused (libuv polls level-triggered: one per loop turn). */
  pausedReads = 0;
  private views: PcapViews | null = null;

  private constructor(ifname: string, opts: PcapPortOptions) {
    super();
    const root = opts.sysfsRoot ?? SYSFS_NET;
    if (!interfaceExists(ifname, root)) throw new KernelError("ENODEV", `no network interface "${ifname}"`);
    const pcap = opts.pcap ?? loadPcap();
    this.name = ifname;
    this.hostMac = safeReadMac(ifname, root);
    this.mac = opts.mac ?? this.hostMac ?? readMac(ifname, root);
    this.mtu = opts.mtu ?? readMtu(ifname, root) ?? 1500;
    this.snaplen = opts.snaplen ?? Math.max(1600, this.mtu + ETH_FRAME_OVERHEAD);
    this.pcap = pcap;
    this.dropHost = opts.dropHostOutgoing ?? true;
    this.sessionOpts = {
      filter: "",
      buffer_size: opts.bufferSize ?? 32 * 1024 * 1024,
      snap_length: this.snaplen,
      buffer_timeout: 0,
      promiscuous: opts.promiscuous ?? true,
    };
    this.session = this.capture();
    this.watch = new LinkWatch(ifname, root, opts, {
      change: (up) => this.linkHandler?.(up),
      revive: () => this.reopen(),
    });
  }

  /** Opens `ifname` in the current network namespace. Throws KernelError: ENODEV (no such
   * interface), EPERM (no CAP_NET_RAW), ENOSYS (node-pcap or libpcap missing), EIO. */
  static open(ifname: string, opts: PcapPortOptions = {}): PcapPort {
    return new PcapPort(ifname, opts);
  }

  get linkUp(): boolean {
    return this.open && this.watch.up;
  }

  send(frame: Uint8Array, len: number = frame.length): boolean {
    if (!this.mayTransmit(frame, len, this.open)) return false;
    try {
      // pcap_inject copies synchronously: a view over the caller's bytes is enough.
      this.session.inject(Buffer.from(frame.buffer, frame.byteOffset, len));
    } catch {
      this.counters.txErrors++;
      return false;
    }
    this.countTransmitted(len);
    return true;
  }

  override stats(): EthStats {
    const s = super.stats();
    if (this.open) {
      try {
        const k = this.session.stats();
        s.rxRingDrops = k.ps_drop ?? 0;
        s.rxIfDrops = k.ps_ifdrop ?? 0;
        s.rxDropped += s.rxRingDrops + s.rxIfDrops;
      } catch {
        // stats are best effort
      }
    }
    return s;
  }

  /** Leaves frames in the kernel ring until resumed: node-pcap's dispatch empties the whole
   * ring in one synchronous call, so the only way to bound it is not to call it. */
  pauseReceive(): void {
    this.paused = true;
  }

  resumeReceive(): void {
    this.paused = false;
  }

  get receivePaused(): boolean {
    return this.paused;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.watch.stop();
    this.dropHandlers();
    this.session.close();
  }

  /** A capture session on the interface, frames going to the driver. Throws pcapOpenError. */
  private capture(): PcapSession {
    let session: PcapSession;
    try {
      session = this.pcap.createSession(this.name, this.sessionOpts);
    } catch (e) {
      throw pcapOpenError(this.name, e);
    }
    const hostMac = this.dropHost ? this.hostMac : null;
    session.on("packet", (pkt) => this.receive(pkt.buf, pkt.header, hostMac));
    this.gateReads(session);
    return session;
  }

  /** The interface came back from down: the old capture hears nothing any more, open anew.
   * If that fails (the interface went again) the next poll tries once more. */
  private reopen(): void {
    if (!this.open) return;
    let fresh: PcapSession;
    try {
      fresh = this.capture();
    } catch {
      return;
    }
    this.session.close();
    this.session = fresh;
    this.reopens++;
  }

  private receive(buf: Buffer, header: Buffer, hostMac: Uint8Array | null): void {
    // node-pcap passes the same two buffers for every frame: plain views over them are made
    // once (a Buffer's subarray and checked reads cost more per frame than the rest here).
    let v = this.views;
    if (v === null || v.buf !== buf || v.header !== header) v = this.views = pcapViews(buf, header);
    // node-pcap's header: tv_sec, tv_usec, caplen, len as 32-bit words in host order.
    const caplen = v.header32.getUint32(8, HOST_LE);
    const wirelen = v.header32.getUint32(12, HOST_LE);
    const frame = v.frame;
    if (hostMac !== null && sameMac(frame, 6, hostMac)) return;
    this.handOver(frame, caplen, caplen >= wirelen && caplen >= ETH_HEADER_LEN);
  }

  /** Lets a paused port skip node-pcap's dispatches (without the hook the port never pauses). */
  private gateReads(session: PcapSession): void {
    wrapDispatch(session, (dispatch) => () => {
      if (this.paused) this.pausedReads++;
      else dispatch();
    });
  }
}

/** node-pcap's header words are in host byte order (the binding copies them in with memcpy). */
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Plain views over node-pcap's packet and header buffers. */
interface PcapViews {
  buf: Buffer;
  header: Buffer;
  frame: Uint8Array;
  header32: DataView;
}

function pcapViews(buf: Buffer, header: Buffer): PcapViews {
  return {
    buf,
    header,
    frame: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
    header32: new DataView(header.buffer, header.byteOffset, header.byteLength),
  };
}

function sameMac(buf: Uint8Array, at: number, mac: Uint8Array): boolean {
  return (
    buf[at] === mac[0] &&
    buf[at + 1] === mac[1] &&
    buf[at + 2] === mac[2] &&
    buf[at + 3] === mac[3] &&
    buf[at + 4] === mac[4] &&
    buf[at + 5] === mac[5]
  );
}

function safeReadMac(ifname: string, root: string): Uint8Array | null {
  try {
    return readMac(ifname, root);
  } catch {
    return null;
  }
}
