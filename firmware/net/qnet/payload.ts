// What a checked Qnet packet carries, by L4 type and layer byte (the same dispatch as Wireshark's
// dissector): session control, resolver packets, or kernel-interface messages. Control payloads
// are decoded into records; bad ones throw EBADMSG naming the field, which the receiver counts
// and drops. Fragments are not decoded here: the transport reassembles them first.
import { KernelError } from "../../kernel/errno.ts";
import {
  decodeKifControl,
  isKifXfer,
  KIF,
  KIF_HDR_LEN,
  KIF_MSGSEND_LEN,
  KIF_XFER_LEN,
  kifType,
  readKifMsgSend,
  readKifXfer,
} from "./kif.ts";
import type { KifControl, KifMsgSend, KifXfer } from "./kif.ts";
import { L4, L4_FLAGS_WHOLE, LAYER } from "./l4-header.ts";
import type { QnetHeader } from "./l4-header.ts";
import { decodeLr } from "./lan-resolver.ts";
import type { LrPacket } from "./lan-resolver.ts";
import { decodeTcsInit } from "./tcs.ts";
import type { TcsInit } from "./tcs.ts";

export type QnetPayload =
  | { kind: "tcs-init"; init: TcsInit }
  | { kind: "session"; type: number }
  | { kind: "ack" }
  | { kind: "nack" }
  | { kind: "lr"; lr: LrPacket }
  | { kind: "msgsend"; m: KifMsgSend; data: Uint8Array }
  | { kind: "xfer"; x: KifXfer; data: Uint8Array }
  | { kind: "kif"; c: KifControl };

/** Decodes a whole (unfragmented or reassembled) payload of the packet `h` describes. */
export function decodeQnetPayload(h: QnetHeader, p: Uint8Array): QnetPayload {
  if ((h.flags & L4_FLAGS_WHOLE) !== L4_FLAGS_WHOLE)
    throw bad("a fragment must be reassembled before decoding");
  switch (h.type) {
    case L4.TCS_INIT:
      return { kind: "tcs-init", init: decodeTcsInit(p, h.le) };
    case L4.TCS_REM_UP:
    case L4.TCS_UP:
    case L4.TCS_DOWN:
    case L4.TCS_REM_DOWN:
      return { kind: "session", type: h.type };
    case L4.ACK:
      return { kind: "ack" };
    case L4.NACK:
      return { kind: "nack" };
    case L4.LRES:
      return { kind: "lr", lr: decodeLr(p, h.le) };
    case L4.USER:
    case L4.DATA:
      if (h.layer !== LAYER.KIF) throw bad(`layer ${h.layer} is not served`);
      return decodeKif(p, h.le);
    default:
      throw bad(`L4 type ${h.type} is unknown`);
  }
}

function decodeKif(p: Uint8Array, le: boolean): QnetPayload {
  if (p.length < KIF_HDR_LEN) throw bad(`kernel message of ${p.length} bytes has no header`);
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const t = kifType(v, 0, le);
  if (t === KIF.MSGSEND) {
    if (p.length < KIF_MSGSEND_LEN)
      throw bad(`MsgSend of ${p.length} bytes is shorter than ${KIF_MSGSEND_LEN}`);
    const m = readKifMsgSend(v, 0, p.length, le, {} as KifMsgSend);
    return { kind: "msgsend", m, data: p.subarray(KIF_MSGSEND_LEN, KIF_MSGSEND_LEN + m.nbytes) };
  }
  if (isKifXfer(t)) {
    if (p.length < KIF_XFER_LEN) throw bad(`transfer of ${p.length} bytes is shorter than ${KIF_XFER_LEN}`);
    const x = readKifXfer(v, 0, p.length, le, {} as KifXfer);
    return { kind: "xfer", x, data: p.subarray(KIF_XFER_LEN, KIF_XFER_LEN + x.nbytes) };
  }
  return { kind: "kif", c: decodeKifControl(p, le) };
}

function bad(why: string): KernelError {
  return new KernelError("EBADMSG", `qnet: ${why}`);
}
