// A BPF tap of one control open (tcpdump): frames its filter accepts are copied (up to
// snaplen) into the one socket buffer, bounded by frames; BPF_READ takes them, or waits for
// the first one.
import type { Clock } from "../../kernel/clock.ts";
import type { Deferred } from "../../resmgr/handlers.ts";
import type { BpfFrame } from "../control/protocol.ts";
import type { BpfPredicate, BpfTap } from "../stack/bpf.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import type { Stack } from "../stack/stack.ts";
import { SockBuf } from "../socket/sockbuf.ts";
import { SbReader } from "./sb-reader.ts";

export type BpfReplySink = (frames: BpfFrame[]) => void;

interface BpfRec {
  readonly size: number;
  readonly frame: BpfFrame;
}

export class BpfSession {
  readonly tap: BpfTap;
  private readonly stack: Stack;
  private readonly snaplen: number;
  private readonly reader: SbReader<BpfRec>;

  constructor(
    stack: Stack,
    clock: Clock,
    o: { ifp: Ifnet | null; dir: number; filter: BpfPredicate | null; snaplen: number; bufferFrames: number },
  ) {
    this.stack = stack;
    this.snaplen = Math.max(1, o.snaplen);
    // Bounded by frames (what tcpdump -B asks for); a full buffer drops the newest, counted.
    this.reader = new SbReader(
      new SockBuf<BpfRec>(Number.MAX_SAFE_INTEGER, 1, Math.max(1, o.bufferFrames)),
      clock,
    );
    this.tap = {
      ifp: o.ifp,
      dir: o.dir,
      filter: o.filter,
      seen: 0,
      matched: 0,
      deliver: (bytes, off, len, tsMs, dir, ifp) => this.capture(bytes, off, len, tsMs, dir, ifp),
    };
    stack.addTap(this.tap);
  }

  /** Frames the filter matched that did not fit the buffer. */
  get dropped(): number {
    return this.reader.sb.drops;
  }

  private capture(bytes: Uint8Array, off: number, len: number, tsMs: number, dir: number, ifp: Ifnet): void {
    const sb = this.reader.sb;
    if (sb.records >= sb.maxRecords) {
      sb.drops++; // counted before copying: a full buffer costs no allocation
      return;
    }
    const cap = Math.min(len, this.snaplen);
    const frame: BpfFrame = {
      tsUs: Math.round(tsMs * 1000),
      ifname: ifp.name,
      dir,
      origLen: len,
      data: bytes.slice(off, off + cap),
    };
    sb.append({ size: cap, frame });
  }

  /** Frames now, or null after arranging for `send` to get the first ones (or none at the timeout). */
  read(max: number, timeoutMs: number, deferred: () => Deferred, send: BpfReplySink): BpfFrame[] | null {
    const n = Math.max(1, max);
    const sb = this.reader.sb;
    return this.reader.read(
      {
        timeoutMs,
        take: () => (sb.records === 0 ? null : sb.take(n).map((r) => r.frame)),
        timedOut: () => [],
        defer: deferred,
        send,
      },
      "EBADF",
    );
  }

  close(): void {
    this.reader.cancel("EBADF");
    this.stack.removeTap(this.tap);
  }
}
