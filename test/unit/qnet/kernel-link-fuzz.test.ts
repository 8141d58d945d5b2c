// Mutated kernel-interface messages at both kernels of a linked pair (what a node's Qnet hands
// the kernel link after reassembly): nothing throws, every bad one is counted, and a session
// established before still carries a round trip afterwards. CI runs a million.
import { describe, expect, it } from "vitest";
import { fuzzIterations, mutate, xorshift32 } from "../../helpers/fuzz.ts";
import { settle, startServer, str, text } from "../kernel/helpers.ts";
import { kernelPair } from "./kernel-pair.ts";

const ITER = fuzzIterations(50_000, 1_000_000);

describe("Qnet kernel link fuzz", () => {
  it(`${ITER} mutated kernel-interface messages: no crash, the session still works`, async () => {
    const p = kernelPair();
    const srv = await startServer(p.b, async (t, chid) => {
      for (;;) {
        const r = await t.MsgReceive(chid);
        if (!r.pulse) t.MsgReply(r.rcvid, 0, r.msg);
      }
    });
    const roundTrip = async (msg: string): Promise<string> => {
      let got = "";
      const c = p.a.spawn({
        name: "client",
        main: async (t) => {
          const coid = t.ConnectAttach(p.ndOfB, srv.proc.pid, srv.chid);
          t.MsgSendPulse(coid, 10, 1, 2);
          got = str(await t.MsgSend(coid, text(msg)));
          t.ConnectDetach(coid);
        },
      });
      for (let i = 0; i < 20 && c.exitStatus === null; i++) {
        await settle(p.a);
        await settle(p.b);
      }
      await c.wait();
      return got;
    };
    expect(await roundTrip("before")).toBe("before");
    const seeds = p.traffic.map(([from, b]) => [from, b] as const);
    expect(seeds.length).toBeGreaterThan(4);
    p.cut(); // answers to garbage go nowhere
    const r = xorshift32(0x9e3779b9);
    for (let i = 0; i < ITER; i++) {
      const [from, seed] = seeds[r() % seeds.length];
      const m = mutate(r, seed);
      if (from === "alpha") p.linkB.input(p.ndOfA, m);
      else p.linkA.input(p.ndOfB, m);
      if (i % 5000 === 0) await settle(p.b, 1);
    }
    await settle(p.a);
    await settle(p.b);
    expect(p.linkA.stats.dropped + p.linkB.stats.dropped).toBeGreaterThan(0);
    p.cut(false);
    p.traffic.length = 0;
    expect(await roundTrip("after")).toBe("after");
  }, 600_000);
});
