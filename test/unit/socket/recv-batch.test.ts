// The RECVMMSG reply format (recv-batch.ts): round trips, limits, and fuzzed decoding.
import { describe, expect, it } from "vitest";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import { AF_INET, AF_LOCAL, MSG_TRUNC } from "../../../firmware/net/socket/constants.ts";
import {
  BATCH_MAX,
  RECORD_FIXED,
  batchSize,
  decodeBatch,
  encodeBatch,
  encodeOne,
  type BatchSource,
} from "../../../firmware/net/socket/recv-batch.ts";
import { SockBuf } from "../../../firmware/net/socket/sockbuf.ts";
import type { SockData } from "../../../firmware/net/socket/socket.ts";
import { fuzzIterations, mutate, xorshift32 } from "../../helpers/fuzz.ts";

function rec(n: number, i: number, o: Partial<SockData> = {}): SockData {
  const data = new Uint8Array(n).map((_, k) => (i + k) & 0xff);
  return {
    size: n,
    data,
    from: { family: AF_INET, port: 1000 + i, addr: 0x0a000001 + i, path: "" },
    dst: 0x0a0000ff,
    ifindex: 2,
    ...o,
  };
}

function source(recs: SockData[]): SockBuf<SockData> {
  const sb = new SockBuf<SockData>(1 << 20);
  for (const r of recs) expect(sb.append(r)).toBe(true);
  return sb;
}

function encodeAll(src: BatchSource, count: number, max: number, bytes = 1 << 20): Uint8Array {
  const { n, size } = batchSize(src, count, max, bytes);
  return encodeBatch(src, n, size, max);
}

describe("RECVMMSG batch format", () => {
  it("round-trips addresses, AF_LOCAL paths, timestamps, empty datagrams and truncation", () => {
    const recs = [
      rec(64, 0),
      rec(0, 1),
      rec(300, 2, { tsUs: 1_234_567_890_123 }),
      rec(5, 3, { from: { family: AF_LOCAL, port: 0, addr: 0, path: "/tmp/é.sock" } }),
      rec(10, 4, { from: null }),
    ];
    const out = decodeBatch(encodeAll(source(recs), 16, 100));
    expect(out).toHaveLength(5);
    expect(out.map((r) => r.from.port)).toEqual([1000, 1001, 1002, 0, 0]);
    expect(out[0].from).toEqual({ family: AF_INET, port: 1000, addr: 0x0a000001, path: "" });
    expect(out[0].data).toEqual(recs[0].data);
    expect(out[1].data.byteLength).toBe(0);
    expect(out[2].flags & MSG_TRUNC).toBe(MSG_TRUNC);
    expect(out[2].data).toEqual(recs[2].data.subarray(0, 100));
    expect(out[2].tsUs).toBe(1_234_567_890_123);
    expect(out[3].from.path).toBe("/tmp/é.sock");
    expect(out[4].from.family).toBe(0);
    expect(out.map((r) => r.flags & MSG_TRUNC)).toEqual([0, 0, MSG_TRUNC, 0, 0]);
    expect(out.every((r) => r.dst === 0x0a0000ff && r.ifindex === 2)).toBe(true);
  });

  it("takes at most `count` records and stays within `bytes`, but always takes one", () => {
    const sb = source(Array.from({ length: 10 }, (_, i) => rec(100, i)));
    expect(batchSize(sb, 3, 2048, 1 << 20).n).toBe(3);
    const each = RECORD_FIXED + 100;
    expect(batchSize(sb, 10, 2048, 4 + 4 * each).n).toBe(4);
    expect(batchSize(sb, 10, 2048, 4 + 4 * each - 1).n).toBe(3);
    expect(batchSize(sb, 10, 2048, 1).n).toBe(1);
    expect(batchSize(sb, 10, 50, 4 + 10 * (RECORD_FIXED + 50)).n).toBe(10);
    // reading does not take: the socket buffer still holds all ten
    expect(sb.records).toBe(10);
    expect(decodeBatch(encodeAll(new SockBuf<SockData>(100), 8, 100))).toEqual([]);
  });

  it("RECVMSG's reply is a batch of one: cut to max, truncation kept, none at end of file", () => {
    const [a] = decodeBatch(encodeOne(rec(30, 5), 10));
    expect(a?.data).toEqual(rec(30, 5).data.subarray(0, 10));
    expect(a?.flags).toBe(MSG_TRUNC);
    expect(a?.from.port).toBe(1005);
    expect(decodeBatch(encodeOne(rec(8, 1), 100, true))[0]?.flags).toBe(MSG_TRUNC);
    expect(decodeBatch(encodeOne(rec(8, 1), 100))[0]?.flags).toBe(0);
    expect(decodeBatch(encodeOne(null, 100))).toEqual([]);
  });

  it("refuses malformed replies with EBADMSG naming the record", () => {
    const good = encodeAll(source([rec(8, 0), rec(8, 1)]), 8, 100);
    const errno = (b: Uint8Array): string => {
      try {
        decodeBatch(b);
        return "ok";
      } catch (e) {
        return e instanceof KernelError ? `${e.errno}: ${e.message}` : String(e);
      }
    };
    expect(errno(good)).toBe("ok");
    expect(errno(good.subarray(0, 3))).toMatch(/^EBADMSG: .*count/);
    expect(errno(good.subarray(0, good.byteLength - 1))).toMatch(/^EBADMSG: .*data length of record 1/);
    const extra = new Uint8Array(good.byteLength + 1);
    extra.set(good);
    expect(errno(extra)).toMatch(/^EBADMSG: .*trailing/);
    const many = good.slice();
    new DataView(many.buffer).setUint32(0, BATCH_MAX + 1);
    expect(errno(many)).toMatch(/^EBADMSG: .*records/);
  });

  it("fuzz: every mutated reply decodes within its bytes or is EBADMSG", () => {
    const seeds = [
      encodeAll(source([rec(64, 0), rec(0, 1), rec(1472, 2)]), 8, 2048),
      encodeAll(source([rec(3, 0, { from: { family: AF_LOCAL, port: 0, addr: 0, path: "/tmp/s" } })]), 8, 64),
      encodeAll(source([rec(100, 0)]), 8, 10),
    ];
    const r = xorshift32(0xba7c4);
    const n = fuzzIterations(50_000, 1_000_000);
    let parsed = 0;
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      const b = mutate(r, seeds[r() % seeds.length] as Uint8Array);
      try {
        const out = decodeBatch(b);
        let sum = 4;
        for (const x of out) {
          expect(x.data.buffer).toBe(b.buffer);
          sum += RECORD_FIXED + new TextEncoder().encode(x.from.path).byteLength + x.data.byteLength;
        }
        expect(sum).toBe(b.byteLength);
        parsed++;
      } catch (e) {
        if (!(e instanceof KernelError && e.errno === "EBADMSG")) throw new Error(`case ${i}: ${String(e)}`);
        dropped++;
      }
    }
    expect(parsed + dropped).toBe(n);
    expect(dropped).toBeGreaterThan(0);
  }, 600_000);
});
