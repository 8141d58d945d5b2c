// RFC 9293 connection states, numbered as BSD's TCPS_* so netstat and TCP_INFO read the same.
export const TCPS_CLOSED = 0;
export const TCPS_LISTEN = 1;
export const TCPS_SYN_SENT = 2;
export const TCPS_SYN_RECEIVED = 3;
export const TCPS_ESTABLISHED = 4;
export const TCPS_CLOSE_WAIT = 5;
export const TCPS_FIN_WAIT_1 = 6;
export const TCPS_CLOSING = 7;
export const TCPS_LAST_ACK = 8;
export const TCPS_FIN_WAIT_2 = 9;
export const TCPS_TIME_WAIT = 10;

export const TCP_STATE_NAMES = [
  "CLOSED",
  "LISTEN",
  "SYN_SENT",
  "SYN_RCVD",
  "ESTABLISHED",
  "CLOSE_WAIT",
  "FIN_WAIT_1",
  "CLOSING",
  "LAST_ACK",
  "FIN_WAIT_2",
  "TIME_WAIT",
] as const;

/** Synchronized states: the handshake is over (RFC 9293 §3.10.7.4). */
export function haveRcvdSyn(state: number): boolean {
  return state >= TCPS_SYN_RECEIVED;
}
/** States in which we may still send data. */
export function canSendMore(state: number): boolean {
  return state === TCPS_ESTABLISHED || state === TCPS_CLOSE_WAIT;
}
/** States after our FIN was queued. */
export function finQueuedState(state: number): boolean {
  return state === TCPS_FIN_WAIT_1 || state === TCPS_CLOSING || state === TCPS_LAST_ACK;
}
