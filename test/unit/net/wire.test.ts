import { describe, expect, it } from "vitest";
import { cksumAdjust, internetChecksum } from "../../../firmware/net/wire/checksum.ts";
import {
  formatIpv4,
  formatNetShort,
  maskToPrefix,
  parseCidr,
  parseIpv4,
  parseNetmask,
  prefixToMask,
} from "../../../firmware/net/wire/ipv4-addr.ts";
import {
  IPV_BADHLEN,
  IPV_BADLEN,
  IPV_BADSUM,
  IPV_BADVERS,
  IPV_OK,
  IPV_TOOSHORT,
  ipFillCksum,
  ipValidate,
} from "../../../firmware/net/wire/ipv4.ts";
import {
  formatMac,
  ipv4MulticastMac,
  isGroupMac,
  parseMac,
  readMac,
  writeMac,
} from "../../../firmware/net/wire/mac.ts";
import { udpChecksumOk, udpFillCksum, writeUdpHeader } from "../../../firmware/net/wire/udp.ts";
import { echoFrame } from "./frames.ts";
import { ip, pattern } from "./wire-harness.ts";

describe("addresses", () => {
  it.each([
    ["10.0.0.1", 0x0a000001],
    ["255.255.255.255", 0xffffffff],
    ["0.0.0.0", 0],
    ["1.2.3", null],
    ["1.2.3.256", null],
    ["1.2.3.4.5", null],
    ["a.b.c.d", null],
    ["01.2.3.4", 0x01020304],
    ["", null],
  ])("parseIpv4(%s)", (t, v) => expect(parseIpv4(t)).toBe(v));

  it("formats, masks and prefixes", () => {
    expect(formatIpv4(0xc0a80101)).toBe("192.168.1.1");
    expect(prefixToMask(0)).toBe(0);
    expect(prefixToMask(24)).toBe(0xffffff00);
    expect(prefixToMask(32)).toBe(0xffffffff);
    for (let l = 0; l <= 32; l++) expect(maskToPrefix(prefixToMask(l))).toBe(l);
    expect(maskToPrefix(0xff00ff00)).toBe(-1);
    expect(parseNetmask("255.255.255.0")).toBe(24);
    expect(parseNetmask("0xffff0000")).toBe(16);
    expect(parseNetmask("/20")).toBe(20);
    expect(parseNetmask("255.0.255.0")).toBe(-1);
    expect(parseCidr("10.1.2.3/16")).toEqual({ addr: 0x0a010000, prefixLen: 16 });
    expect(parseCidr("10/8")).toEqual({ addr: 0x0a000000, prefixLen: 8 });
    expect(parseCidr("10.0.0.1/33")).toBeNull();
    expect(formatNetShort(0x0a000000, 24)).toBe("10.0.0/24");
    expect(formatNetShort(0x7f000000, 8)).toBe("127/8");
    expect(formatNetShort(0xac100000, 12)).toBe("172.16/12");
    expect(formatNetShort(0, 0)).toBe("default");
  });

  it("MAC addresses", () => {
    expect(parseMac("02:00:00:00:00:01")).toBe(0x020000000001);
    expect(parseMac("020000000001")).toBe(0x020000000001);
    expect(parseMac("2:0:0:0:0:1")).toBe(0x020000000001);
    expect(parseMac("ff-ff-ff-ff-ff-ff")).toBe(0xffffffffffff);
    expect(parseMac("02:00:00:00:00")).toBeNull();
    expect(parseMac("02:00:00:00:00:0g")).toBeNull();
    expect(formatMac(0xfedcba987654)).toBe("fe:dc:ba:98:76:54");
    const b = new Uint8Array(8);
    writeMac(b, 1, 0xfedcba987654);
    expect(readMac(b, 1)).toBe(0xfedcba987654);
    expect(isGroupMac(0x01005e000001)).toBe(true);
    expect(isGroupMac(0x020000000001)).toBe(false);
    expect(ipv4MulticastMac(ip("239.255.1.2"))).toBe(0x01005e7f0102);
  });
});

describe("checksums", () => {
  it("RFC 1071 example and odd lengths", () => {
    const d = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(internetChecksum(d, 0, 8)).toBe(~0xddf2 & 0xffff);
    expect(internetChecksum(Uint8Array.from([0xff]), 0, 1)).toBe(0x00ff);
    const big = pattern(65535);
    let ref = 0;
    for (let i = 0; i < big.length; i += 2) ref += (big[i] << 8) | (i + 1 < big.length ? big[i + 1] : 0);
    while (ref > 0xffff) ref = (ref & 0xffff) + Math.floor(ref / 65536);
    expect(internetChecksum(big, 0, big.length)).toBe(~ref & 0xffff);
  });

  it("the unrolled loop equals a word-at-a-time sum at every offset and length", () => {
    const b = pattern(200);
    for (let off = 0; off < 9; off++)
      for (let len = 0; off + len <= b.length; len++) {
        let ref = 0;
        for (let i = 0; i < len; i += 2) ref += (b[off + i] << 8) | (i + 1 < len ? b[off + i + 1] : 0);
        while (ref > 0xffff) ref = (ref & 0xffff) + Math.floor(ref / 65536);
        expect(internetChecksum(b, off, len)).toBe(~ref & 0xffff);
      }
  });

  it("the 32-bit path for long ranges equals a word-at-a-time sum at every alignment", () => {
    const ref = (b: Uint8Array, off: number, len: number): number => {
      let r = 0;
      for (let i = 0; i < len; i += 2) r += (b[off + i] << 8) | (i + 1 < len ? b[off + i + 1] : 0);
      while (r > 0xffff) r = (r & 0xffff) + Math.floor(r / 65536);
      return ~r & 0xffff;
    };
    const ones = new Uint8Array(70_000).fill(0xff);
    const pat = pattern(70_000);
    for (const whole of [pat, ones])
      for (let shift = 0; shift < 4; shift++) {
        const b = whole.subarray(shift); // byteOffset 0..3: every alignment of the 32-bit loads
        for (let off = 0; off < 6; off++)
          for (const len of [255, 256, 257, 258, 259, 1000, 1479, 1480, 1481, 1482, 65_535, 65_536])
            expect(internetChecksum(b, off, len)).toBe(ref(b, off, len));
      }
  });

  it("incremental update equals recomputation (TTL decrement)", () => {
    const f = echoFrame(ip("10.0.0.1"), ip("10.0.0.2"), 1, 1, pattern(8));
    for (let ttl = 255; ttl > 1; ttl -= 7) {
      f[22] = ttl;
      ipFillCksum(f, 14, 20);
      const old = (f[24] << 8) | f[25];
      const c = cksumAdjust(old, (ttl << 8) | f[23], ((ttl - 1) << 8) | f[23]);
      f[22] = ttl - 1;
      ipFillCksum(f, 14, 20);
      expect(c).toBe((f[24] << 8) | f[25]);
    }
  });

  it("UDP pseudo-header checksum", () => {
    const u = new Uint8Array(8 + 11);
    writeUdpHeader(u, 0, 1234, 53, u.length);
    u.set(pattern(11), 8);
    udpFillCksum(u, 0, u.length, ip("10.0.0.1"), ip("10.0.0.2"));
    expect(udpChecksumOk(u, 0, u.length, ip("10.0.0.1"), ip("10.0.0.2"))).toBe(true);
    expect(udpChecksumOk(u, 0, u.length, ip("10.0.0.1"), ip("10.0.0.3"))).toBe(false);
  });
});

describe("ipValidate", () => {
  const good = () => echoFrame(ip("10.0.0.1"), ip("10.0.0.2"), 1, 1, pattern(8)).subarray(14);
  const cases: Array<[string, (h: Uint8Array) => Uint8Array, number]> = [
    ["valid", (h) => h, IPV_OK],
    ["too short", (h) => h.subarray(0, 19), IPV_TOOSHORT],
    ["version 6", (h) => ((h[0] = 0x65), h), IPV_BADVERS],
    ["ihl 4", (h) => ((h[0] = 0x44), h), IPV_BADHLEN],
    ["ihl beyond data", (h) => ((h[0] = 0x4f), h.subarray(0, 40)), IPV_BADHLEN],
    ["bad checksum", (h) => ((h[10] ^= 1), h), IPV_BADSUM],
    ["total < header", (h) => ((h[3] = 10), ipFillCksum(h, 0, 20), h), IPV_BADLEN],
    ["total > data", (h) => ((h[3] = 200), ipFillCksum(h, 0, 20), h), IPV_TOOSHORT],
  ];
  it.each(cases)("%s", (_n, mut, want) => {
    const h = mut(good().slice());
    expect(ipValidate(h, 0, h.length)).toBe(want);
  });
});
