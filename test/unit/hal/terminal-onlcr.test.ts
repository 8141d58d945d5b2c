// The terminal console hands CR NL to the host as NL: the host terminal's own ONLCR (which
// Node's raw mode keeps on) turns it back into CR NL, so the terminal receives exactly what
// the runtime's line discipline produced instead of CR CR NL.
import { EventEmitter } from "node:events";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TerminalUart, undoHostOnlcr } from "../../../hal/uart/terminal-uart.ts";

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 2000);
const bytes = (s: string): Uint8Array => Buffer.from(s, "latin1");
const text = (b: Uint8Array): string => Buffer.from(b).toString("latin1");

/** What a host tty with ONLCR does to output: every NL becomes CR NL. */
function hostOnlcr(b: Uint8Array): Uint8Array {
  return bytes(text(b).replace(/\n/g, "\r\n"));
}

/** What the runtime's line discipline with onlcr does. */
const ldOnlcr = hostOnlcr;

describe("undoHostOnlcr", () => {
  it.each([
    ["", ""],
    ["plain", "plain"],
    ["a\r\nb\r\n", "a\nb\n"],
    ["a\r\r\nb", "a\r\nb"],
    ["\rcursor home", "\rcursor home"],
    ["end\r", "end\r"],
    ["bare\nnl", "bare\nnl"],
    ["\x1b[K\r\n\r\n", "\x1b[K\n\n"],
  ])("%j → %j", (input, want) => {
    expect(text(undoHostOnlcr(bytes(input)))).toBe(want);
  });

  it("returns its argument when there is nothing to undo (no copy per write)", () => {
    const b = bytes("prompt \r no pair\n");
    expect(undoHostOnlcr(b)).toBe(b);
  });

  it("host ONLCR after it gives back exactly the line discipline's output", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
        const fromLd = ldOnlcr(raw);
        expect(text(hostOnlcr(undoHostOnlcr(fromLd)))).toBe(text(fromLd));
      }),
      { numRuns: ITERATIONS },
    );
  });
});

class FakeIn extends EventEmitter {
  isTTY = true;
  isRaw = false;
  setRawMode(m: boolean): this {
    this.isRaw = m;
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
}

class FakeOut extends EventEmitter {
  readonly isTTY: boolean;
  constructor(isTTY: boolean) {
    super();
    this.isTTY = isTTY;
  }
  out: Buffer[] = [];
  write(data: Uint8Array, cb: (err?: Error | null) => void): boolean {
    this.out.push(Buffer.from(data));
    cb(null);
    return true;
  }
}

class FakeProc extends EventEmitter {
  pid = 1;
  kill(): boolean {
    return true;
  }
}

describe("TerminalUart output", () => {
  it("writes CR NL as NL to a host terminal", async () => {
    const output = new FakeOut(true);
    const t = new TerminalUart({ input: new FakeIn(), output, proc: new FakeProc() });
    await t.open();
    await t.write("hi\r\n/ # ");
    expect(Buffer.concat(output.out).toString()).toBe("hi\n/ # ");
    await t.close();
  });

  it("writes bytes unchanged when stdout is not a terminal (a pipe does no ONLCR)", async () => {
    const output = new FakeOut(false);
    const t = new TerminalUart({ input: new FakeIn(), output, proc: new FakeProc() });
    await t.open();
    await t.write("hi\r\n/ # ");
    expect(Buffer.concat(output.out).toString()).toBe("hi\r\n/ # ");
    await t.close();
  });
});
