// The kernel's public surface.
export { Kernel, type NetTransport, type SpawnOptions, type KernelCounts } from "./kernel.ts";
export { Process, type ProcessEvent, type SignalHandler } from "./process.ts";
export { Thread } from "./thread.ts";
export { Scheduler } from "./scheduler.ts";
export { SystemClock, ManualClock, type Clock, type TimerHandle } from "./clock.ts";
export { KernelError, ERRNO, strerror, errnoName, isErrno, type Errno } from "./errno.ts";
export { SIGNALS, parseSignal, signalName, defaultAction, type Signal } from "./signals.ts";
export { PathSpace, normalizePath, SYMLOOP_MAX, type PathMatch, type PathRegistration } from "./pathspace.ts";
export { SystemLog, SLOG_SEVERITY, SLOG_MAJOR, type SlogEntry } from "./slog.ts";
export { FdTable, OPEN_MAX, type FdEntry } from "./fd-table.ts";
export { PRIORITY_DEFAULT, PRIORITY_MAX, PRIORITY_MIN, checkPriority } from "./priority-bitmap.ts";
export type { RemoteLink } from "./channel.ts";
export * from "./types.ts";
