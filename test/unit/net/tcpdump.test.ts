import { describe, expect, it } from "vitest";
import { PcapWriter, readPcap, pcapGlobalHeader } from "../../../firmware/net/stack/pcap-file.ts";
import { compileFilter } from "../../../firmware/net/stack/tcpdump-expr.ts";
import {
  formatFrame,
  formatPacketLine,
  formatTimestamp,
} from "../../../firmware/net/stack/tcpdump-format.ts";
import { ARPOP_REPLY, ARPOP_REQUEST } from "../../../firmware/net/wire/arp.ts";
import {
  ICMP_TIMXCEED,
  ICMP_UNREACH,
  icmpFillCksum,
  writeIcmpHeader,
} from "../../../firmware/net/wire/icmp.ts";
import { MAC_A, MAC_B, arpFrame, echoFrame, fragmentFrames, ipFrame, udpFrame } from "./frames.ts";
import { ip, pattern } from "./wire-harness.ts";

const A = ip("10.0.0.1");
const B = ip("10.0.0.2");
const C = ip("192.168.1.7");

function tcpFrame(src: number, dst: number, sport: number, dport: number, flags: number) {
  const t = new Uint8Array(20);
  t[0] = sport >> 8;
  t[1] = sport & 0xff;
  t[2] = dport >> 8;
  t[3] = dport & 0xff;
  new DataView(t.buffer).setUint32(4, 1000);
  new DataView(t.buffer).setUint32(8, 2000);
  t[12] = 5 << 4;
  t[13] = flags;
  t[14] = 0xff;
  t[15] = 0xff;
  return ipFrame({ src, dst, proto: 6, payload: t });
}

const frames = {
  echo: echoFrame(A, B, 1, 1, pattern(56)),
  arpReq: arpFrame(ARPOP_REQUEST, MAC_A, A, 0, B),
  arpRep: arpFrame(ARPOP_REPLY, MAC_B, B, MAC_A, A, MAC_A),
  dns: udpFrame(A, C, 40000, 53, pattern(20)),
  http: tcpFrame(C, A, 80, 51000, 0x12),
  frag2: fragmentFrames(A, B, 1, pattern(3000), 1480)[1],
  vlan: (() => {
    const e = echoFrame(A, B, 1, 1, pattern(8));
    const f = new Uint8Array(e.length + 4);
    f.set(e.subarray(0, 12));
    f.set([0x81, 0x00, 0x00, 0x0a], 12);
    f.set(e.subarray(12), 16);
    return f;
  })(),
};

describe("tcpdump filter expressions", () => {
  const cases: Array<[string, Array<keyof typeof frames>]> = [
    ["", ["echo", "arpReq", "arpRep", "dns", "http", "frag2", "vlan"]],
    ["icmp", ["echo", "frag2"]],
    ["arp", ["arpReq", "arpRep"]],
    ["ip", ["echo", "dns", "http", "frag2"]],
    ["udp", ["dns"]],
    ["tcp", ["http"]],
    ["host 10.0.0.2", ["echo", "arpReq", "arpRep", "frag2"]],
    ["src host 10.0.0.2", ["arpRep"]],
    ["dst 10.0.0.2", ["echo", "arpReq", "frag2"]],
    ["net 192.168.1.0/24", ["dns", "http"]],
    ["net 192.168", ["dns", "http"]],
    ["net 192.168.0.0 mask 255.255.0.0", ["dns", "http"]],
    ["port 53", ["dns"]],
    ["tcp port 80", ["http"]],
    ["udp port 80", []],
    ["src port 80", ["http"]],
    ["dst port 80", []],
    ["portrange 50-60", ["dns"]],
    ["icmp and not host 10.0.0.9", ["echo", "frag2"]],
    ["! ip && ! arp", ["vlan"]],
    ["arp or udp", ["arpReq", "arpRep", "dns"]],
    ["(udp or tcp) and host 192.168.1.7", ["dns", "http"]],
    ["host 10.0.0.9 or 192.168.1.7", ["dns", "http"]],
    ["ether host 02:00:00:00:00:02", ["echo", "arpRep", "dns", "http", "frag2", "vlan"]],
    ["ether src 02:00:00:00:00:02", ["arpRep"]],
    ["ether broadcast", ["arpReq"]],
    ["broadcast", ["arpReq"]],
    ["vlan 10", ["vlan"]],
    ["vlan 11", []],
    ["ether proto 0x0806", ["arpReq", "arpRep"]],
    ["ip proto 17", ["dns"]],
    ["proto icmp", ["echo", "frag2"]],
    ["less 50", ["arpReq", "arpRep"]],
    ["greater 1000", ["frag2"]],
    ["ip and not (icmp or port 53)", ["http"]],
    // Relations: loads from a layer's header, arithmetic, named constants.
    ["icmp[icmptype] = icmp-echo", ["echo"]], // frag2 is not a first fragment
    ["icmp[icmptype] != icmp-echo", []],
    ["tcp[tcpflags] & tcp-syn != 0", ["http"]],
    ["tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack", ["http"]],
    ["tcp[13] & tcp-rst != 0", []],
    ["(tcp[12] >> 4) * 4 >= 20", ["http"]],
    ["udp[0:2] = 53 or udp[2:2] = 53", ["dns"]],
    ["ip[6:2] & 0x1fff != 0", ["frag2"]],
    ["ether[0] & 1 = 1", ["arpReq"]],
    ["ether[12:2] = 0x8100", ["vlan"]],
    ["arp[6:2] = 2", ["arpRep"]],
    ["ip[9] = 17 and len < 100", ["dns"]],
    ["len > 1000 and ip[0] & 0xf = 5", ["frag2"]],
    ["ip[1000:4] = 0", []], // past the end: false, not an error
    ["tcp[100 / 0] = 0", []],
    ["port 53 or 80", ["dns", "http"]], // a bare number after or is still a port
  ];
  for (const [expr, want] of cases) {
    it(`'${expr}'`, () => {
      const p = compileFilter(expr);
      const got = (Object.keys(frames) as Array<keyof typeof frames>).filter((k) => {
        const f = frames[k];
        return p(f, new DataView(f.buffer), 0, f.length);
      });
      expect(got).toEqual(want);
    });
  }

  it.each([
    "host",
    "port x",
    "net 300.1.1.1/8",
    "(icmp",
    "icmp)",
    "foo",
    "10.0.0.1",
    "tcp host 1.2.3.4",
    "icmp and",
    "port 70000",
    "@",
    "tcp[13",
    "tcp[13:3] = 1",
    "tcp[13] &",
    "tcp[13] & 2",
    "len >",
    "icmp[icmptype] = icmp-bogus",
  ])("rejects '%s'", (expr) => {
    expect(() => compileFilter(expr)).toThrow(/syntax error/);
  });

  it("never reads past a short frame", () => {
    const p = compileFilter("port 53 or host 1.2.3.4 or vlan 3 or ether src 1:2:3:4:5:6");
    for (let n = 0; n < 60; n++) {
      const f = frames.dns.slice(0, n);
      expect(typeof p(f, new DataView(f.buffer), 0, n)).toBe("boolean");
    }
    expect(p(frames.dns, new DataView(frames.dns.buffer), 0, 37)).toBe(false); // ports cut off
  });
});

describe("tcpdump -n lines", () => {
  it("formats the timestamp in microseconds", () => {
    expect(formatTimestamp(Date.UTC(2024, 0, 1, 12, 0, 0, 123) + 0.456)).toBe("12:00:00.123456");
    expect(formatTimestamp(Date.UTC(2024, 0, 1, 23, 30, 0), 60)).toBe("00:30:00.000000");
  });

  it.each([
    ["echo", "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64"],
    ["arpReq", "ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28"],
    ["arpRep", "ARP, Reply 10.0.0.2 is-at 02:00:00:00:00:02, length 28"],
    ["dns", "IP 10.0.0.1.40000 > 192.168.1.7.53: UDP, length 20"],
    ["http", "IP 192.168.1.7.80 > 10.0.0.1.51000: Flags [S.], seq 1000, ack 2000, win 65535, length 0"],
    ["frag2", "IP 10.0.0.1 > 10.0.0.2: ICMP"],
    [
      "vlan",
      "vlan 10, p 0, ethertype IPv4 (0x0800), IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 16",
    ],
  ] as const)("%s", (k, line) => {
    expect(formatFrame(frames[k])).toBe(line);
  });

  it("with -e prints the link header", () => {
    expect(formatPacketLine(Date.UTC(2024, 0, 1, 12, 0, 0), frames.arpReq, { link: true })).toBe(
      "12:00:00.000000 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: " +
        "ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28",
    );
  });

  it("ICMP errors", () => {
    const quoted = udpFrame(A, C, 1234, 9999, pattern(4)).subarray(14, 14 + 28);
    const mk = (type: number, code: number, rest = 0) => {
      const m = new Uint8Array(8 + quoted.length);
      writeIcmpHeader(m, 0, type, code, rest);
      m.set(quoted, 8);
      icmpFillCksum(m, 0, m.length);
      return formatFrame(ipFrame({ src: C, dst: A, proto: 1, payload: m }));
    };
    expect(mk(ICMP_UNREACH, 3)).toBe(
      "IP 192.168.1.7 > 10.0.0.1: ICMP 192.168.1.7 udp port 9999 unreachable, length 36",
    );
    expect(mk(ICMP_UNREACH, 1)).toBe(
      "IP 192.168.1.7 > 10.0.0.1: ICMP host 192.168.1.7 unreachable, length 36",
    );
    expect(mk(ICMP_UNREACH, 4, 1400)).toBe(
      "IP 192.168.1.7 > 10.0.0.1: ICMP 192.168.1.7 unreachable - need to frag (mtu 1400), length 36",
    );
    expect(mk(ICMP_TIMXCEED, 0)).toBe("IP 192.168.1.7 > 10.0.0.1: ICMP time exceeded in-transit, length 36");
    expect(mk(ICMP_TIMXCEED, 1)).toBe(
      "IP 192.168.1.7 > 10.0.0.1: ICMP ip reassembly time exceeded, length 36",
    );
  });

  it("survives truncated frames", () => {
    for (const f of Object.values(frames))
      for (let n = 0; n < f.length; n++) expect(typeof formatFrame(f.slice(0, n))).toBe("string");
  });
});

describe("pcap files", () => {
  it("round-trips frames, timestamps and lengths", () => {
    const w = new PcapWriter();
    const t0 = Date.UTC(2024, 0, 1, 12, 0, 0) + 0.5;
    w.add(t0, frames.echo);
    w.add(t0 + 1.25, frames.arpReq);
    const bytes = w.bytes();
    expect([...bytes.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]); // little-endian magic
    const r = readPcap(bytes);
    expect(r.linktype).toBe(1);
    expect(r.packets).toHaveLength(2);
    expect(r.packets[0].data).toEqual(frames.echo);
    expect(r.packets[0].tsUsec).toBe(500);
    expect(r.packets[1].tsMs).toBeCloseTo(t0 + 1.25, 3);
    expect(r.packets[1].origLen).toBe(42);
  });

  it("truncates to the snap length but keeps the original length", () => {
    const w = new PcapWriter(64);
    w.add(0, frames.frag2);
    const p = readPcap(w.bytes()).packets[0];
    expect(p.data.length).toBe(64);
    expect(p.origLen).toBe(frames.frag2.length);
  });

  it("reads big-endian and nanosecond files", () => {
    const h = new Uint8Array(24 + 16 + 4);
    const v = new DataView(h.buffer);
    v.setUint32(0, 0xa1b23c4d, false);
    v.setUint16(4, 2, false);
    v.setUint16(6, 4, false);
    v.setUint32(16, 65535, false);
    v.setUint32(20, 1, false);
    v.setUint32(24, 10, false);
    v.setUint32(28, 123_456_789, false);
    v.setUint32(32, 4, false);
    v.setUint32(36, 4, false);
    h.set([1, 2, 3, 4], 40);
    const r = readPcap(h);
    expect(r.nanosecond).toBe(true);
    expect(r.packets[0]).toMatchObject({ tsSec: 10, tsUsec: 123456 });
    expect([...r.packets[0].data]).toEqual([1, 2, 3, 4]);
  });

  it("rejects garbage and ignores a truncated tail", () => {
    expect(() => readPcap(new Uint8Array(10))).toThrow(/truncated/);
    expect(() => readPcap(new Uint8Array(24))).toThrow(/bad dump file/);
    const w = new PcapWriter();
    w.add(0, frames.echo);
    const b = w.bytes();
    expect(readPcap(b.subarray(0, b.length - 1)).packets).toHaveLength(0);
    expect(pcapGlobalHeader().length).toBe(24);
  });
});
