// End to end between two engines on a virtual wire: bulk transfers arrive byte-exact over a
// clean link and through loss, duplication, reordering and corruption, in both directions and
// with each congestion control; half-close and the close handshake finish in TIME-WAIT/CLOSED.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { TcpListener } from "../../../../firmware/net/tcp/engine.ts";
import { TCPS_CLOSED, TCPS_TIME_WAIT } from "../../../../firmware/net/tcp/state.ts";
import { TE_EOF, type Tcb } from "../../../../firmware/net/tcp/tcb.ts";
import { tcpClose, tcpRead, tcpSend, tcpShutdown } from "../../../../firmware/net/tcp/usrreq.ts";
import { LOCAL, REMOTE } from "./harness.ts";
import { seededRandom } from "../../../helpers/fuzz.ts";
import { Pair, type WireImpairment } from "./pair.ts";

function payload(n: number, seed: number): Uint8Array {
  const r = seededRandom(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}

function sha(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

/** Sends `data` from a connection on A to a listener on B; returns what B read and the pair. */
function transfer(data: Uint8Array, imp: WireImpairment | undefined, congctl = "cubic") {
  const pair = new Pair({ congctl, sendspace: 256 * 1024, recvspace: 256 * 1024 }, imp);
  const l: TcpListener = pair.b.listen(0, 80, 8);
  const received = new Uint8Array(data.length + 1);
  let got = 0;
  let eof = false;
  let server = null as Tcb | null;
  const drain = (t: Tcb) => {
    for (;;) {
      const n = tcpRead(t, received, got, received.length - got);
      if (n === 0) break;
      got += n;
    }
  };
  l.onConnection = () => {
    server = pair.b.accept(l, (t, ev) => {
      drain(t);
      if (ev === TE_EOF) eof = true;
    });
    if (server !== null) drain(server);
  };
  let sent = 0;
  const pump = (t: Tcb) => {
    while (sent < data.length) {
      const n = tcpSend(t, data, sent, data.length - sent);
      if (n <= 0) break;
      sent += n;
    }
    if (sent === data.length && !t.finQueued) tcpShutdown(t);
  };
  const client = pair.a.connect(LOCAL, 50_000, REMOTE, 80, (t) => pump(t));
  pump(client);
  const ms = pair.run(() => eof && got === data.length, 3_600_000);
  if (server !== null) tcpClose(server);
  pair.run(() => client.state === TCPS_TIME_WAIT && server?.state === TCPS_CLOSED, 600_000);
  return { got: received.subarray(0, got), pair, ms, client, server, eof };
}

describe("TCP transfers between two engines", () => {
  it("moves 2 MiB over a clean link byte-exact and closes (CUBIC)", () => {
    const data = payload(2 << 20, 1);
    const r = transfer(data, undefined);
    expect(r.got.length).toBe(data.length);
    expect(sha(r.got)).toBe(sha(data));
    expect(r.eof).toBe(true);
    expect(r.client.state).toBe(TCPS_TIME_WAIT);
    expect(r.server?.state).toBe(TCPS_CLOSED);
    expect(r.pair.a.stats.sndrexmitpack).toBe(0);
  });

  for (const cc of ["cubic", "newreno"]) {
    it(`survives 3% loss, 25% reorder, 1% duplication and corruption (${cc})`, () => {
      const data = payload(1 << 20, 2);
      const r = transfer(
        data,
        { delayMs: 10, loss: 0.03, reorder: 0.25, duplicate: 0.01, corrupt: 0.002, seed: 42 },
        cc,
      );
      let first = -1;
      for (let i = 0; i < data.length && first < 0; i++) if (r.got[i] !== data[i]) first = i;
      expect({ first, len: r.got.length }).toEqual({ first: -1, len: data.length });
      expect(r.eof).toBe(true);
      expect(r.pair.a.stats.sndrexmitpack).toBeGreaterThan(0);
      expect(r.pair.b.stats.rcvbadsum + r.pair.a.stats.rcvbadsum).toBeGreaterThan(0);
      expect(r.pair.a.stats.sackrecovery).toBeGreaterThan(0);
    });
  }
});
