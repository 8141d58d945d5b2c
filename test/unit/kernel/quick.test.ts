import { describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/index.ts";

describe("smoke", () => {
  it("round trip", async () => {
    const k = new Kernel();
    let chid = 0;
    const server = k.spawn({
      name: "srv",
      main: async (t) => {
        chid = t.ChannelCreate();
        for (;;) {
          const r = await t.MsgReceive(chid);
          if (r.rcvid) t.MsgReply(r.rcvid, 0, new Uint8Array([r.msg[0] + 1]));
        }
      },
    });
    await new Promise((r) => setTimeout(r, 5));
    const client = k.spawn({
      name: "cli",
      main: async (t) => {
        const coid = t.ConnectAttach(0, server.pid, chid);
        const rep = await t.MsgSend(coid, new Uint8Array([41]));
        return rep[0];
      },
    });
    expect(await client.wait()).toBe(42);
  });
});
