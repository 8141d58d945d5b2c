// auth=: Qnet with a pre-shared key (beyond QNX, whose Qnet trusts the LAN). Every frame a node
// sends gets a 24-byte trailer after its L4 payload: a 64-bit counter and the first 16 bytes of
// HMAC-SHA256(key, Ethernet header ‖ L4 header ‖ payload ‖ counter). The trailer is not counted
// in the L4 `length`, so QNX's parser and tshark's qnet6 dissector see it as Ethernet padding.
// A receiver refuses a frame without a trailer, with a wrong MAC, or whose counter it has seen
// (or that is older than the replay window) from that sender address, and counts it by reason.
// Counters start at the wall clock in ms × 1024, so they keep growing across a restart.
// Design: docs/qnet.md ("Authentication").
import { createHmac, createSecretKey, timingSafeEqual } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { KernelError } from "../../kernel/errno.ts";
import { ETHER_MIN_LEN } from "../wire/ethernet.ts";
import { readMac } from "../wire/mac.ts";
import { qnetPayloadEnd } from "./frame.ts";

/** Counter (8, big endian) + truncated HMAC-SHA256 (16). */
export const AUTH_TRAILER_LEN = 24;
export const AUTH_MAC_LEN = 16;
/** The shortest key accepted (128 bits). */
export const AUTH_MIN_KEY = 16;
/** Counters remembered below the highest seen from one sender (reordering across links). */
export const AUTH_WINDOW = 256;

export type AuthDrop = "auth-missing" | "auth-bad" | "auth-replay";

export interface AuthStats {
  sealed: number;
  accepted: number;
  /** No room for a trailer after the L4 payload (a node without auth=, or a cut frame). */
  missing: number;
  /** The MAC does not match (another key, or bytes changed on the way). */
  bad: number;
  /** A counter already seen from that sender, or older than the window. */
  replay: number;
}

/** The replay window of one sender: the highest counter seen and a bitmap of the last 256. */
interface Window {
  top: number;
  bits: Uint32Array;
}

/**
 * Checks a key file's bytes: at least AUTH_MIN_KEY of them (a trailing newline is not key).
 * `path` is only for the error text.
 */
export function authKey(bytes: Uint8Array, path: string): Uint8Array {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  if (end < AUTH_MIN_KEY)
    throw new KernelError(
      "EINVAL",
      `lsm-qnet: auth key ${path} has ${end} bytes; at least ${AUTH_MIN_KEY} are needed (32 random bytes, e.g. head -c 32 /dev/urandom on the build host)`,
    );
  return bytes.slice(0, end);
}

export class QnetAuth {
  readonly stats: AuthStats = { sealed: 0, accepted: 0, missing: 0, bad: 0, replay: 0 };
  private readonly key: KeyObject;
  private counter: number;
  /** Replay windows by sender address (its MAC, or its IPv4 address over bind=ip). */
  private readonly windows = new Map<number, Window>();

  /** `wallMs` starts the counter (the clock's wall time: later after a restart). */
  constructor(key: Uint8Array, wallMs: number) {
    if (key.length < AUTH_MIN_KEY) throw new KernelError("EINVAL", `qnet: auth key of ${key.length} bytes`);
    this.key = createSecretKey(key);
    this.counter = Math.floor(wallMs) * 1024;
  }

  /** The frame `f` (Ethernet header on, possibly padded) with a trailer; a new array. */
  seal(f: Uint8Array): Uint8Array {
    const end = qnetPayloadEnd(f);
    if (end < 0) throw new RangeError("qnet: sealing a frame that is not Qnet");
    const out = new Uint8Array(Math.max(ETHER_MIN_LEN, end + AUTH_TRAILER_LEN));
    out.set(f.subarray(0, end));
    const c = ++this.counter;
    const v = new DataView(out.buffer);
    v.setUint32(end, Math.floor(c / 0x1_0000_0000));
    v.setUint32(end + 4, c >>> 0);
    const mac = this.mac(out, end);
    out.set(mac.subarray(0, AUTH_MAC_LEN), end + 8);
    this.stats.sealed++;
    return out;
  }

  /** Null when `f` carries a good trailer with a fresh counter (then remembered), else why not. */
  check(f: Uint8Array): AuthDrop | null {
    const end = qnetPayloadEnd(f);
    if (end < 0 || end + AUTH_TRAILER_LEN > f.length) {
      this.stats.missing++;
      return "auth-missing";
    }
    const want = this.mac(f, end).subarray(0, AUTH_MAC_LEN);
    if (!timingSafeEqual(want, f.subarray(end + 8, end + 8 + AUTH_MAC_LEN))) {
      this.stats.bad++;
      return "auth-bad";
    }
    const v = new DataView(f.buffer, f.byteOffset + end, 8);
    const c = v.getUint32(0) * 0x1_0000_0000 + v.getUint32(4);
    if (!this.fresh(readMac(f, 6), c)) {
      this.stats.replay++;
      return "auth-replay";
    }
    this.stats.accepted++;
    return null;
  }

  /** Forgets every sender's window (a test's restart of the receiver). */
  reset(): void {
    this.windows.clear();
  }

  private mac(f: Uint8Array, end: number): Buffer {
    return createHmac("sha256", this.key)
      .update(f.subarray(0, end + 8))
      .digest();
  }

  /** RFC 4303's sliding window, 256 counters wide, per sender. */
  private fresh(from: number, c: number): boolean {
    let w = this.windows.get(from);
    if (!w) {
      // Whatever came before the first frame heard is old: a recording of it is not replayed.
      w = { top: c, bits: new Uint32Array(AUTH_WINDOW / 32).fill(0xffff_ffff) };
      this.windows.set(from, w);
      return true;
    }
    if (c > w.top) {
      if (c - w.top >= AUTH_WINDOW) w.bits.fill(0);
      else for (let k = w.top + 1; k < c; k++) clearBit(w.bits, k);
      w.top = c;
      setBit(w.bits, c);
      return true;
    }
    if (w.top - c >= AUTH_WINDOW || testBit(w.bits, c)) return false;
    setBit(w.bits, c);
    return true;
  }
}

function setBit(bits: Uint32Array, c: number): void {
  const i = c % AUTH_WINDOW;
  bits[i >>> 5] |= 1 << (i & 31);
}

function clearBit(bits: Uint32Array, c: number): void {
  const i = c % AUTH_WINDOW;
  bits[i >>> 5] &= ~(1 << (i & 31));
}

function testBit(bits: Uint32Array, c: number): boolean {
  const i = c % AUTH_WINDOW;
  return (bits[i >>> 5] & (1 << (i & 31))) !== 0;
}
