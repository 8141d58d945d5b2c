// A cpio "newc" archive (what the kernel unpacks as an initramfs), written deterministically:
// entries in the order given, inode numbers counted from 1, owner root, one mtime for all.
export interface CpioEntry {
  readonly path: string;
  /** Full st_mode: type bits and permissions (0o100755, 0o040755, 0o120777, 0o020600). */
  readonly mode: number;
  readonly data?: Uint8Array;
  /** Character/block device number. */
  readonly rdev?: { major: number; minor: number };
}

const enc = new TextEncoder();

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

export function writeCpio(entries: readonly CpioEntry[], mtime: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let ino = 1;
  let total = 0;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    total += b.length;
  };
  const record = (path: string, mode: number, data: Uint8Array, rdev?: CpioEntry["rdev"]): void => {
    const name = enc.encode(`${path}\0`);
    const header =
      "070701" +
      hex8(path === "TRAILER!!!" ? 0 : ino++) +
      hex8(mode) +
      hex8(0) +
      hex8(0) +
      hex8((mode & 0o170000) === 0o040000 ? 2 : 1) +
      hex8(mtime) +
      hex8(data.length) +
      hex8(0) +
      hex8(0) +
      hex8(rdev?.major ?? 0) +
      hex8(rdev?.minor ?? 0) +
      hex8(name.length) +
      hex8(0);
    push(enc.encode(header));
    push(name);
    push(new Uint8Array(pad4(110 + name.length)));
    push(data);
    push(new Uint8Array(pad4(data.length)));
  };
  for (const e of entries) record(e.path.replace(/^\/+/, ""), e.mode, e.data ?? new Uint8Array(0), e.rdev);
  record("TRAILER!!!", 0, new Uint8Array(0));
  const out = new Uint8Array(total + pad4(total));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
