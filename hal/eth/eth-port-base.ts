// What every EthPort backend (vwire, UDP, pcap) does the same way: the one frame and link
// handler, the counters, and the per-frame bookkeeping of the EthPort contract. A backend
// only says how frames leave and reach the host.
import {
  emptyStats,
  isSendableLength,
  type EthPort,
  type EthStats,
  type FrameHandler,
  type LinkHandler,
} from "./eth-port.ts";

export abstract class EthPortBase implements EthPort {
  abstract readonly name: string;
  abstract readonly mac: Uint8Array;
  abstract readonly mtu: number;
  abstract readonly linkUp: boolean;
  protected frameHandler: FrameHandler | null = null;
  protected linkHandler: LinkHandler | null = null;
  protected readonly counters: EthStats = emptyStats();

  onFrame(cb: FrameHandler): void {
    this.frameHandler = cb;
  }

  onLink(cb: LinkHandler): void {
    this.linkHandler = cb;
  }

  stats(): EthStats {
    return { ...this.counters };
  }

  abstract send(frame: Uint8Array, len?: number): boolean;
  abstract close(): void;

  /** Whether `send` may transmit `frame[0, len)`: the port can send (`ready`) and the length
   * fits both the array and the wire. A refusal counts as a transmit error. */
  protected mayTransmit(frame: Uint8Array, len: number, ready: boolean): boolean {
    if (ready && len <= frame.length && isSendableLength(len, this.mtu)) return true;
    this.counters.txErrors++;
    return false;
  }

  protected countTransmitted(len: number): void {
    this.counters.txPackets++;
    this.counters.txBytes += len;
  }

  /** Hands a received frame to the driver; without a handler, or when the backend found the
   * frame malformed (`whole` false), it is counted as dropped instead. */
  protected handOver(frame: Uint8Array, len: number, whole: boolean): void {
    const h = this.frameHandler;
    if (h === null || !whole) {
      this.counters.rxDropped++;
      return;
    }
    this.counters.rxPackets++;
    this.counters.rxBytes += len;
    h(frame, len);
  }

  /** Forgets both handlers (at close); returns the link handler for a last "down" call. */
  protected dropHandlers(): LinkHandler | null {
    const link = this.linkHandler;
    this.frameHandler = null;
    this.linkHandler = null;
    return link;
  }
}
