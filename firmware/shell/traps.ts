// trap: signal actions for the shell process itself. A non-interactive shell routes the signal
// straight to the action; an interactive one keeps its own SIGINT handling (abandon the command
// line, Ctrl-C at the prompt) and runs the INT action from there, and ignores SIGTERM/SIGQUIT
// unless a trap says otherwise.
import type { Io, Shell } from "./interp.ts";

/** Signals a trap can catch (EXIT is run by the shell itself when it ends). */
export const TRAPPABLE = new Set(["INT", "TERM", "HUP", "QUIT", "USR1", "USR2", "ALRM", "WINCH"]);
/** What an interactive shell does with these when no trap is set. */
const INTERACTIVE_IGNORES = new Set(["TERM", "QUIT"]);

function shellIo(): Io {
  return new Map([
    [0, 0],
    [1, 1],
    [2, 2],
  ]);
}

/** Runs a trap action in the shell, on the shell's own descriptors; errors stay inside. */
export function runTrapAction(sh: Shell, action: string): Promise<void> {
  const saved = sh.lastStatus;
  return sh
    .runSource(action, shellIo())
    .then(() => undefined)
    .catch(() => undefined)
    .finally(() => {
      sh.lastStatus = saved;
    });
}

/** Installs the OS-level handler for `sig` (a name without SIG) after `trap` changed it. */
export function installTrap(sh: Shell, sig: string): void {
  if (sh.isSubshell || !TRAPPABLE.has(sig)) return;
  const action = sh.traps.get(sig);
  const osSig = `SIG${sig}`;
  // The interactive loop's own SIGINT handler consults sh.traps.
  if (sh.opts.interactive && sig === "INT") return;
  if (action === undefined) {
    sh.os.onSignal(osSig, sh.opts.interactive && INTERACTIVE_IGNORES.has(sig) ? "ignore" : "default");
  } else if (action === "") sh.os.onSignal(osSig, "ignore");
  else sh.os.onSignal(osSig, () => void runTrapAction(sh, action));
}
