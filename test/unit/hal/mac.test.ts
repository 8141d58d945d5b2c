import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMac, localMac, parseMac } from "../../../hal/eth/mac.ts";
import { parseEndpoint } from "../../../hal/eth/udp-endpoint.ts";

const RUNS = Number(process.env.FUZZ_ITERATIONS ?? 20_000);

describe("MAC addresses", () => {
  it("parses the io-pkt mac= forms", () => {
    const want = Uint8Array.of(0x00, 0x1b, 0x2c, 0x3d, 0x4e, 0xff);
    for (const t of [
      "00:1b:2c:3d:4e:ff",
      "00-1B-2C-3D-4E-FF",
      "001b2c3d4eff",
      "0:1b:2c:3d:4e:ff",
      " 00:1b:2c:3d:4e:ff\n",
    ]) {
      expect(parseMac(t), t).toEqual(want);
    }
    expect(formatMac(want)).toBe("00:1b:2c:3d:4e:ff");
  });

  it("refuses malformed text", () => {
    for (const t of [
      "",
      "00:1b:2c:3d:4e",
      "00:1b:2c:3d:4e:ff:00",
      "00:1b-2c:3d:4e:ff",
      "gg:00:00:00:00:00",
      "001b2c3d4ef",
    ]) {
      expect(() => parseMac(t), t).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    }
  });

  it("local MACs are locally administered unicast", () => {
    for (const seed of [0, 1, 0xffffffff, 12345]) expect(localMac(seed)[0]).toBe(0x02);
  });

  it("fuzz: formatting then parsing is the identity; arbitrary text never crashes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (mac) => {
        expect(parseMac(formatMac(mac))).toEqual(mac);
      }),
      { numRuns: Math.min(RUNS, 5000) },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          expect(parseMac(s)).toHaveLength(6);
        } catch (e) {
          expect((e as { errno?: string }).errno).toBe("EINVAL");
        }
        try {
          const ep = parseEndpoint(s);
          expect(ep.port).toBeGreaterThan(0);
        } catch (e) {
          expect((e as { errno?: string }).errno).toBe("EINVAL");
        }
      }),
      { numRuns: RUNS },
    );
  });
});
