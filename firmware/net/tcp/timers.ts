// Per-connection deadlines (NetBSD tcp_timer.h): retransmit, persist, keepalive, delayed ACK
// and FIN-WAIT-2 give-up. Absolute times on the stack's clock, 0 = off; each connection arms one
// NetTimer of the stack's timer service at its earliest deadline, so no per-segment setTimeout
// exists anywhere.

export const TT_REXMT = 0;
export const TT_PERSIST = 1;
export const TT_KEEP = 2;
export const TT_DELACK = 3;
export const TT_2MSL = 4;
export const TT_COUNT = 5;
export const TIMER_NAMES = ["rexmt", "persist", "keep", "delack", "2msl"] as const;

/** The earliest armed deadline, or 0 when none is. */
export function earliestDeadline(d: Float64Array): number {
  let min = 0;
  for (let i = 0; i < TT_COUNT; i++) if (d[i] !== 0 && (min === 0 || d[i] < min)) min = d[i];
  return min;
}
