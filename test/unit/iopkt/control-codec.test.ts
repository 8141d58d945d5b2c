import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import { decode, encode } from "../../../firmware/net/control/codec.ts";
import * as P from "../../../firmware/net/control/protocol.ts";

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 2000);

const REQUESTS = {
  NameRequest: P.NameRequest,
  IfSetRequest: P.IfSetRequest,
  IfAddrRequest: P.IfAddrRequest,
  RouteAddRequest: P.RouteAddRequest,
  ArpSetRequest: P.ArpSetRequest,
  SysctlSetRequest: P.SysctlSetRequest,
  EchoSendRequest: P.EchoSendRequest,
  BpfOpenRequest: P.BpfOpenRequest,
  ModuleLoadRequest: P.ModuleLoadRequest,
  IfListReply: P.IfListReply,
  BpfReadReply: P.BpfReadReply,
};

describe("io-pkt control codec", () => {
  it("round-trips an echo request with a payload and 64-bit counters", () => {
    const v = {
      dst: 0x0a000002,
      seq: 7,
      ttl: 64,
      df: true,
      src: 0,
      payload: new Uint8Array([1, 2, 3]),
      ipOptions: new Uint8Array([7, 3, 4, 0]),
    };
    expect(decode(P.EchoSendRequest, encode(P.EchoSendRequest, v))).toEqual(v);
    const s = { counters: [{ group: "ip", name: "total", value: 2 ** 40 + 5 }] };
    expect(decode(P.StatsReply, encode(P.StatsReply, s))).toEqual(s);
  });

  it("a truncated message is EBADMSG", () => {
    const b = encode(P.ArpSetRequest, {
      ip: 1,
      mac: "00:11:22:33:44:55",
      ifname: "en0",
      temp: false,
      pub: false,
    });
    expect(() => decode(P.ArpSetRequest, b.subarray(0, 8))).toThrow(KernelError);
  });

  it("random bytes never crash a decoder: a value or a KernelError", () => {
    for (const [name, schema] of Object.entries(REQUESTS)) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
          try {
            decode(schema, bytes);
          } catch (e) {
            if (!(e instanceof KernelError)) throw new Error(`${name}: ${String(e)}`);
          }
        }),
        { numRuns: ITERATIONS },
      );
    }
  });
});
