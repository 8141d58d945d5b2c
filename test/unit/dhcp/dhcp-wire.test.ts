import { describe, expect, it } from "vitest";
import {
  BOOTREQUEST,
  DHCPDISCOVER,
  DHCP_FLAG_BROADCAST,
  DhcpFormatError,
  OPT_DNS,
  OPT_LEASE_TIME,
  OPT_MSG_TYPE,
  OPT_PARAM_LIST,
  decodeDhcp,
  dhcpType,
  encodeDhcp,
  optAddrs,
  optU32,
  u32Option,
} from "../../../firmware/net/wire/dhcp.ts";
import { fuzzIterations, fuzzParser } from "../../helpers/fuzz.ts";

function discover() {
  return {
    op: BOOTREQUEST,
    xid: 0xdeadbeef,
    secs: 0,
    flags: DHCP_FLAG_BROADCAST,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr: 0x020000000001,
    options: new Map<number, Uint8Array>([
      [OPT_MSG_TYPE, Uint8Array.of(DHCPDISCOVER)],
      [OPT_PARAM_LIST, Uint8Array.of(1, 3, 6, 12, 15, 51, 54, 58, 59)],
      [OPT_DNS, Uint8Array.of(10, 0, 0, 1, 10, 0, 0, 2)],
      [OPT_LEASE_TIME, u32Option(3600)],
      [12, new Uint8Array(300).fill(0x61)], // split over two option instances and joined again
    ]),
  };
}

describe("DHCP messages", () => {
  it("round-trips a DISCOVER with the options a client uses", () => {
    const wire = encodeDhcp(discover());
    expect(wire.length).toBeGreaterThanOrEqual(300);
    const m = decodeDhcp(wire);
    expect(m).toMatchObject({
      op: BOOTREQUEST,
      xid: 0xdeadbeef,
      flags: DHCP_FLAG_BROADCAST,
      chaddr: 0x020000000001,
    });
    expect(dhcpType(m)).toBe(DHCPDISCOVER);
    expect(optAddrs(m, OPT_DNS)).toEqual([0x0a000001, 0x0a000002]);
    expect(optU32(m, OPT_LEASE_TIME)).toBe(3600);
    expect(m.options.get(12)?.length).toBe(300);
  });

  it("names what is wrong and where", () => {
    const wire = encodeDhcp(discover());
    expect(() => decodeDhcp(wire.subarray(0, 100))).toThrow(/shorter than the BOOTP header/);
    const bad = wire.slice();
    bad[236] = 0;
    expect(() => decodeDhcp(bad)).toThrow(/no DHCP magic cookie at byte 236/);
    const cut = wire.slice(0, 246); // message type option, then a parameter list cut short
    expect(() => decodeDhcp(cut)).toThrow(/option 55 runs past the end at byte 243/);
  });

  it("survives mutated messages: decodes or throws DhcpFormatError, never anything else", () => {
    const base = encodeDhcp(discover());
    const n = fuzzIterations(50_000, 1_000_000);
    const { parsed, dropped } = fuzzParser(
      base,
      n,
      (b) => optAddrs(decodeDhcp(b), OPT_DNS) && dhcpType(decodeDhcp(b)),
      (e) => e instanceof DhcpFormatError,
      236,
    );
    expect(parsed + dropped).toBe(n);
    expect(dropped).toBeGreaterThan(0);
  }, 600_000);
});
