// TCP_INFO as getsockopt returns it: one typed-binary record in network byte order, with
// Linux's field names where they exist (times in microseconds, counters as 64-bit integers so
// they do not wrap), plus the congestion control's name. `tcpInfo` in usrreq.ts fills it.
import bin from "typed-binary";
import type { Parsed } from "typed-binary";
import { decode, encode, i64 } from "../control/codec.ts";

export const TcpInfoSchema = bin.object({
  state: bin.u8,
  ca_state: bin.u8,
  retransmits: bin.u8,
  backoff: bin.u8,
  options: bin.u8,
  snd_wscale: bin.u8,
  rcv_wscale: bin.u8,
  rto: bin.u32,
  snd_mss: bin.u32,
  rcv_mss: bin.u32,
  rtt: bin.u32,
  rttvar: bin.u32,
  snd_ssthresh: bin.u32,
  snd_cwnd: bin.u32,
  snd_wnd: bin.u32,
  rcv_space: bin.u32,
  unacked: bin.u32,
  total_retrans: bin.u32,
  bytes_acked: i64,
  bytes_received: i64,
  segs_out: i64,
  segs_in: i64,
  congctl: bin.string,
});

export type TcpInfo = Parsed<typeof TcpInfoSchema>;

export function encodeTcpInfo(info: TcpInfo): Uint8Array {
  return encode(TcpInfoSchema, info);
}

/** What getsockopt(IPPROTO_TCP, TCP_INFO) returned; EBADMSG when it is not a TCP_INFO record. */
export function decodeTcpInfo(b: Uint8Array): TcpInfo {
  return decode(TcpInfoSchema, b, "big", "TCP_INFO");
}
