// Errors of the shell language, and the non-local exits the interpreter uses for control flow.

/** A syntax error; `ksh: syntax error: line N: …` is how the shell prints it. */
export class ShellSyntaxError extends Error {
  readonly line: number;
  readonly detail: string;
  constructor(detail: string, line: number) {
    super(`syntax error: line ${line}: ${detail}`);
    this.detail = detail;
    this.line = line;
  }
}

/** The input ended inside a construct: an interactive shell prints PS2 and reads more. */
export class IncompleteInput extends ShellSyntaxError {}

/** `exit` (and `set -e` failures): unwinds to the shell or subshell that owns the state. */
export class ExitRequest extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`exit ${status}`);
    this.status = status;
  }
}

export class ReturnRequest extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`return ${status}`);
    this.status = status;
  }
}

/** `break n` / `continue n`: `levels` counts the enclosing loops still to leave. */
export class LoopControl extends Error {
  readonly kind: "break" | "continue";
  levels: number;
  constructor(kind: "break" | "continue", levels: number) {
    super(kind);
    this.kind = kind;
    this.levels = levels;
  }
}

/** Ctrl-C while the shell itself runs a loop of builtins: abandons the command line. */
export class Interrupted extends Error {
  constructor() {
    super("interrupted");
  }
}

/** A runtime error a builtin or expansion reports as `ksh: msg`; the command fails with `status`. */
export class ShellError extends Error {
  readonly status: number;
  /** Fatal errors (`${x:?}`, `set -u`) end a non-interactive shell, as in ksh. */
  readonly fatal: boolean;
  constructor(message: string, status = 1, fatal = false) {
    super(message);
    this.status = status;
    this.fatal = fatal;
  }
}
