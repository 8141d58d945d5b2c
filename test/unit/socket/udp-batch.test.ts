// Batched receive (RECVMMSG): the client API and the Node-shaped dgram facade take many
// datagrams per message to io-pkt; order, sender, truncation and completeness must be exactly
// what one recvmsg per datagram would give.
import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import type { RecvMsgResult } from "../../../firmware/net/socket/api.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import { createSocket, type RemoteInfo } from "../../../firmware/net/socket/dgram.ts";
import { errnoOf, program, startIoPkt } from "../iopkt/harness.ts";

const inet = (address: string, port: number) => ({ family: "inet" as const, address, port });
/** Datagram i: its number in the first 4 bytes, i % 50 + 4 bytes long. */
const datagram = (i: number): Uint8Array => {
  const b = new Uint8Array((i % 50) + 4);
  new DataView(b.buffer).setUint32(0, i);
  b.fill(i & 0xff, 4);
  return b;
};
const seq = (d: Uint8Array): number => new DataView(d.buffer, d.byteOffset, 4).getUint32(0);

describe("batched receive (recvmmsg) through /dev/socket/2", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  async function boot(): Promise<void> {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-p", "tcpip", "prefix=/a", "-t", "2"]);
  }

  /** Sends datagrams 0..n-1 from two sockets (alternating) to 127.0.0.1:port; their ports. */
  function sender(port: number, n: number): Promise<number[]> {
    return program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fds = [await s.socket(K.AF_INET, K.SOCK_DGRAM), await s.socket(K.AF_INET, K.SOCK_DGRAM)];
      for (let i = 0; i < n; i++) await s.sendto(fds[i % 2] as number, datagram(i), inet("127.0.0.1", port));
      const ports: number[] = [];
      for (const fd of fds) {
        const me = await s.getsockname(fd);
        ports.push(me.family === "inet" ? me.port : -1);
        await s.close(fd);
      }
      return ports;
    });
  }

  it("recvmmsg: every datagram once, in order, with its sender, across many small batches", async () => {
    await boot();
    const N = 300;
    let ready!: () => void;
    const bound = new Promise<void>((r) => (ready = r));
    const got = program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.setsockopt(fd, K.SOL_SOCKET, K.SO_RCVBUF, 65536);
      await s.bind(fd, inet("127.0.0.1", 7100));
      ready();
      const out: RecvMsgResult[] = [];
      const sizes: number[] = [];
      while (out.length < N) {
        const batch = await s.recvmmsg(fd, { count: 7 });
        expect(batch.length).toBeGreaterThan(0);
        expect(batch.length).toBeLessThanOrEqual(7);
        sizes.push(batch.length);
        out.push(...batch);
      }
      await expect(s.recvmmsg(fd, { flags: K.MSG_DONTWAIT })).rejects.toSatisfy(
        (e) => errnoOf(e) === "EAGAIN",
      );
      await s.close(fd);
      return { out, sizes };
    });
    await bound;
    const ports = await sender(7100, N);
    const { out, sizes } = await got;
    expect(out.map((m) => seq(m.data))).toEqual(Array.from({ length: N }, (_, i) => i));
    for (let i = 0; i < N; i++) {
      const m = out[i] as RecvMsgResult;
      expect(m.data).toEqual(datagram(i));
      expect(m.from).toEqual(inet("127.0.0.1", ports[i % 2] as number));
      expect(m.truncated).toBe(false);
      expect(m.dstAddress).toBe("127.0.0.1");
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(N);
  });

  it("recvmmsg: truncation per datagram, MSG_PEEK leaves them, EOPNOTSUPP on streams, EINVAL count, [] after SHUT_RD", async () => {
    await boot();
    await program(k, "/a", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.bind(fd, inet("127.0.0.1", 7101));
      const tx = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      for (const i of [1, 30, 2]) await s.sendto(tx, datagram(i), inet("127.0.0.1", 7101));
      // wait (on events) until all three are queued
      while ((await s.recvmmsg(fd, { flags: K.MSG_PEEK, count: 3 })).length < 3);
      const peeked = await s.recvmmsg(fd, { flags: K.MSG_PEEK, max: 10 });
      expect(peeked.map((m) => seq(m.data))).toEqual([1, 30, 2]);
      const b = await s.recvmmsg(fd, { max: 10 });
      expect(b.map((m) => m.truncated)).toEqual([false, true, false]);
      expect(b.map((m) => m.data.byteLength)).toEqual([5, 10, 6]);
      expect(b[1]?.data).toEqual(datagram(30).subarray(0, 10));
      await expect(s.recvmmsg(fd, { count: 0 })).rejects.toSatisfy((e) => errnoOf(e) === "EINVAL");
      const st = await s.socket(K.AF_INET, K.SOCK_STREAM);
      await expect(s.recvmmsg(st, {})).rejects.toSatisfy((e) => errnoOf(e) === "EOPNOTSUPP");
      await s.close(st);
      await s.shutdown(fd, K.SHUT_RD);
      expect(await s.recvmmsg(fd)).toEqual([]);
      await s.close(fd);
      await s.close(tx);
    });
  });

  it("dgram facade: 'message' for every datagram once, in order, with rinfo; a throwing listener loses none", async () => {
    await boot();
    const N = 200;
    let ready!: () => void;
    const bound = new Promise<void>((r) => (ready = r));
    const got = program(k, "/a", async (ctx) => {
      const seen: { n: number; rinfo: RemoteInfo; len: number }[] = [];
      const errors: unknown[] = [];
      await new Promise<void>((done) => {
        const sock = createSocket(ctx.sockets, { type: "udp4", recvBufferSize: 65536 });
        sock.on("error", (e) => errors.push(e));
        sock.on("message", (msg, rinfo) => {
          seen.push({ n: msg.readUInt32BE(0), rinfo, len: msg.length });
          if (seen.length === N) {
            sock.close();
            done();
          }
          if (msg.readUInt32BE(0) === 17) throw new Error("listener failed on 17");
        });
        sock.bind(7102, "127.0.0.1", () => ready());
      });
      return { seen, errors };
    });
    await bound;
    const ports = await sender(7102, N);
    const { seen, errors } = await got;
    expect(seen.map((s) => s.n)).toEqual(Array.from({ length: N }, (_, i) => i));
    for (const s of seen) {
      expect(s.rinfo).toEqual({ address: "127.0.0.1", family: "IPv4", port: ports[s.n % 2], size: s.len });
      expect(s.len).toBe((s.n % 50) + 4);
    }
    expect(errors.map(String)).toEqual(["Error: listener failed on 17"]);
  });
});
