// The terminal devctls a TtyDevice serves (<sys/dcmd_chr.h> names): termios get/set, the
// foreground process group, the window size, modem lines and FIONREAD.
import { KernelError } from "../kernel/errno.ts";
import * as D from "../resmgr/devctl-codes.ts";
import type { IoContext } from "../resmgr/handlers.ts";
import type { TtyDevice } from "./tty-manager.ts";

export async function handleTtyDevctl(
  dev: TtyDevice,
  ctx: IoContext,
  dcmd: number,
  data: Uint8Array,
): Promise<{ ret: number; data?: Uint8Array }> {
  switch (dcmd) {
    case D.DCMD_CHR_TCGETATTR:
      return { ret: 0, data: D.encodeTermios(dev.termios) };
    case D.DCMD_CHR_TCSETATTR:
      await dev.setTermios(D.decodeTermios(data));
      return { ret: 0 };
    case D.DCMD_CHR_TCGETPGRP:
      return { ret: 0, data: D.encodeInt32(dev.foregroundPgid) };
    case D.DCMD_CHR_TCSETPGRP: {
      const pgid = D.decodeInt32(data);
      if (pgid <= 0) throw new KernelError("EINVAL");
      const caller = ctx.thread.kernel.procs.get(ctx.info.pid);
      // The first session to set a foreground group makes this its controlling terminal;
      // after that only that session may change it (POSIX tcsetpgrp: ENOTTY otherwise).
      if (dev.sessionId !== 0 && caller && caller.sid !== dev.sessionId && caller.uid !== 0)
        throw new KernelError("ENOTTY");
      if (dev.sessionId === 0) {
        // A session leader's group (boot's +session) makes the terminal that session's.
        const leader = ctx.thread.kernel.procs.get(pgid);
        dev.sessionId = leader && leader.sid === leader.pid ? leader.sid : (caller?.sid ?? 0);
      }
      dev.foregroundPgid = pgid;
      return { ret: 0 };
    }
    case D.DCMD_CHR_GETSIZE:
      return { ret: 0, data: D.encodeWinsize(dev.windowSize()) };
    case D.DCMD_CHR_SETSIZE:
      dev.setWindowSize(D.decodeWinsize(data));
      return { ret: 0 };
    case D.DCMD_CHR_SERCTL: {
      const bits = D.decodeInt32(data);
      const lines: { dtr?: boolean; rts?: boolean } = {};
      if (bits & D.SERCTL_DTR_CHG) lines.dtr = !!(bits & D.SERCTL_DTR);
      if (bits & D.SERCTL_RTS_CHG) lines.rts = !!(bits & D.SERCTL_RTS);
      const ok = await dev.port.setModemLines(lines);
      if (!ok && (lines.dtr !== undefined || lines.rts !== undefined)) throw new KernelError("ENOTSUP");
      return { ret: 0 };
    }
    case D.DCMD_CHR_ISCHARS:
      return { ret: 0, data: D.encodeInt32(dev.ld.available) };
    default:
      throw new KernelError("ENOTTY");
  }
}
