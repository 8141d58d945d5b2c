// The ICMP length an echo session reports for an error: what ping prints as "N bytes from".
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { ECHO_EV_ERROR } from "../../../firmware/net/control/protocol.ts";
import { EchoSession } from "../../../firmware/net/manager/echo-session.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";

function session(): EchoSession {
  const clock = new ManualClock();
  return new EchoSession(new Stack({ clock }), clock, 0x1234);
}

describe("EchoSession errors", () => {
  it("reports the ICMP length the stack passes", () => {
    const s = session();
    s.error(0x0a000001, 3, 1, 7, 0, 92);
    const ev = s.next(
      0,
      () => null as never,
      () => {},
    );
    expect(ev).toMatchObject({ kind: ECHO_EV_ERROR, seq: 7, type: 3, code: 1, icmpLen: 92 });
  });

  it("reports the RFC 792 minimum (36 bytes) when the stack does not say", () => {
    const s = session();
    s.error(0x0a000001, 11, 0, 3, 0);
    expect(
      s.next(
        0,
        () => null as never,
        () => {},
      )?.icmpLen,
    ).toBe(36);
  });
});
