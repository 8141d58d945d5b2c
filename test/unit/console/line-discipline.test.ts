import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LineDiscipline, type TtySignal } from "../../../firmware/console/line-discipline.ts";
import type { Termios } from "../../../firmware/program.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function setup(termios: Partial<Termios> = {}, opts: { maxCanon?: number; maxInput?: number } = {}) {
  const out: string[] = [];
  const signals: TtySignal[] = [];
  let readableCalls = 0;
  let resumed = 0;
  const ld = new LineDiscipline(
    {
      output: (b) => out.push(dec.decode(b)),
      signal: (s) => signals.push(s),
      readable: () => readableCalls++,
      outputResumed: () => resumed++,
    },
    { termios, ...opts },
  );
  const type = (s: string | number[]) =>
    ld.receive(typeof s === "string" ? enc.encode(s) : Uint8Array.from(s));
  const readStr = (max = 1 << 20) => {
    const r = ld.read(max);
    return r === null ? null : dec.decode(r);
  };
  return {
    ld,
    type,
    readStr,
    echo: () => out.join(""),
    signals,
    readable: () => readableCalls,
    resumed: () => resumed,
  };
}

describe("canonical mode", () => {
  it("holds input until a newline, then gives the whole line", () => {
    const s = setup();
    s.type("ls -l");
    expect(s.ld.read(100)).toBeNull();
    expect(s.readable()).toBe(0);
    s.type("\n");
    expect(s.readable()).toBe(1);
    expect(s.readStr()).toBe("ls -l\n");
    expect(s.ld.read(100)).toBeNull();
  });

  it("maps CR to NL (ICRNL) and echoes CR NL (ONLCR)", () => {
    const s = setup();
    s.type("hi\r");
    expect(s.readStr()).toBe("hi\n");
    expect(s.echo()).toBe("hi\r\n");
  });

  it("keeps CR without ICRNL", () => {
    const s = setup({ icrnl: false });
    s.type("a\rb\n");
    expect(s.readStr()).toBe("a\rb\n");
  });

  it("returns one line per read and splits a long line across small reads", () => {
    const s = setup();
    s.type("one\ntwo\n");
    expect(s.readStr(2)).toBe("on");
    expect(s.readStr(100)).toBe("e\n");
    expect(s.readStr(100)).toBe("two\n");
  });

  it("erases with DEL and ^H, rubbing the character out", () => {
    const s = setup();
    s.type("abc\x7f\x08d\n");
    expect(s.readStr()).toBe("ad\n");
    expect(s.echo()).toBe("abc\b \b\b \bd\r\n");
  });

  it("erase at the start of a line does nothing", () => {
    const s = setup();
    s.type("\x7f\x7fx\n");
    expect(s.readStr()).toBe("x\n");
    expect(s.echo()).toBe("x\r\n");
  });

  it("erases a whole UTF-8 character", () => {
    const s = setup();
    s.type("aé\x7f\n");
    expect(s.readStr()).toBe("a\n");
  });

  it("erases a control character echoed as ^X with two columns", () => {
    const s = setup();
    s.type([0x61, 0x01, 0x7f, 0x0a]);
    expect(s.readStr()).toBe("a\n");
    expect(s.echo()).toBe("a^A\b \b\b \b\r\n");
  });

  it("erases a tab back to where it started", () => {
    const s = setup();
    s.type("ab\t\x7f");
    expect(s.echo()).toBe("ab\t\b\b\b\b\b\b");
  });

  it("kills the line with ^U", () => {
    const s = setup();
    s.type("garbage\x15ok\n");
    expect(s.readStr()).toBe("ok\n");
    expect(s.echo()).toBe("garbage" + "\b \b".repeat(7) + "ok\r\n");
  });

  it("erases a word with ^W, and the blanks before it", () => {
    const s = setup();
    s.type("echo hello  \x17world\n");
    expect(s.readStr()).toBe("echo world\n");
  });

  it("^D ends a line without a newline, and on an empty line is end of file", () => {
    const s = setup();
    s.type("abc\x04");
    expect(s.readStr()).toBe("abc");
    s.type("\x04");
    const r = s.ld.read(10);
    expect(r).not.toBeNull();
    expect(r?.byteLength).toBe(0);
    expect(s.ld.read(10)).toBeNull();
  });

  it("does not echo with -echo but still edits", () => {
    const s = setup({ echo: false });
    s.type("secret\x7fT\n");
    expect(s.echo()).toBe("");
    expect(s.readStr()).toBe("secreT\n");
  });

  it("honours changed erase and kill characters and disabled (0) ones", () => {
    const s = setup({ verase: 0x23, vkill: 0x40, veof: 0 });
    s.type("ab#c\n");
    expect(s.readStr()).toBe("ac\n");
    s.type("xyz@q\x04\n");
    expect(s.readStr()).toBe("q^D\n".replace("^D", "\x04"));
  });

  it("bounds the edited line (MAX_CANON) and rings the bell, keeping the newline", () => {
    const s = setup({}, { maxCanon: 8 });
    s.type("0123456789\n");
    expect(s.readStr()).toBe("0123456\n");
    expect(s.echo()).toContain("\x07");
  });

  it("survives a 64 KiB line", () => {
    const s = setup({ echo: false });
    s.type("x".repeat(65536) + "\n");
    const line = s.readStr();
    expect(line?.endsWith("\n")).toBe(true);
    expect(line?.length).toBeLessThanOrEqual(4096);
  });

  it("drops lines nobody reads beyond MAX_INPUT", () => {
    const s = setup({ echo: false }, { maxInput: 16 });
    for (let i = 0; i < 10; i++) s.type("abcd\n");
    let total = 0;
    for (let r = s.ld.read(100); r !== null; r = s.ld.read(100)) total += r.byteLength;
    expect(total).toBeLessThanOrEqual(16);
    expect(total).toBeGreaterThan(0);
  });
});

describe("signals", () => {
  it("^C sends SIGINT, echoes ^C and discards the pending input", () => {
    const s = setup();
    s.type("sleep 10\x03");
    expect(s.signals).toEqual(["SIGINT"]);
    expect(s.echo()).toBe("sleep 10^C");
    s.type("\n");
    expect(s.readStr()).toBe("\n");
  });

  it("^\\ sends SIGQUIT and ^Z SIGTSTP", () => {
    const s = setup();
    s.type([0x1c, 0x1a]);
    expect(s.signals).toEqual(["SIGQUIT", "SIGTSTP"]);
  });

  it("signal characters are data with -isig", () => {
    const s = setup({ isig: false });
    s.type("a\x03\n");
    expect(s.signals).toEqual([]);
    expect(s.readStr()).toBe("a\x03\n");
  });

  it("signals work in raw mode too", () => {
    const s = setup({ icanon: false });
    s.type("ab\x03");
    expect(s.signals).toEqual(["SIGINT"]);
    expect(s.ld.read(10)).toBeNull();
  });
});

describe("raw mode", () => {
  it("gives bytes as they come, without editing", () => {
    const s = setup({ icanon: false, echo: false });
    s.type("a\x7fb");
    expect(s.readable()).toBe(1);
    expect(s.readStr(2)).toBe("a\x7f");
    expect(s.readStr()).toBe("b");
    expect(s.ld.read(1)).toBeNull();
  });

  it("passes ^D and ^U through as data", () => {
    const s = setup({ icanon: false, echo: false, icrnl: false });
    s.type([0x04, 0x15, 0x0d]);
    expect([...(s.ld.read(10) ?? [])]).toEqual([0x04, 0x15, 0x0d]);
  });

  it("bounds the queue", () => {
    const s = setup({ icanon: false, echo: false }, { maxInput: 100 });
    s.type("z".repeat(1000));
    expect(s.ld.available).toBe(100);
  });

  it("switching to raw keeps typed-ahead lines and the partial line", () => {
    const s = setup({ echo: false });
    s.type("one\ntw");
    s.ld.setAttr({ icanon: false });
    expect(s.readStr()).toBe("one\ntw");
  });

  it("switching to canonical hands raw input out as a line", () => {
    const s = setup({ echo: false, icanon: false });
    s.type("xy");
    s.ld.setAttr({ icanon: true });
    expect(s.readStr()).toBe("xy");
  });
});

describe("output", () => {
  it("turns NL into CR NL only with ONLCR", () => {
    const s = setup();
    expect(dec.decode(s.ld.processOutput(enc.encode("a\nb\n")))).toBe("a\r\nb\r\n");
    s.ld.setAttr({ onlcr: false });
    const data = enc.encode("a\n");
    expect(s.ld.processOutput(data)).toBe(data);
  });

  it("XOFF holds output until XON (with ixon)", () => {
    const s = setup({ ixon: true });
    s.type([0x13]);
    expect(s.ld.outputStopped).toBe(true);
    s.type([0x11]);
    expect(s.ld.outputStopped).toBe(false);
    expect(s.resumed()).toBe(1);
    expect(s.readStr()).toBeNull();
  });
});

describe("robustness", () => {
  it("never throws on garbage, in any mode, and reads stay bounded", () => {
    const iterations = Number(process.env.FUZZ_ITERATIONS ?? 2000);
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 512 }), { maxLength: 8 }),
        fc.record({ icanon: fc.boolean(), echo: fc.boolean(), isig: fc.boolean(), icrnl: fc.boolean() }),
        (chunks, termios) => {
          const s = setup(termios, { maxCanon: 64, maxInput: 1024 });
          for (const c of chunks) s.type([...c]);
          let total = 0;
          for (let r = s.ld.read(50); r !== null; r = s.ld.read(50)) {
            total += r.byteLength;
            if (total > 4096) break;
          }
          return total <= 1024 + 64 && s.ld.available === 0;
        },
      ),
      { numRuns: iterations },
    );
  });
});
