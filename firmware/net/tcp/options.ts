// TCP options (RFC 9293 §3.2, RFC 7323, RFC 2018): parsed into one reusable record and written
// in the layouts Linux and BSD use, always padded to a 32-bit boundary, never over 40 bytes.

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WSCALE = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;
export const TCP_MAX_OPTLEN = 40;
/** RFC 7323 §2.3: larger shifts are treated as 14. */
export const TCP_MAX_WINSHIFT = 14;

export class TcpOptions {
  /** −1 when absent. */
  mss = -1;
  /** −1 when absent. */
  wscale = -1;
  sackPerm = false;
  hasTs = false;
  tsVal = 0;
  tsEcr = 0;
  /** Number of SACK blocks in `sack` (pairs of left, right edges). */
  sackCount = 0;
  readonly sack = new Uint32Array(8);

  reset(): void {
    this.mss = -1;
    this.wscale = -1;
    this.sackPerm = false;
    this.hasTs = false;
    this.tsVal = 0;
    this.tsEcr = 0;
    this.sackCount = 0;
  }
}

/**
 * Parses the options in b[off, off+len) into `out`. Returns null, or a message naming the
 * malformed option and its offset. Unknown options are skipped by their length.
 */
export function parseTcpOptions(b: Uint8Array, off: number, len: number, out: TcpOptions): string | null {
  out.reset();
  const end = off + len;
  let i = off;
  while (i < end) {
    const kind = b[i];
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) return `option ${kind} at byte ${i - off} has no length`;
    const olen = b[i + 1];
    if (olen < 2 || i + olen > end) return `option ${kind} at byte ${i - off} has bad length ${olen}`;
    switch (kind) {
      case TCPOPT_MSS:
        if (olen !== 4) return `MSS option at byte ${i - off} has length ${olen}, not 4`;
        out.mss = (b[i + 2] << 8) | b[i + 3];
        break;
      case TCPOPT_WSCALE:
        if (olen !== 3) return `window scale option at byte ${i - off} has length ${olen}, not 3`;
        out.wscale = Math.min(b[i + 2], TCP_MAX_WINSHIFT);
        break;
      case TCPOPT_SACK_PERM:
        if (olen !== 2) return `SACK-permitted option at byte ${i - off} has length ${olen}, not 2`;
        out.sackPerm = true;
        break;
      case TCPOPT_TIMESTAMP:
        if (olen !== 10) return `timestamp option at byte ${i - off} has length ${olen}, not 10`;
        out.hasTs = true;
        out.tsVal = ((b[i + 2] << 24) | (b[i + 3] << 16) | (b[i + 4] << 8) | b[i + 5]) >>> 0;
        out.tsEcr = ((b[i + 6] << 24) | (b[i + 7] << 16) | (b[i + 8] << 8) | b[i + 9]) >>> 0;
        break;
      case TCPOPT_SACK: {
        if ((olen - 2) % 8 !== 0 || olen === 2)
          return `SACK option at byte ${i - off} has length ${olen}, not 2 + 8·n`;
        const n = Math.min((olen - 2) >> 3, 4);
        for (let k = 0; k < n * 2; k++) {
          const p = i + 2 + k * 4;
          out.sack[k] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
        }
        out.sackCount = n;
        break;
      }
      default:
        break;
    }
    i += olen;
  }
  return null;
}

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}

/** Bytes `writeTcpOptions` will produce for `o` (a multiple of 4, ≤ 40). */
export function tcpOptionsLength(o: TcpOptions): number {
  let n = 0;
  if (o.mss >= 0) n += 4;
  if (o.sackPerm && o.hasTs) n += 12;
  else {
    if (o.sackPerm) n += 4;
    if (o.hasTs) n += 12;
  }
  if (o.wscale >= 0) n += 4;
  if (o.sackCount > 0) n += 4 + 8 * o.sackCount;
  return n;
}

/** Writes `o` at b[off]; returns the length written. The caller keeps SACK blocks within room. */
export function writeTcpOptions(b: Uint8Array, off: number, o: TcpOptions): number {
  let p = off;
  if (o.mss >= 0) {
    b[p] = TCPOPT_MSS;
    b[p + 1] = 4;
    b[p + 2] = o.mss >>> 8;
    b[p + 3] = o.mss & 0xff;
    p += 4;
  }
  if (o.sackPerm && o.hasTs) {
    b[p] = TCPOPT_SACK_PERM;
    b[p + 1] = 2;
    p += 2;
  } else if (o.sackPerm) {
    b[p] = TCPOPT_NOP;
    b[p + 1] = TCPOPT_NOP;
    b[p + 2] = TCPOPT_SACK_PERM;
    b[p + 3] = 2;
    p += 4;
  }
  if (o.hasTs) {
    if (!o.sackPerm) {
      b[p] = TCPOPT_NOP;
      b[p + 1] = TCPOPT_NOP;
      p += 2;
    }
    b[p] = TCPOPT_TIMESTAMP;
    b[p + 1] = 10;
    put32(b, p + 2, o.tsVal);
    put32(b, p + 6, o.tsEcr);
    p += 10;
  }
  if (o.wscale >= 0) {
    b[p] = TCPOPT_NOP;
    b[p + 1] = TCPOPT_WSCALE;
    b[p + 2] = 3;
    b[p + 3] = o.wscale;
    p += 4;
  }
  if (o.sackCount > 0) {
    b[p] = TCPOPT_NOP;
    b[p + 1] = TCPOPT_NOP;
    b[p + 2] = TCPOPT_SACK;
    b[p + 3] = 2 + 8 * o.sackCount;
    p += 4;
    for (let k = 0; k < o.sackCount * 2; k++) {
      put32(b, p, o.sack[k]);
      p += 4;
    }
  }
  return p - off;
}
