// The Qnet wire format against the worked examples of the wire reference (byte for byte, CRCs
// as tshark computes them), round trips of every codec, and clear errors for bad input.
import { describe, expect, it } from "vitest";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import { checkQnetPacket } from "../../../firmware/net/qnet/frame.ts";
import { decodeKifControl, encodeKifControl, KIF } from "../../../firmware/net/qnet/kif.ts";
import { emptyHeader, L4 } from "../../../firmware/net/qnet/l4-header.ts";
import { decodeLr, encodeLr, LR_REQUEST } from "../../../firmware/net/qnet/lan-resolver.ts";
import { decodeQnetPayload } from "../../../firmware/net/qnet/payload.ts";
import { decodeTcsInit } from "../../../firmware/net/qnet/tcs.ts";
import { ETHER_HDR_LEN } from "../../../firmware/net/wire/ethernet.ts";
import * as F from "./frames.ts";

const check = (f: Uint8Array) => {
  const h = emptyHeader();
  const why = checkQnetPacket(f, new DataView(f.buffer, f.byteOffset), ETHER_HDR_LEN, f.length, h);
  return { why, h, payload: f.subarray(ETHER_HDR_LEN + 38, ETHER_HDR_LEN + 38 + h.length) };
};

describe("qnet wire: the reference's worked examples", () => {
  it.each([
    ["(a) LR request", F.lrRequest(), 156, "0b 03 02", 104, 0x8d9fc44d],
    ["(b) TCS_INIT", F.tcsInit(), 80, "01 03 00", 28, 0x5a3b4908],
    ["(c) KIF MSGSEND", F.msgSend(), 116, "08 03 00", 64, 0xd54a2e71],
  ])("%s: length, type/flags/layer, L4 length and CRC", (_name, f, len, tfl, l4len, crc) => {
    expect(f.length).toBe(len);
    expect(F.hex(f, 12, 17)).toBe("82 04 00 00 2a");
    expect(F.hex(f, 17, 20)).toBe(tfl);
    const { why, h } = check(f);
    expect(why).toBeNull();
    expect(h.length).toBe(l4len);
    expect(h.crc).toBe(crc);
  });

  it("(a) LR payload bytes", () => {
    const f = F.lrRequest();
    expect(F.hex(f, 52, 60)).toBe("01 00 01 00 68 00 00 00");
    expect(F.hex(f, 60, 108)).toBe(
      "00 00 00 00 05 00 00 00 08 00 00 00 03 00 00 00 10 00 00 00 08 00 00 00 " +
        "18 00 00 00 05 00 00 00 20 00 00 00 03 00 00 00 28 00 00 00 00 00 00 00",
    );
    expect(F.hex(f, 108, 156)).toBe(
      "61 6c 70 68 61 00 00 00 6c 61 62 00 00 00 00 00 08 01 02 00 00 00 00 01 " +
        "62 72 61 76 6f 00 00 00 6c 61 62 00 00 00 00 00 00 00 00 00 00 00 00 00",
    );
  });

  it("(b) TCS_INIT payload bytes", () => {
    const f = F.tcsInit();
    expect(F.hex(f, 20, 28)).toBe("00 00 02 00 01 00 00 00");
    expect(F.hex(f, 52, 60)).toBe("00 00 06 00 0a 00 10 00");
    expect(new TextDecoder().decode(f.subarray(60, 80))).toBe("alpha\0lab\0bravo\0lab\0");
  });

  it("(c) MSGSEND payload bytes and big-endian CRC", () => {
    const f = F.msgSend();
    expect(F.hex(f, 52, 100)).toBe(
      "05 00 30 00 07 00 00 00 01 00 00 00 01 00 00 00 03 00 00 00 0a 00 00 00 10 00 00 00 " +
        "00 00 00 00 05 00 00 00 64 00 00 00 00 00 00 00 10 00 00 00",
    );
    // Every field byte-swapped, the _IO_READ message's too.
    const big = F.msgSend(
      false,
      Uint8Array.from([0x01, 0x01, 0x00, 0x10, 0, 0, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0]),
    );
    expect(big[16]).toBe(0xaa);
    expect(check(big).h.crc).toBe(0x702d7d33);
    const d = decodeQnetPayload(check(big).h, check(big).payload);
    expect(d.kind === "msgsend" && [d.m.serverId, d.m.srcnd, d.m.dstmsglen, d.data.length]).toEqual([
      7, 5, 100, 16,
    ]);
  });
});

describe("qnet wire: codecs round trip", () => {
  it("LR request and reply, both byte orders", () => {
    for (const le of [true, false]) {
      const { h, payload } = check(F.lrRequest(le));
      const d = decodeQnetPayload(h, payload);
      expect(d).toEqual({
        kind: "lr",
        lr: {
          type: LR_REQUEST,
          src: { name: "alpha", domain: "lab", mac: F.ALPHA },
          dst: { name: "bravo", domain: "lab", mac: null },
        },
      });
    }
    const r = check(F.lrReply());
    expect(decodeQnetPayload(r.h, r.payload)).toMatchObject({
      kind: "lr",
      lr: { type: 2, src: { mac: F.BRAVO }, dst: { mac: F.ALPHA } },
    });
  });

  it("TCS_INIT, CONNECT with credentials, CONNECT_SUCCESS, PULSE, MSGREPLY, ACK and session types", () => {
    let c = check(F.tcsInit());
    expect(decodeQnetPayload(c.h, c.payload)).toEqual({
      kind: "tcs-init",
      init: { srcName: "alpha", srcDomain: "lab", dstName: "bravo", dstDomain: "lab" },
    });
    c = check(F.connect());
    expect(c.why).toBeNull();
    expect(decodeQnetPayload(c.h, c.payload)).toMatchObject({
      kind: "kif",
      c: {
        type: KIF.CONNECT,
        body: { serverPid: 12, serverChid: 1, clientId: 4, clientPid: 9 },
        cred: { nd: 5, groups: [0, 5] },
      },
    });
    c = check(F.connectSuccess());
    expect(decodeQnetPayload(c.h, c.payload)).toMatchObject({
      kind: "kif",
      c: { type: KIF.CONNECT_SUCCESS, body: { scoid: 0x40000002 } },
    });
    c = check(F.pulse());
    expect(decodeQnetPayload(c.h, c.payload)).toMatchObject({
      kind: "kif",
      c: { type: KIF.PULSE, body: { code: 5, value: 42 } },
    });
    c = check(F.msgReply(Uint8Array.of(1, 2, 3)));
    const d = decodeQnetPayload(c.h, c.payload);
    expect(d.kind === "xfer" && [d.x.type, d.x.status, Array.from(d.data)]).toEqual([
      KIF.MSGREPLY,
      0,
      [1, 2, 3],
    ]);
    c = check(F.ack(7));
    expect([c.h.seq, decodeQnetPayload(c.h, c.payload)]).toEqual([7, { kind: "ack" }]);
    c = check(F.session(L4.TCS_UP));
    expect(decodeQnetPayload(c.h, c.payload)).toEqual({ kind: "session", type: L4.TCS_UP });
  });
});

describe("qnet wire: bad input is refused with the reason", () => {
  it.each([
    ["short", (f: Uint8Array) => f.subarray(0, 40)],
    ["version", (f: Uint8Array) => ((f[16] = 0x2b), f)],
    ["length", (f: Uint8Array) => (f.fill(0xff, 44, 48), f)],
    ["crc", (f: Uint8Array) => ((f[60] ^= 1), f)],
  ])("%s", (why, mutate) => {
    expect(check(mutate(F.msgReply(Uint8Array.of(1, 2, 3)))).why).toBe(why);
  });

  it("payload decoders name the field", () => {
    const lr = encodeLr({
      type: 1,
      src: { name: "a", domain: "b", mac: 1 },
      dst: { name: "c", domain: "d", mac: null },
    });
    lr[8] = 200; // source name offset
    expect(() => decodeLr(lr)).toThrow(/source name \(offset 200, length 1\) runs past/);
    expect(() => decodeLr(lr.subarray(0, 20))).toThrow(/shorter than its 56-byte header/);
    expect(() => decodeTcsInit(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0x61))).toThrow(
      /source name at offset 0 has no terminating NUL/,
    );
    const k = encodeKifControl({
      type: KIF.CONNECT,
      body: { version: 1, serverPid: 1, serverChid: 1, clientId: 1, clientPid: 1 },
    });
    expect(() => decodeKifControl(k.subarray(0, 10))).toThrow(/CONNECT: body of 6 bytes is shorter than 20/);
    expect(() => decodeKifControl(k.subarray(0, 10))).toThrow(KernelError);
    expect(() =>
      encodeLr({
        type: 1,
        src: { name: "a b", domain: "", mac: 1 },
        dst: { name: "", domain: "", mac: null },
      }),
    ).toThrow(/source name "a b" is not printable ASCII/);
  });
});
