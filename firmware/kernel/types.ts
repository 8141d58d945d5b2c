// Plain data shapes shared by the kernel calls (what QNX's <sys/neutrino.h> declares).

export type ThreadState =
  | "RUNNING"
  | "READY"
  | "RECEIVE"
  | "REPLY"
  | "SEND"
  | "NANOSLEEP"
  | "STOPPED"
  | "CONDVAR"
  | "INTR"
  | "NET_SEND"
  | "NET_REPLY"
  | "SIGWAITINFO"
  | "WAITPAGE"
  | "DEAD";

export interface Pulse {
  /** Pulse codes: 0..127 for users; negative ones are the kernel's (_PULSE_CODE_*). */
  code: number;
  value: number;
  priority: number;
  /** The server connection the pulse came over (0 for kernel-made pulses). */
  scoid: number;
}

export interface MsgInfo {
  nd: number;
  srcnd: number;
  pid: number;
  tid: number;
  chid: number;
  scoid: number;
  coid: number;
  priority: number;
  msglen: number;
  srcmsglen: number;
  dstmsglen: number;
  uid: number;
  gid: number;
  flags: number;
}

export type Received =
  | { rcvid: number; msg: Uint8Array; info: MsgInfo; pulse?: undefined }
  | { rcvid: 0; pulse: Pulse; msg?: undefined; info?: undefined };

/** What a timer or a server delivers to a client (struct sigevent). */
export type SigEvent =
  | { kind: "pulse"; coid: number; priority: number; code: number; value: number }
  | { kind: "signal"; signo: number }
  | { kind: "none" };

/** Kernel pulse codes (<sys/neutrino.h>). */
export const PULSE_CODE = {
  UNBLOCK: -32,
  DISCONNECT: -33,
  COIDDEATH: -34,
  THREADDEATH: -35,
  NET_DETACH: -36,
} as const;

/** ChannelCreate flags. */
export const CHF = {
  /** Deliver _PULSE_CODE_DISCONNECT (value = scoid) when a client's connection goes away. */
  DISCONNECT: 0x1,
  /** Deliver _PULSE_CODE_COIDDEATH (value = coid) when a server we are connected to dies. */
  COID_DISCONNECT: 0x2,
  /** Deliver _PULSE_CODE_UNBLOCK when a REPLY-blocked client wants out (timeout, signal). */
  UNBLOCK: 0x4,
  /** Do not float the receiving thread's priority to the sender's. */
  FIXED_PRIORITY: 0x8,
} as const;

export interface MsgSendOptions {
  /** Bytes the caller accepts in the reply (default: unlimited). */
  replyMax?: number;
  /** TimerTimeout-style limit on the whole call; ETIMEDOUT when it expires. */
  timeoutMs?: number;
}

export interface MsgReceiveOptions {
  /** Size of the receive buffer; longer messages are truncated (MsgRead gets the rest). */
  bufSize?: number;
  timeoutMs?: number;
}

export interface Reply {
  status: number;
  data: Uint8Array;
}
