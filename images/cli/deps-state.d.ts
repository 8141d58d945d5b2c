// Types of deps-state.js (plain JavaScript: it runs before dependencies are installed).
export interface LockRecord {
  packages?: Record<string, { version?: string; optional?: boolean }>;
}
export function installDiff(lock: LockRecord, installed: LockRecord): string[];
