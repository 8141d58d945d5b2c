// The routing-message codec (rtmsg.ts) and route monitor's printing of it (net-rtmsg-format.ts).
import { describe, expect, it } from "vitest";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import { AF_INET } from "../../../firmware/net/socket/constants.ts";
import {
  AF_LINK,
  RTAX_AUTHOR,
  RTAX_BRD,
  RTAX_DST,
  RTAX_GATEWAY,
  RTAX_IFA,
  RTAX_IFP,
  RTAX_NETMASK,
  RTM_MISS,
  RTM_NEWADDR,
  RTM_REDIRECT,
  RTM_VERSION,
  decodeRtMsg,
  encodeRtMsg,
  type RoutingMessage,
  type RtAddrs,
} from "../../../firmware/net/socket/rtmsg.ts";
import { formatMonitorMessage } from "../../../firmware/bin/lib/net-rtmsg-format.ts";
import { missMsg } from "../../../firmware/net/socket/rtsock.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { fuzzIterations, mutate, xorshift32 } from "../../helpers/fuzz.ts";

const ip = (s: string) => parseIpv4(s) as number;

function newaddr(): RoutingMessage {
  const addrs: RtAddrs = [];
  addrs[RTAX_NETMASK] = { family: AF_INET, addr: ip("255.255.255.0") };
  addrs[RTAX_IFP] = {
    family: AF_LINK,
    index: 2,
    type: 6,
    name: "en0",
    mac: new Uint8Array([2, 0, 0, 0, 0, 1]),
  };
  addrs[RTAX_IFA] = { family: AF_INET, addr: ip("10.5.0.9") };
  addrs[RTAX_BRD] = { family: AF_INET, addr: ip("10.5.0.255") };
  return { kind: "ifa", type: RTM_NEWADDR, index: 2, flags: 0, metric: 0, addrs };
}

describe("routing messages", () => {
  it("route monitor prints an address message as BSD's route does", () => {
    const b = encodeRtMsg(newaddr());
    expect(formatMonitorMessage(b, Date.UTC(2026, 11, 5, 16, 42, 44), true)).toBe(
      "\ngot message of size 88 on Sat Dec  5 16:42:44 2026\n" +
        "RTM_NEWADDR: address being added to iface: len 88, metric 0, flags:\n" +
        "sockaddrs: <NETMASK,IFP,IFA,BRD>\n" +
        " 255.255.255.0 en0:02:00:00:00:00:01 10.5.0.9 10.5.0.255\n",
    );
    expect(decodeRtMsg(b)).toEqual(newaddr());
  });

  it("route monitor prints a miss and a redirect as BSD's route does", () => {
    const miss: RtAddrs = [];
    miss[RTAX_DST] = { family: AF_INET, addr: ip("10.99.0.1") };
    const redirect: RtAddrs = [];
    redirect[RTAX_DST] = { family: AF_INET, addr: ip("10.0.9.5") };
    redirect[RTAX_GATEWAY] = { family: AF_INET, addr: ip("10.0.1.3") };
    redirect[RTAX_AUTHOR] = { family: AF_INET, addr: ip("10.0.1.1") };
    // As the stack sends them (index 2; rt_missmsg sets RTF_DONE, 0x40).
    const msg = (type: number, flags: number, addrs: RtAddrs) => missMsg(type, 2, flags, addrs);
    const when = Date.UTC(2026, 11, 5, 16, 42, 44);
    const m1 = msg(RTM_MISS, 0x40, miss);
    expect(formatMonitorMessage(encodeRtMsg(m1), when, true)).toBe(
      "\ngot message of size 92 on Sat Dec  5 16:42:44 2026\n" +
        "RTM_MISS: Lookup failed on this address: len 92, pid: 0, seq 0, errno 0, flags:<DONE>\n" +
        "locks:  inits: \nsockaddrs: <DST>\n 10.99.0.1\n",
    );
    const m2 = msg(RTM_REDIRECT, 0x1 | 0x2 | 0x4 | 0x10 | 0x40, redirect);
    expect(formatMonitorMessage(encodeRtMsg(m2), when, true)).toBe(
      "\ngot message of size 124 on Sat Dec  5 16:42:44 2026\n" +
        "RTM_REDIRECT: Told to use different route: len 124, pid: 0, seq 0, errno 0, " +
        "flags:<UP,GATEWAY,HOST,DYNAMIC,DONE>\n" +
        "locks:  inits: \nsockaddrs: <DST,GATEWAY,AUTHOR>\n 10.0.9.5 10.0.1.3 10.0.1.1\n",
    );
    expect(decodeRtMsg(encodeRtMsg(m1))).toEqual(m1);
    expect(decodeRtMsg(encodeRtMsg(m2))).toEqual(m2);
  });

  it("a BSD-style short netmask reads its missing bytes as zero", () => {
    const b = encodeRtMsg(newaddr());
    // Cut the 16-byte netmask (the first sockaddr, at 20) to 8 bytes: len 8, 8 fewer bytes.
    const short = new Uint8Array(b.byteLength - 8);
    short.set(b.subarray(0, 28));
    short.set(b.subarray(36), 28);
    short[20] = 8;
    short[0] = short.byteLength >> 8;
    short[1] = short.byteLength & 0xff;
    const m = decodeRtMsg(short);
    expect(m.addrs[RTAX_NETMASK]).toEqual({ family: AF_INET, addr: ip("255.255.255.0") });
  });

  it("fuzzed messages decode or fail with an errno, never anything else", () => {
    const seeds = [encodeRtMsg(newaddr())];
    const r = xorshift32(0x5eed);
    const n = fuzzIterations(5_000, 200_000);
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const b = mutate(r, seeds[i % seeds.length] as Uint8Array);
      // Half of them get a consistent length and version, so the sockaddr walk is reached.
      if (i % 2 === 0 && b.byteLength >= 4) {
        b[0] = (b.byteLength >> 8) & 0xff;
        b[1] = b.byteLength & 0xff;
        b[2] = RTM_VERSION;
      }
      let what = "ok";
      try {
        const m = decodeRtMsg(b);
        // Whatever decodes encodes again and still prints.
        formatMonitorMessage(encodeRtMsg(m), 0, true);
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        what = e.errno;
      }
      seen.set(what, (seen.get(what) ?? 0) + 1);
    }
    expect(seen.get("EINVAL")).toBeGreaterThan(0);
    expect(seen.get("ok")).toBeGreaterThan(0);
    expect(
      [...seen.keys()].every((k) =>
        ["ok", "EINVAL", "EPROTONOSUPPORT", "EOPNOTSUPP", "EAFNOSUPPORT", "EMSGSIZE"].includes(k),
      ),
    ).toBe(true);
  }, 120_000);
});
