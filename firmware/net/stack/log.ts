// The stack reports to the system log through one callback; severities are QNX's _SLOG_* values.
export const LOG_CRITICAL = 1;
export const LOG_ERROR = 2;
export const LOG_WARNING = 3;
export const LOG_NOTICE = 4;
export const LOG_INFO = 5;
export const LOG_DEBUG1 = 6;

export type StackLog = (severity: number, text: string) => void;
