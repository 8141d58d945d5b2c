// IGMPv2 timing on the stack's injectable clock: the join report and its one repeat within the
// Unsolicited Report Interval, answers to queries within their Max Response Time, suppression
// by another member's report, and nothing after the leave.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import {
  IGMP_HOST_MEMBERSHIP_QUERY,
  IGMP_V2_LEAVE_GROUP,
  IGMP_V2_MEMBERSHIP_REPORT,
  UNSOLICITED_REPORT_MS,
} from "../../../firmware/net/socket/igmp.ts";
import { SocketLayer } from "../../../firmware/net/socket/layer.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import { internetChecksum } from "../../../firmware/net/wire/checksum.ts";
import { IPPROTO_IGMP } from "../../../firmware/net/wire/ipv4.ts";
import { ipv4MulticastMac } from "../../../firmware/net/wire/mac.ts";
import { MAC_B, ipFrame } from "../net/frames.ts";
import { ip } from "../net/wire-harness.ts";

const GROUP = ip("239.7.7.7");

function rig() {
  const clock = new ManualClock();
  const s = new Stack({ clock });
  const sent: { type: number; group: number }[] = [];
  const en0 = s.attach({
    mac: MAC_B,
    output: (f) => {
      // Ethernet, IPv4 with the Router Alert option (24 bytes), IGMP
      if (f[12] === 0x08 && f[13] === 0x00 && f[23] === IPPROTO_IGMP) {
        const o = 14 + (f[14] & 0x0f) * 4;
        sent.push({ type: f[o], group: new DataView(f.buffer, f.byteOffset).getUint32(o + 4) });
      }
      return true;
    },
  });
  s.addAddress(en0, ip("10.0.0.2"), 24);
  const layer = new SocketLayer(s);
  return { clock, s, en0, layer, sent };
}

function igmpFrame(type: number, maxResp: number, group: number, dst: number): Uint8Array {
  const m = new Uint8Array(8);
  m[0] = type;
  m[1] = maxResp;
  new DataView(m.buffer).setUint32(4, group);
  const c = internetChecksum(m, 0, 8);
  m[2] = c >>> 8;
  m[3] = c & 0xff;
  return ipFrame({
    src: ip("10.0.0.1"),
    dst,
    proto: IPPROTO_IGMP,
    payload: m,
    ttl: 1,
    dstMac: ipv4MulticastMac(dst),
  });
}

const reports = (sent: { type: number; group: number }[]) =>
  sent.filter((x) => x.type === IGMP_V2_MEMBERSHIP_REPORT && x.group === GROUP).length;

describe("IGMPv2 membership timing", () => {
  it("a join reports at once and once more within the Unsolicited Report Interval", () => {
    const r = rig();
    r.layer.joinGroup(GROUP, r.en0);
    expect(reports(r.sent)).toBe(1);
    r.clock.advance(UNSOLICITED_REPORT_MS);
    expect(reports(r.sent)).toBe(2);
    r.clock.advance(10 * UNSOLICITED_REPORT_MS);
    expect(reports(r.sent)).toBe(2);
    r.s.stop();
  });

  it("a General Query is answered within its Max Response Time, not at once", () => {
    const r = rig();
    r.layer.joinGroup(GROUP, r.en0);
    r.clock.advance(UNSOLICITED_REPORT_MS);
    const before = reports(r.sent);
    r.s.input(r.en0, igmpFrame(IGMP_HOST_MEMBERSHIP_QUERY, 20, 0, ip("224.0.0.1"))); // 2 s
    expect(reports(r.sent)).toBe(before);
    r.clock.advance(2000);
    expect(reports(r.sent)).toBe(before + 1);
    expect(r.layer.igmp.stats.rcvqueries).toBe(1);
    r.s.stop();
  });

  it("another member's report for the group suppresses ours; a leave stops everything", () => {
    const r = rig();
    r.layer.joinGroup(GROUP, r.en0);
    r.s.input(r.en0, igmpFrame(IGMP_V2_MEMBERSHIP_REPORT, 0, GROUP, GROUP)); // the repeat is suppressed
    r.clock.advance(UNSOLICITED_REPORT_MS);
    expect(reports(r.sent)).toBe(1);
    r.s.input(r.en0, igmpFrame(IGMP_HOST_MEMBERSHIP_QUERY, 100, GROUP, GROUP));
    r.layer.leaveGroup(GROUP, r.en0);
    r.clock.advance(20_000);
    expect(reports(r.sent)).toBe(1);
    expect(r.sent.at(-1)).toEqual({ type: IGMP_V2_LEAVE_GROUP, group: GROUP });
    r.s.stop();
  });
});
