// The Ethernet port a driver (devnp-*) talks to. Everything below this interface touches
// hardware or the host (pcap, UDP sockets); everything above it only sees frames.

/** Called once per received frame. `frame` is only valid during the call (pcap reuses its
 * buffer): the driver copies `len` bytes once into its own pool buffer before returning. */
export type FrameHandler = (frame: Uint8Array, len: number) => void;

/** Called when the carrier comes or goes. */
export type LinkHandler = (up: boolean) => void;

export interface EthStats {
  rxPackets: number;
  rxBytes: number;
  /** Every frame lost below the driver: the port's own (no handler, truncated) plus the
   * host's two below (rxRingDrops, rxIfDrops). */
  rxDropped: number;
  /** Of rxDropped: frames the host kernel's capture ring had no room for (pcap_stats
   * ps_drop), a NIC's ring overrun. 0 where the backend has no ring. */
  rxRingDrops: number;
  /** Of rxDropped: frames the host interface itself dropped before capture (ps_ifdrop). */
  rxIfDrops: number;
  txPackets: number;
  txBytes: number;
  /** Frames `send` refused or the host failed to transmit. */
  txErrors: number;
}

export interface EthPort {
  /** Host-side name: "eth0", "vwire:hub0/2", "udp:127.0.0.1:47300". */
  readonly name: string;
  /** Six bytes; the station address the driver should answer to. */
  readonly mac: Uint8Array;
  /** Largest payload (without the 14-byte Ethernet header). */
  readonly mtu: number;
  readonly linkUp: boolean;
  /** Sets the one receive handler (a later call replaces it). Synchronous, per frame. */
  onFrame(cb: FrameHandler): void;
  /** Sets the one link-change handler (a later call replaces it). */
  onLink(cb: LinkHandler): void;
  /** Transmits `frame[0, len)` (default: the whole array). The port copies what it needs
   * before returning, so the caller may reuse its buffer at once. False when the frame was
   * not accepted (port closed, link down, frame too short or too long). */
  send(frame: Uint8Array, len?: number): boolean;
  stats(): EthStats;
  /** Optional receive flow control, the driver's "ring full" signal: while paused the port
   * stops taking frames from the host, so they wait (and, past the host's buffer, are dropped
   * there) instead of costing a callback each. Ports that cannot pause leave both out. */
  pauseReceive?(): void;
  resumeReceive?(): void;
  /** Stops receiving and releases the host resource. Idempotent. */
  close(): void;
}

/** Shortest frame a port accepts: destination, source, ethertype. */
export const ETH_HEADER_LEN = 14;
/** Extra room over the MTU: header plus one 802.1Q tag. */
export const ETH_FRAME_OVERHEAD = 18;

export function emptyStats(): EthStats {
  return {
    rxPackets: 0,
    rxBytes: 0,
    rxDropped: 0,
    rxRingDrops: 0,
    rxIfDrops: 0,
    txPackets: 0,
    txBytes: 0,
    txErrors: 0,
  };
}

/** Whether a frame of `len` bytes fits the wire: at least a header, at most MTU + header + tag. */
export function isSendableLength(len: number, mtu: number): boolean {
  return len >= ETH_HEADER_LEN && len <= mtu + ETH_FRAME_OVERHEAD;
}
