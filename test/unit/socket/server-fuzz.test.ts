// Malformed messages to /dev/socket/N: the socket resource manager answers every one with a
// value or an errno-shaped KernelError (counted when malformed), never a crash or a hang.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import { AF_INET, AF_LOCAL, AF_ROUTE } from "../../../firmware/net/socket/constants.ts";
import { SocketLayer } from "../../../firmware/net/socket/layer.ts";
import * as M from "../../../firmware/net/socket/messages.ts";
import { SocketOpen, SocketServer } from "../../../firmware/net/socket/server.ts";
import { encode } from "../../../firmware/net/control/codec.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import type { Deferred, IoContext, Ocb } from "../../../firmware/resmgr/handlers.ts";
import { fuzzIterations, xorshift32 } from "../../helpers/fuzz.ts";

const COMMANDS = Object.values(M.SOCKCTL);

/** Well-formed requests to mutate: each command's usual payload. */
function seeds(): Uint8Array[] {
  const addr = { family: AF_INET, port: 7, addr: 0x7f000001, path: "" };
  return [
    encode(M.SocketRequest, { type: 2, protocol: 0 }),
    encode(M.AddrMessage, { addr }),
    encode(M.AddrMessage, { addr: { family: AF_LOCAL, port: 0, addr: 0, path: "/tmp/f" } }),
    encode(M.ListenRequest, { backlog: 5 }),
    encode(M.SockoptRequest, { level: 0xffff, name: 0x1002, value: new Uint8Array([0, 0, 16, 0]) }),
    encode(M.SendRequest, { to: addr, flags: 0x80, ifindex: 0, src: 0, data: new Uint8Array(3) }),
    encode(M.RecvRequest, { max: 100, flags: 0x80 }),
    encode(M.RecvMmsgRequest, { max: 100, flags: 0x80, count: 8, bytes: 4096 }),
    encode(M.IoctlRequest, { request: M.FIONREAD, arg: 0 }),
    new Uint8Array(0),
  ];
}

function fakeCtx(): IoContext {
  const deferred = (): Deferred => ({
    rcvid: 1,
    done: false,
    reply() {},
    error() {},
    onCancel: null,
  });
  return { info: { pid: 9 }, cred: { uid: 0, gid: 0 }, defer: deferred } as unknown as IoContext;
}

describe("socket resource manager: malformed messages", () => {
  it("answers every mutated message with a value or an errno, and counts the malformed", async () => {
    const clock = new ManualClock();
    const layer = new SocketLayer(new Stack({ clock }));
    const server = new SocketServer(layer, clock);
    const ctx = fakeCtx();
    const ocb = {} as Ocb;
    const base = seeds();
    const rnd = xorshift32(0x50c4e7);
    const n = fuzzIterations(20_000, 1_000_000);
    let opens: SocketOpen[] = [];
    const fresh = (): SocketOpen => {
      const o = new SocketOpen([AF_INET, AF_LOCAL, AF_ROUTE][rnd() % 3] as number, () => {});
      opens.push(o);
      return o;
    };
    let open = fresh();
    let errors = 0;
    for (let i = 0; i < n; i++) {
      if (i % 64 === 0) {
        for (const o of opens) server.close(o);
        opens = [];
        open = fresh();
      }
      const seed = base[rnd() % base.length];
      const msg = seed.slice(0, rnd() % 4 === 0 ? rnd() % (seed.length + 1) : seed.length);
      for (let k = rnd() % 4; k > 0 && msg.length > 0; k--) msg[rnd() % msg.length] = rnd() & 0xff;
      const dcmd = rnd() % 16 === 0 ? rnd() : COMMANDS[rnd() % COMMANDS.length];
      try {
        await server.devctl(ctx, ocb, open, dcmd, msg);
      } catch (e) {
        if (!(e instanceof KernelError)) throw new Error(`iteration ${i}: ${String(e)}`);
        errors++;
      }
    }
    for (const o of opens) server.close(o);
    expect(errors).toBeGreaterThan(0);
    expect(server.stats.badmsg + server.stats.nosocket).toBeGreaterThan(0);
  }, 600_000);
});
