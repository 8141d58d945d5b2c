// How a connection ends: dropped with an errno (and a RST when synchronized), or handed to
// TIME-WAIT. Either way its timers stop and the engine forgets the TCB.
import { TH_ACK, TH_RST } from "../wire/tcp.ts";
import { sendSegment } from "./output.ts";
import { TCPS_CLOSED, TCPS_SYN_SENT, TCPS_TIME_WAIT, haveRcvdSyn } from "./state.ts";
import { TE_CLOSED, TE_ERROR, type Tcb } from "./tcb.ts";
import { TT_COUNT } from "./timers.ts";

function stopTimers(t: Tcb): void {
  for (let i = 0; i < TT_COUNT; i++) t.deadlines[i] = 0;
  t.host.reschedule(t);
}

/** Ends the connection with `errno` (0: quietly). `rst` sends a RST first when synchronized. */
export function dropConnection(t: Tcb, errno: number, rst: boolean): void {
  if (t.state === TCPS_CLOSED) return;
  if (rst && haveRcvdSyn(t.state)) sendSegment(t, t.sndNxt, 0, TH_RST | TH_ACK);
  if (t.state === TCPS_SYN_SENT || errno !== 0) t.host.stats.conndrops++;
  else t.host.stats.closed++;
  if (errno !== 0) t.host.stats.drops++;
  t.state = TCPS_CLOSED;
  t.error = errno;
  stopTimers(t);
  t.host.detach(t, false);
  t.emit(errno !== 0 ? TE_ERROR : TE_CLOSED);
}

/** Both FINs are acknowledged and ours was last to close: the tuple waits 2·MSL as a record. */
export function enterTimeWait(t: Tcb): void {
  t.state = TCPS_TIME_WAIT;
  t.host.stats.closed++;
  stopTimers(t);
  t.host.detach(t, true);
  t.emit(TE_CLOSED);
}
