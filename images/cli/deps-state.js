// Whether node_modules holds what package-lock.json asks for, judged by content: npm's own
// record of the install (node_modules/.package-lock.json) against the lock. Not by mtimes:
// a checkout, merge or worktree gives package-lock.json a new mtime with the same content,
// which reinstalled node_modules at the next `npm test` (`pretest`) — and, with several
// worktrees sharing a machine, in the middle of someone's run.
// Plain JavaScript with no dependencies (ensure-deps.js runs before anything is installed).

/**
 * Lists what differs between the lock's packages and the installed ones ("" entries are the
 * root project): a package missing or at another version, or installed but no longer locked.
 * An optional package the lock lists but the install lacks is fine (another platform's
 * binary, or an optional native build that failed).
 * @param {{packages?: Record<string, {version?: string, optional?: boolean}>}} lock
 * @param {{packages?: Record<string, {version?: string}>}} installed
 * @returns {string[]} one line per difference; empty when node_modules is current
 */
export function installDiff(lock, installed) {
  const want = lock.packages ?? {};
  const have = installed.packages ?? {};
  const out = [];
  for (const [path, p] of Object.entries(want)) {
    if (path === "") continue;
    const got = have[path];
    if (got === undefined) {
      if (!p.optional) out.push(`${path}: not installed`);
    } else if (got.version !== p.version) {
      out.push(`${path}: ${got.version} installed, ${p.version} locked`);
    }
  }
  for (const path of Object.keys(have)) {
    if (path !== "" && !(path in want)) out.push(`${path}: installed but not locked`);
  }
  return out;
}
