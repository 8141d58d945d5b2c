// Qnet frames for the tests: the worked examples of the wire reference (alpha 02:00:00:00:00:01
// knows bravo 02:00:00:00:00:02 as nd 2; bravo knows alpha as nd 5; domain "lab") and one of
// every other kind we send.
import { ETHER_HDR_LEN } from "../../../firmware/net/wire/ethernet.ts";
import { MAC_BROADCAST } from "../../../firmware/net/wire/mac.ts";
import { qnetFrame } from "../../../firmware/net/qnet/frame.ts";
import {
  encodeKifControl,
  KIF,
  KIF_MSGSEND_LEN,
  KIF_XFER_LEN,
  writeKifMsgSend,
  writeKifXfer,
} from "../../../firmware/net/qnet/kif.ts";
import {
  emptyHeader,
  L4,
  L4_FLAG_CRC,
  L4_FLAG_FIRST,
  L4_FLAG_LAST,
  LAYER,
  sealQnetHeader,
} from "../../../firmware/net/qnet/l4-header.ts";
import type { QnetHeader } from "../../../firmware/net/qnet/l4-header.ts";
import { encodeLr, LR_REPLY, LR_REQUEST } from "../../../firmware/net/qnet/lan-resolver.ts";
import { encodeTcsInit } from "../../../firmware/net/qnet/tcs.ts";

export const ALPHA = 0x02_00_00_00_00_01;
export const BRAVO = 0x02_00_00_00_00_02;

export function hdr(fields: Partial<QnetHeader>): QnetHeader {
  return Object.assign(emptyHeader(), fields);
}

/** Like qnetFrame, but always stores the CRC (the reference examples do, with the flag clear). */
export function sealed(dst: number, src: number, h: QnetHeader, payload: Uint8Array): Uint8Array {
  const f = qnetFrame(dst, src, h, payload);
  sealQnetHeader(f, new DataView(f.buffer), ETHER_HDR_LEN, ETHER_HDR_LEN + 38 + payload.length);
  return f;
}

export function lrRequest(le = true): Uint8Array {
  const p = encodeLr(
    {
      type: LR_REQUEST,
      src: { name: "alpha", domain: "lab", mac: ALPHA },
      dst: { name: "bravo", domain: "lab", mac: null },
    },
    le,
  );
  return sealed(MAC_BROADCAST, ALPHA, hdr({ le, type: L4.LRES, layer: LAYER.LR }), p);
}

export function lrReply(): Uint8Array {
  const p = encodeLr({
    type: LR_REPLY,
    src: { name: "bravo", domain: "lab", mac: BRAVO },
    dst: { name: "alpha", domain: "lab", mac: ALPHA },
  });
  return sealed(ALPHA, BRAVO, hdr({ type: L4.LRES, layer: LAYER.LR }), p);
}

/** resolve=ndp's periodic announcement: a reply addressed to nobody, broadcast. */
export function lrAnnounce(): Uint8Array {
  const p = encodeLr({
    type: LR_REPLY,
    src: { name: "bravo", domain: "lab", mac: BRAVO },
    dst: { name: "", domain: "", mac: null },
  });
  return sealed(MAC_BROADCAST, BRAVO, hdr({ type: L4.LRES, layer: LAYER.LR }), p);
}

export function tcsInit(): Uint8Array {
  const p = encodeTcsInit({ srcName: "alpha", srcDomain: "lab", dstName: "bravo", dstDomain: "lab" });
  return sealed(BRAVO, ALPHA, hdr({ type: L4.TCS_INIT, dstNd: 2, sconn: 1 }), p);
}

export const IO_READ_16 = Uint8Array.from([0x01, 0x01, 0x10, 0x00, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** A MSGSEND payload: the reference's fixed part (server 7, handle 1, tid 1, coid 3, prio 10, srcnd 5) and `msg`. */
export function msgSendPayload(le: boolean, msg: Uint8Array): Uint8Array {
  const p = new Uint8Array(KIF_MSGSEND_LEN + msg.length);
  writeKifMsgSend(new DataView(p.buffer), 0, le, {
    serverId: 7,
    clientHandle: 1,
    tid: 1,
    coid: 3,
    priority: 10,
    srcmsglen: msg.length,
    keydata: 0,
    srcnd: 5,
    dstmsglen: 100,
    nbytes: msg.length,
  });
  p.set(msg, KIF_MSGSEND_LEN);
  return p;
}

export function msgSend(le = true, msg = IO_READ_16, flags = 0x03): Uint8Array {
  const p = msgSendPayload(le, msg);
  return sealed(
    BRAVO,
    ALPHA,
    hdr({ le, flags, type: L4.DATA, layer: LAYER.KIF, srcNd: 5, dstNd: 2, sconn: 1, dconn: 2, seq: 1 }),
    p,
  );
}

export function msgReply(data: Uint8Array): Uint8Array {
  const p = new Uint8Array(KIF_XFER_LEN + data.length);
  writeKifXfer(new DataView(p.buffer), 0, true, {
    type: KIF.MSGREPLY,
    status: 0,
    handle: 1,
    offset: 0,
    nbytes: data.length,
  });
  p.set(data, KIF_XFER_LEN);
  return qnetFrame(
    ALPHA,
    BRAVO,
    hdr({ flags: 0x03 | L4_FLAG_CRC, type: L4.DATA, srcNd: 2, dstNd: 5, sconn: 2, dconn: 1, seq: 1 }),
    p,
  );
}

export function connect(): Uint8Array {
  const p = encodeKifControl({
    type: KIF.CONNECT,
    body: { version: 1, serverPid: 12, serverChid: 1, clientId: 4, clientPid: 9 },
    cred: {
      nd: 5,
      pid: 9,
      sid: 9,
      flags: 0,
      ruid: 0,
      euid: 0,
      suid: 0,
      rgid: 0,
      egid: 0,
      sgid: 0,
      groups: [0, 5],
    },
  });
  return qnetFrame(
    BRAVO,
    ALPHA,
    hdr({ flags: 0x07, type: L4.DATA, srcNd: 5, dstNd: 2, sconn: 1, dconn: 2, seq: 2 }),
    p,
  );
}

export function connectSuccess(): Uint8Array {
  const p = encodeKifControl({
    type: KIF.CONNECT_SUCCESS,
    body: { version: 1, serverId: 7, clientId: 4, scoid: 0x40000002, nbytes: 0 },
  });
  return qnetFrame(
    ALPHA,
    BRAVO,
    hdr({ flags: 0x07, type: L4.DATA, srcNd: 2, dstNd: 5, sconn: 2, dconn: 1, seq: 2 }),
    p,
  );
}

export function pulse(): Uint8Array {
  const p = encodeKifControl({
    type: KIF.PULSE,
    body: {
      serverId: 7,
      clientHandle: 1,
      tid: 1,
      coid: 3,
      priority: 10,
      srcmsglen: 0,
      keydata: 0,
      srcnd: 5,
      dstmsglen: 0,
      zero: 0,
      type: 0,
      subtype: 0,
      code: 5,
      reserved1: 0,
      reserved2: 0,
      reserved3: 0,
      value: 42,
      scoid: 0,
      pulsePriority: 10,
    },
  });
  return qnetFrame(
    BRAVO,
    ALPHA,
    hdr({ flags: 0x07, type: L4.DATA, srcNd: 5, dstNd: 2, sconn: 1, dconn: 2, seq: 3 }),
    p,
  );
}

export function ack(seq: number): Uint8Array {
  return qnetFrame(ALPHA, BRAVO, hdr({ type: L4.ACK, srcNd: 2, dstNd: 5, sconn: 2, dconn: 1, seq }));
}

export function session(type: number): Uint8Array {
  return qnetFrame(ALPHA, BRAVO, hdr({ type, srcNd: 2, dstNd: 5, sconn: 2, dconn: 1 }));
}

/** Three fragments of a 3000-byte MsgSend. */
export function fragments(): Uint8Array[] {
  const msg = new Uint8Array(3000).map((_, i) => (i * 7 + 3) & 0xff); // not an _IO_* type
  const p = msgSendPayload(true, msg);
  const out: Uint8Array[] = [];
  for (let o = 0, seq = 10; o < p.length; o += 1400, seq++) {
    const end = Math.min(p.length, o + 1400);
    const flags = (o === 0 ? L4_FLAG_FIRST : 0) | (end === p.length ? L4_FLAG_LAST : 0);
    out.push(
      qnetFrame(
        BRAVO,
        ALPHA,
        hdr({ flags, type: L4.DATA, srcNd: 5, dstNd: 2, sconn: 1, dconn: 2, seq, offset: o }),
        p.subarray(o, end),
      ),
    );
  }
  return out;
}

export function hex(b: Uint8Array, from = 0, to = b.length): string {
  return Array.from(b.subarray(from, to), (x) => x.toString(16).padStart(2, "0")).join(" ");
}
