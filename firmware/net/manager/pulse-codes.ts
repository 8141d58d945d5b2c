// Pulse codes on io-pkt's event channel (user range 0..127).

/** Frames wait on an interface's receive queue; value = the interface's slot. */
export const PULSE_RX = 1;
/** A stack timer expired; value = the timer's id. */
export const PULSE_TIMER = 2;
/** The worker that gets it ends its loop (io-pkt shutting down). */
export const PULSE_QUIT = 3;
