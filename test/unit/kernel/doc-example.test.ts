// The server/client example of docs/kernel.md, kept here so the page stays true to the code.
import { describe, expect, it } from "vitest";
import { CHF, Kernel, ManualClock, PULSE_CODE, type Thread } from "../../../firmware/kernel/index.ts";

// ---- begin docs/kernel.md example ----
const UPPER = 1; // our one message type: first byte 1, then text to upper-case

/** A tiny server: registers /dev/upper and answers messages until its clients are gone. */
async function upperServer(t: Thread): Promise<number> {
  const chid = t.ChannelCreate(CHF.DISCONNECT);
  t.kernel.paths.attach("/dev/upper", { pid: t.process.pid, chid, type: "file" });
  for (;;) {
    const r = await t.MsgReceive(chid, { bufSize: 256 });
    if (r.pulse) {
      if (r.pulse.code === PULSE_CODE.DISCONNECT) return 0; // last client left: done
      continue;
    }
    if (r.msg[0] !== UPPER) {
      t.MsgError(r.rcvid, "ENOSYS");
      continue;
    }
    const text = new TextDecoder().decode(r.msg.subarray(1)).toUpperCase();
    t.MsgReply(r.rcvid, 0, new TextEncoder().encode(text));
  }
}

/** A client: finds the server through the path space and sends it one message. */
async function upperClient(t: Thread, word: string): Promise<string> {
  const [{ reg }] = t.kernel.paths.resolve("/dev/upper");
  const coid = t.ConnectAttach(reg.nd, reg.pid, reg.chid);
  try {
    const msg = new Uint8Array([UPPER, ...new TextEncoder().encode(word)]);
    return new TextDecoder().decode(await t.MsgSend(coid, msg));
  } finally {
    t.ConnectDetach(coid);
  }
}
// ---- end docs/kernel.md example ----

describe("docs/kernel.md example", () => {
  it("runs as the page says", async () => {
    const k = new Kernel({ clock: new ManualClock() });
    const server = k.spawn({ name: "upper", main: upperServer });
    await new Promise((r) => setImmediate(r));
    let answer = "";
    const client = k.spawn({
      name: "client",
      main: async (t) => {
        answer = await upperClient(t, "qnx");
      },
    });
    expect(await client.wait()).toBe(0);
    expect(answer).toBe("QNX");
    expect(await server.wait()).toBe(0);
    expect(k.paths.count).toBe(0);
  });
});
