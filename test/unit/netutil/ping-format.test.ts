import { describe, expect, it } from "vitest";
import {
  icmpErrorText,
  pingHeader,
  pingReplyLine,
  pingSummary,
  RttStats,
} from "../../../firmware/bin/lib/net-ping-format.ts";

describe("ping output", () => {
  it("prints the header and reply lines as BSD ping", () => {
    expect(pingHeader("node2", "10.0.0.2", 56)).toBe("PING node2 (10.0.0.2): 56 data bytes\n");
    expect(pingReplyLine(64, "10.0.0.2", 0, 64, 0.4123, false)).toBe(
      "64 bytes from 10.0.0.2: icmp_seq=0 ttl=64 time=0.412 ms\n",
    );
    expect(pingReplyLine(64, "10.0.0.2", 3, 63, 1, true)).toBe(
      "64 bytes from 10.0.0.2: icmp_seq=3 ttl=63 time=1.000 ms (DUP!)\n",
    );
  });

  it("computes min/avg/max/stddev like ping (population deviation)", () => {
    const s = new RttStats();
    s.transmitted = 4;
    for (const ms of [1, 2, 3, 4]) s.add(ms);
    expect(s.min).toBe(1);
    expect(s.max).toBe(4);
    expect(s.avg).toBe(2.5);
    expect(s.stddev).toBeCloseTo(Math.sqrt(1.25), 10);
    expect(pingSummary("10.0.0.2", s)).toBe(
      "\n----10.0.0.2 PING Statistics----\n" +
        "4 packets transmitted, 4 packets received, 0.0% packet loss\n" +
        "round-trip min/avg/max/stddev = 1.000/2.500/4.000/1.118 ms\n",
    );
  });

  it("reports loss and omits the round-trip line when nothing came back", () => {
    const s = new RttStats();
    s.transmitted = 3;
    expect(pingSummary("h", s)).toBe(
      "\n----h PING Statistics----\n3 packets transmitted, 0 packets received, 100.0% packet loss\n",
    );
    s.add(2);
    expect(pingSummary("h", s)).toContain("66.7% packet loss\n");
  });

  it("mentions duplicates", () => {
    const s = new RttStats();
    s.transmitted = 1;
    s.add(1);
    s.duplicates = 1;
    expect(pingSummary("h", s)).toContain("1 packets received, +1 duplicates, 0.0% packet loss");
  });

  it.each([
    [11, 0, 0, "Time to live exceeded"],
    [11, 1, 0, "Frag reassembly time exceeded"],
    [3, 1, 0, "Destination Host Unreachable"],
    [3, 3, 0, "Destination Port Unreachable"],
    [3, 4, 1400, "frag needed and DF set.  Next MTU=1400"],
  ])("ICMP type %i code %i reads %s", (type, code, mtu, text) => {
    expect(icmpErrorText(type, code, mtu)).toBe(text);
  });
});
