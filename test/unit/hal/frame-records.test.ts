import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameRecordReader, RECORD_HEADER, writeRecord } from "../../../hal/eth/frame-records.ts";

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 300);

function encode(frames: { data: Uint8Array; wire: number }[]): Uint8Array {
  const total = frames.reduce((s, f) => s + RECORD_HEADER + f.data.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const f of frames) at = writeRecord(out, at, f.data, f.data.length, f.wire);
  return out;
}

/** Feeds `stream` cut at `cuts`, reading at most `max` records per call, as the port does. */
function decode(stream: Uint8Array, cuts: number[], max: number): { data: number[]; wire: number }[] {
  const r = new FrameRecordReader();
  const got: { data: number[]; wire: number }[] = [];
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  for (const p of [...points, stream.length]) {
    if (p <= prev) continue;
    r.feed(stream.subarray(prev, p));
    while (r.pending) {
      const n = r.read((f, cap, wire) => got.push({ data: [...f.subarray(0, cap)], wire }), max);
      expect(n).toBeLessThanOrEqual(max);
    }
    prev = p;
  }
  expect(r.partial).toBe(0);
  return got;
}

describe("frame records", () => {
  it("round-trips frames in one chunk", () => {
    const a = Uint8Array.of(1, 2, 3);
    const b = new Uint8Array(1514).fill(7);
    const got = decode(
      encode([
        { data: a, wire: 3 },
        { data: b, wire: 1514 },
      ]),
      [],
      16,
    );
    expect(got.map((g) => g.data.length)).toEqual([3, 1514]);
    expect(got[0].data).toEqual([1, 2, 3]);
    expect(got[1].wire).toBe(1514);
  });

  it("carries a record split inside its header and inside its body", () => {
    const f = new Uint8Array(100).map((_, i) => i);
    const s = encode([{ data: f, wire: 200 }]);
    expect(decode(s, [2, 50], 1)).toEqual([{ data: [...f], wire: 200 }]);
  });

  it("hands out at most `max` records per read and keeps the rest", () => {
    const s = encode(Array.from({ length: 10 }, (_, i) => ({ data: Uint8Array.of(i), wire: 1 })));
    const r = new FrameRecordReader();
    r.feed(s);
    const seen: number[] = [];
    expect(r.read((f) => seen.push(f[0]), 4)).toBe(4);
    expect(r.pending).toBe(true);
    expect(() => r.feed(s)).toThrow();
    expect(r.read((f) => seen.push(f[0]), 100)).toBe(6);
    expect(r.pending).toBe(false);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("clamps the wire length to 16 bits", () => {
    const s = encode([{ data: Uint8Array.of(9), wire: 70000 }]);
    expect(decode(s, [], 1)[0].wire).toBe(0xffff);
  });

  it("decodes any stream cut anywhere into the frames that were written (fuzz)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ data: fc.uint8Array({ maxLength: 1600 }), extra: fc.nat({ max: 100 }) }), {
          maxLength: 20,
        }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        (frames, cuts, max) => {
          const input = frames.map((f) => ({ data: f.data, wire: f.data.length + f.extra }));
          const got = decode(encode(input), cuts, max);
          expect(got).toEqual(input.map((f) => ({ data: [...f.data], wire: f.wire })));
        },
      ),
      { numRuns: ITERATIONS },
    );
  });
});
