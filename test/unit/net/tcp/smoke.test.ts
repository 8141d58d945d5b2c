import { describe, expect, it } from "vitest";
import { Harness } from "./harness.ts";
import { TCPS_ESTABLISHED } from "../../../../firmware/net/tcp/state.ts";

describe("smoke", () => {
  it("connects", () => {
    const h = new Harness();
    const t = h.connect({ sackPerm: true, ts: true, wscale: 7 });
    expect(t.state).toBe(TCPS_ESTABLISHED);
  });
});
