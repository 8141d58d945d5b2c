// SO_LINGER with a nonzero time (BSD's soclose): close blocks until everything sent is
// acknowledged and then returns 0; when the linger time passes first, the connection is reset
// and close fails with EWOULDBLOCK. Two io-pkt stacks on a virtual wire, on a ManualClock: the
// linger time passes only when the test advances it.
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { loadBuiltinProgram } from "../../../firmware/bin/lib/builtin-lookup.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import type { SocketClient } from "../../../firmware/net/socket/api.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { run } from "../bin/harness.ts";
import { errnoOf, program, startIoPkt, withClient } from "../iopkt/harness.ts";
import { turn } from "../../helpers/wait.ts";

const ip = (s: string) => parseIpv4(s) as number;
const inet = (address: string, port: number) => ({ family: "inet" as const, address, port });
const SENT = 256 * 1024;
const LINGER_S = 10;

/** A one-shot event: `open()` once, `opened` resolves from then on. */
class Latch {
  open: () => void = () => undefined;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
}

function lingerOpt(on: boolean, seconds: number): Uint8Array {
  const v = new Uint8Array(8);
  new DataView(v.buffer).setInt32(0, on ? 1 : 0);
  new DataView(v.buffer).setInt32(4, seconds);
  return v;
}

describe("SO_LINGER with a nonzero time", () => {
  let k: Kernel;
  let clock: ManualClock;
  afterEach(async () => {
    await k.shutdown(50);
  });

  /** Two stacks; /b's receive side is small so most of what /a sends waits unacknowledged. */
  async function twoStacks(): Promise<void> {
    clock = new ManualClock();
    k = new Kernel({ nodeName: "l", clock });
    await startIoPkt(k, ["-d", "vwire", "hub=l0", "-p", "tcpip", "prefix=/a", "-t", "2"]);
    await startIoPkt(k, ["-d", "vwire", "hub=l0", "-p", "tcpip", "prefix=/b", "-t", "2"]);
    await withClient(k, "/a", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    await withClient(k, "/b", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.2"), prefixLen: 24 }));
    const sysctl = await loadBuiltinProgram("sysctl");
    const r = await run(k, sysctl!, ["sysctl", "-w", "net.inet.tcp.recvspace=16384"], {
      env: { PATH: "/bin", SOCK: "/b" },
    });
    expect(r.status).toBe(0);
  }

  /** /b accepts one connection and reads nothing until `drain` is notified; then reads to EOF. */
  function server(drain: Latch, listening: Latch): Promise<{ got: number; err: string }> {
    return program(k, "/b", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_STREAM);
      await s.setsockopt(fd, K.SOL_SOCKET, K.SO_RCVBUF, 8192);
      await s.bind(fd, inet("0.0.0.0", 7100));
      await s.listen(fd, 1);
      listening.open();
      const { fd: c } = await s.accept(fd);
      await drain.opened;
      let got = 0;
      let err = "";
      try {
        for (;;) {
          const d = await s.recv(c, 65_536);
          if (d.byteLength === 0) break;
          got += d.byteLength;
        }
      } catch (e) {
        err = errnoOf(e);
      }
      await s.close(c);
      await s.close(fd);
      return { got, err };
    });
  }

  /** /a connects, queues SENT bytes, sets SO_LINGER and closes; `closing` fires before close. */
  async function lingeringClose(s: SocketClient, closing: Latch): Promise<string> {
    const fd = await s.socket(K.AF_INET, K.SOCK_STREAM);
    await s.connect(fd, inet("10.0.0.2", 7100));
    const data = new Uint8Array(SENT).map((_, i) => i & 0xff);
    let off = 0;
    while (off < SENT) off += await s.send(fd, data.subarray(off));
    await s.setsockopt(fd, K.SOL_SOCKET, K.SO_LINGER, lingerOpt(true, LINGER_S));
    expect(await s.getsockopt(fd, K.SOL_SOCKET, K.SO_LINGER)).toEqual(lingerOpt(true, LINGER_S));
    closing.open();
    return s.close(fd).then(
      () => "ok",
      (e: unknown) => errnoOf(e),
    );
  }

  /**
   * The scene both tests share: /b accepts and reads nothing; /a queues SENT bytes and closes
   * with SO_LINGER; the linger time then runs until 1 ms before its end with close still
   * blocked. `closed()` is null while it blocks, then "ok" or the errno.
   */
  async function blockedClose() {
    await twoStacks();
    const drain = new Latch();
    const listening = new Latch();
    const srv = server(drain, listening);
    await listening.opened;
    const closing = new Latch();
    let closed: string | null = null;
    const client = program(k, "/a", (ctx) => lingeringClose(ctx.sockets, closing)).then((r) => (closed = r));
    await closing.opened;
    for (let i = 0; i < 20; i++) await turn();
    // The peer reads nothing: most of the data is unacknowledged, so close is still blocked.
    expect(closed).toBeNull();
    clock.advance(LINGER_S * 1000 - 1);
    for (let i = 0; i < 5; i++) await turn();
    expect(closed).toBeNull();
    return { srv, drain, client, closed: () => closed };
  }

  it("blocks until the peer has acknowledged every byte and the FIN, then returns 0", async () => {
    const { srv, drain, client, closed } = await blockedClose();
    // The peer reads: the window opens, everything and the FIN are acknowledged.
    drain.open();
    await client;
    expect(closed()).toBe("ok");
    expect(await srv).toEqual({ got: SENT, err: "" });
  });

  it("resets the connection and fails with EWOULDBLOCK when the linger time passes first", async () => {
    const { srv, drain, client, closed } = await blockedClose();
    clock.advance(1);
    await client;
    expect(closed()).toBe("EAGAIN"); // EWOULDBLOCK is EAGAIN on QNX
    // The peer, reading now, gets what arrived before the RST and then ECONNRESET.
    drain.open();
    const r = await srv;
    expect(r.err).toBe("ECONNRESET");
    expect(r.got).toBeLessThan(SENT);
  });
});
