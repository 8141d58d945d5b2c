// Decoders of the I/O protocol meet bytes from other processes (and over Qnet, from other
// machines): malformed, truncated or mutated input must end in a KernelError, never anything else.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import {
  decodeConnectReply,
  decodeDevctlReply,
  devctlReplyData,
  decodeRequest,
  decodeStat,
  encodeConnectReply,
  encodeDevctlReply,
  encodeRequest,
  encodeStat,
} from "../../../firmware/resmgr/messages.ts";
import type { IoRequest } from "../../../firmware/resmgr/messages.ts";
import { decodeDirents, encodeDirent } from "../../../firmware/resmgr/dirent.ts";
import * as C from "../../../firmware/resmgr/io-constants.ts";

const ITER = Number(process.env.FUZZ_ITERATIONS ?? 20_000);

const samples: IoRequest[] = [
  {
    type: C.IO_CONNECT,
    subtype: C.CONNECT_OPEN,
    handle: 1,
    ioflag: C.O_RDWR | C.O_CREAT,
    mode: 0o644,
    eflag: 0,
    extraType: 0,
    path: "tmp/a/b.txt",
    extra: new Uint8Array(0),
  },
  {
    type: C.IO_CONNECT,
    subtype: C.CONNECT_RENAME,
    handle: 2,
    ioflag: 0,
    mode: 0,
    eflag: C.EFLAG_NOFOLLOW,
    extraType: C.EXTRA_PATH,
    path: "x",
    extra: new TextEncoder().encode("/tmp/y"),
  },
  { type: C.IO_READ, handle: 7, nbytes: 4096, xtype: 0, offset: 0 },
  { type: C.IO_WRITE, handle: 7, xtype: 1, offset: 2 ** 40 + 5, data: new Uint8Array([1, 2, 3]) },
  { type: C.IO_LSEEK, handle: 3, whence: C.SEEK_END, offset: -10 },
  { type: C.IO_STAT, handle: 1 },
  { type: C.IO_CLOSE, handle: 1 },
  { type: C.IO_DEVCTL, handle: 9, dcmd: 0xc0040401, replyMax: 64, data: new Uint8Array([9, 9]) },
  { type: C.IO_CHMOD, handle: 2, mode: 0o755 },
  { type: C.IO_CHOWN, handle: 2, uid: 100, gid: 200 },
  { type: C.IO_UTIME, handle: 2, atime: 1_700_000_000_000, mtime: 1_700_000_000_001 },
  { type: C.IO_DUP, handle: 4, srcPid: 12 },
  {
    type: C.IO_NOTIFY,
    handle: 4,
    action: 1,
    priority: 10,
    flags: C.NOTIFY_INPUT,
    code: 5,
    value: -1,
    coid: 3,
  },
];

function onlyKernelErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof KernelError)) throw new Error(`non-KernelError thrown: ${String(e)}`);
  }
}

describe("I/O messages: table", () => {
  it.each(samples.map((s) => [s.type.toString(16), s] as const))("round-trips type 0x%s", (_t, s) => {
    const bytes = encodeRequest(s);
    expect(bytes[0]).toBe(s.type >> 8); // big endian
    expect(decodeRequest(bytes)).toEqual(s);
  });

  it("rejects truncated messages with EBADMSG", () => {
    for (const s of samples) {
      const bytes = encodeRequest(s);
      expect(() => decodeRequest(bytes.subarray(0, bytes.length - 1))).toThrowError(KernelError);
      try {
        decodeRequest(bytes.subarray(0, bytes.length - 1));
      } catch (e) {
        expect((e as KernelError).errno).toBe("EBADMSG");
      }
    }
  });

  it("does not read past a subarray into neighbouring bytes", () => {
    const whole = encodeRequest(samples[2]!);
    const padded = new Uint8Array(whole.length + 16);
    padded.set(whole);
    expect(() => decodeRequest(padded.subarray(0, whole.length - 4))).toThrowError(/too short/);
  });

  it("unknown type is ENOSYS, oversized payload EMSGSIZE, long path ENAMETOOLONG", () => {
    expect(() => decodeRequest(new Uint8Array([0x7f, 0xff, 0, 0, 0, 0, 0, 0]))).toThrowError(
      expect.objectContaining({ errno: "ENOSYS" }),
    );
    const read = encodeRequest(samples[2]!);
    new DataView(read.buffer).setUint32(8, 0xffffffff);
    expect(() => decodeRequest(read)).toThrowError(expect.objectContaining({ errno: "EMSGSIZE" }));
    expect(() =>
      encodeRequest({ ...(samples[0] as Extract<IoRequest, { path: string }>), path: "a".repeat(2000) }),
    ).toThrowError(expect.objectContaining({ errno: "ENAMETOOLONG" }));
  });

  it("rejects invalid UTF-8 in a path", () => {
    const bytes = encodeRequest(samples[0]!);
    bytes[24] = 0xff;
    expect(() => decodeRequest(bytes)).toThrowError(expect.objectContaining({ errno: "EBADMSG" }));
  });

  it("stat, connect reply, devctl reply and dirents round-trip", () => {
    const st = {
      ino: 5,
      size: 2 ** 35,
      dev: 1,
      rdev: 0,
      uid: 0,
      gid: 0,
      mode: C.S_IFREG | 0o644,
      nlink: 1,
      atime: 1,
      mtime: 2,
      ctime: 3,
      blksize: 512,
      blocks: 1,
    };
    expect(decodeStat(encodeStat(st))).toEqual(st);
    const r = { kind: 2, handle: 0, mode: 0, tail: new TextEncoder().encode("/x/y") };
    expect(decodeConnectReply(encodeConnectReply(r))).toEqual(r);
    expect(decodeDevctlReply(encodeDevctlReply(-1, new Uint8Array([4])))).toEqual({
      ret: -1,
      data: new Uint8Array([4]),
    });
    // A reply built with headroom: the same bytes as a copied one, over the data's own buffer.
    const room = devctlReplyData(300);
    room.forEach((_, i) => (room[i] = (i * 7) & 0xff));
    const framed = encodeDevctlReply(-22, room, true);
    expect(framed.buffer).toBe(room.buffer);
    expect(framed).toEqual(encodeDevctlReply(-22, room.slice()));
    expect(decodeDevctlReply(framed)).toEqual({ ret: -22, data: room });
    // Without room in front (a view at offset 0), headroom falls back to a copy.
    const plain = new Uint8Array([1, 2, 3]);
    expect(encodeDevctlReply(5, plain, true)).toEqual(encodeDevctlReply(5, plain));
    const d1 = encodeDirent({ ino: 1, offset: 1, type: C.S_IFDIR, name: "." });
    const d2 = encodeDirent({ ino: 9, offset: 2, type: C.S_IFREG, name: "héllo.txt" });
    expect(d1.length % 4).toBe(0);
    const both = new Uint8Array(d1.length + d2.length);
    both.set(d1);
    both.set(d2, d1.length);
    expect(decodeDirents(both).map((d) => d.name)).toEqual([".", "héllo.txt"]);
  });
});

describe("I/O messages: fuzz", () => {
  it("random bytes never throw anything but KernelError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        onlyKernelErrors(() => decodeRequest(bytes));
        onlyKernelErrors(() => decodeConnectReply(bytes));
        onlyKernelErrors(() => decodeDevctlReply(bytes));
        onlyKernelErrors(() => decodeStat(bytes));
        onlyKernelErrors(() => decodeDirents(bytes));
      }),
      { numRuns: ITER },
    );
  });

  it("mutated and truncated valid messages never throw anything but KernelError", () => {
    const encoded = samples.map((s) => encodeRequest(s));
    fc.assert(
      fc.property(
        fc.nat(encoded.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        (which, flips, cut) => {
          const src = encoded[which]!;
          const bytes = src.slice(0, src.length === 0 ? 0 : (cut % (src.length + 1)) + 0);
          for (const [at, v] of flips) if (bytes.length) bytes[at % bytes.length] = v;
          onlyKernelErrors(() => decodeRequest(bytes));
          onlyKernelErrors(() => decodeDirents(bytes));
        },
      ),
      { numRuns: ITER },
    );
  });
});
