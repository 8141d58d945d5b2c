// The telnet codec byte by byte: the server's opening negotiation, RFC 1143 answers (agree,
// refuse, never answer an answer), NAWS and TERMINAL-TYPE subnegotiations, commands, IAC and
// CR escaping both ways; and random and mutated input never throws or leaks protocol bytes.
import { describe, expect, it } from "vitest";
import {
  DO,
  DONT,
  IAC,
  IP,
  OPT_BINARY,
  OPT_ECHO,
  OPT_NAWS,
  OPT_SGA,
  OPT_TTYPE,
  SB,
  SB_MAX,
  SE,
  TelnetCodec,
  WILL,
  WONT,
} from "../../../firmware/net/telnet/codec.ts";
import { fuzzIterations, xorshift32 } from "../../helpers/fuzz.ts";

function rig() {
  const sent: number[] = [];
  const data: number[] = [];
  const sizes: [number, number][] = [];
  const types: string[] = [];
  const commands: number[] = [];
  const codec = new TelnetCodec({
    send: (b) => sent.push(...b),
    data: (b) => data.push(...b),
    windowSize: (c, r) => sizes.push([c, r]),
    terminalType: (t) => types.push(t),
    command: (c) => commands.push(c),
  });
  const take = (): number[] => sent.splice(0);
  return { codec, sent, data, sizes, types, commands, take };
}

describe("telnet codec", () => {
  it("opens with WILL ECHO, WILL SGA, DO SGA, DO NAWS, DO TTYPE, once", () => {
    const r = rig();
    r.codec.start();
    expect(r.take()).toEqual([
      ...[IAC, WILL, OPT_ECHO],
      ...[IAC, WILL, OPT_SGA],
      ...[IAC, DO, OPT_SGA],
      ...[IAC, DO, OPT_NAWS],
      ...[IAC, DO, OPT_TTYPE],
    ]);
    expect(r.codec.negotiating).toBe(true);
    r.codec.start();
    expect(r.take()).toEqual([]);
  });

  it("takes answers to its requests silently, then asks for the terminal type", () => {
    const r = rig();
    r.codec.start();
    r.take();
    r.codec.receive(
      Uint8Array.of(IAC, DO, OPT_ECHO, IAC, DO, OPT_SGA, IAC, WILL, OPT_SGA, IAC, WILL, OPT_NAWS),
    );
    expect(r.take()).toEqual([]);
    expect(r.codec.enabled(OPT_ECHO, "local")).toBe(true);
    expect(r.codec.enabled(OPT_NAWS, "remote")).toBe(true);
    r.codec.receive(Uint8Array.of(IAC, WILL, OPT_TTYPE));
    expect(r.take()).toEqual([IAC, SB, OPT_TTYPE, 1, IAC, SE]);
    expect(r.codec.negotiating).toBe(false);
  });

  it("refuses what it does not do, agrees to BINARY, and never answers an answer", () => {
    const r = rig();
    r.codec.receive(Uint8Array.of(IAC, DO, 39, IAC, WILL, 34));
    expect(r.take()).toEqual([IAC, WONT, 39, IAC, DONT, 34]);
    r.codec.receive(Uint8Array.of(IAC, WONT, 39, IAC, DONT, 34));
    expect(r.take()).toEqual([]);
    r.codec.receive(Uint8Array.of(IAC, DO, OPT_BINARY, IAC, WILL, OPT_BINARY));
    expect(r.take()).toEqual([IAC, WILL, OPT_BINARY, IAC, DO, OPT_BINARY]);
    r.codec.receive(Uint8Array.of(IAC, DO, OPT_BINARY));
    expect(r.take()).toEqual([]);
    r.codec.receive(Uint8Array.of(IAC, DONT, OPT_BINARY));
    expect(r.take()).toEqual([IAC, WONT, OPT_BINARY]);
    expect(r.codec.enabled(OPT_BINARY, "local")).toBe(false);
  });

  it("reads NAWS and TERMINAL-TYPE, with IAC doubled inside, split anywhere", () => {
    const r = rig();
    r.codec.receive(Uint8Array.of(IAC, WILL, OPT_NAWS, IAC, WILL, OPT_TTYPE));
    r.take();
    const bytes = Uint8Array.of(
      ...[IAC, SB, OPT_NAWS, 0, 132, 0, IAC, IAC, IAC, SE],
      ...[IAC, SB, OPT_TTYPE, 0, ...Buffer.from("XTERM-256color"), IAC, SE],
    );
    for (let i = 0; i < bytes.length; i++) r.codec.receive(bytes.subarray(i, i + 1));
    expect(r.sizes).toEqual([[132, 255]]);
    expect(r.types).toEqual(["xterm-256color"]);
    expect(r.data).toEqual([]);
  });

  it("ignores subnegotiations of options not agreed, and oversized ones", () => {
    const r = rig();
    r.codec.receive(Uint8Array.of(IAC, SB, OPT_NAWS, 0, 80, 0, 24, IAC, SE));
    r.codec.receive(Uint8Array.of(IAC, WILL, OPT_NAWS));
    r.codec.receive(Uint8Array.of(IAC, SB, OPT_NAWS, ...new Array<number>(SB_MAX + 10).fill(1), IAC, SE));
    r.codec.receive(Uint8Array.of(IAC, SB, OPT_NAWS, 0, 80, 0, 24, IAC, SE, 0x41));
    expect(r.sizes).toEqual([[80, 24]]);
    expect(r.data).toEqual([0x41]);
  });

  it("unescapes data: IAC IAC, CR NUL and CR LF are CR, commands are reported", () => {
    const r = rig();
    r.codec.receive(Uint8Array.of(0x61, IAC, IAC, 0x62, 13, 0, 0x63, 13, 10, 13, 0x64, IAC, IP, IAC, 241));
    expect(r.data).toEqual([0x61, IAC, 0x62, 13, 0x63, 13, 13, 0x64]);
    expect(r.commands).toEqual([IP]);
  });

  it("escapes output: IAC doubled, a bare CR becomes CR NUL unless BINARY", () => {
    const r = rig();
    expect([...r.codec.encode(Uint8Array.of(0x61, IAC, 13, 10, 13, 0x62, 13))]).toEqual([
      0x61,
      IAC,
      IAC,
      13,
      10,
      13,
      0,
      0x62,
      13,
      0,
    ]);
    r.codec.receive(Uint8Array.of(IAC, DO, OPT_BINARY));
    expect([...r.codec.encode(Uint8Array.of(13, 0x62, IAC))]).toEqual([13, 0x62, IAC, IAC]);
  });

  it("round-trips any data through encode and receive (fuzz)", () => {
    const next = xorshift32(0x7e1e);
    const n = fuzzIterations(5_000, 200_000);
    for (let i = 0; i < n; i++) {
      const len = next() % 64;
      const src = Uint8Array.from({ length: len }, () => {
        const v = next() % 8;
        return v === 0 ? IAC : v === 1 ? 13 : next() & 0xff;
      });
      const r = rig();
      const wire = r.codec.encode(src);
      const cut = len === 0 ? 0 : next() % wire.length;
      r.codec.receive(wire.subarray(0, cut));
      r.codec.receive(wire.subarray(cut));
      // CR NUL folds back to CR; a CR followed by LF in the data comes back as one CR (NVT).
      const expected: number[] = [];
      for (let j = 0; j < src.length; j++) {
        expected.push(src[j]);
        if (src[j] === 13 && src[j + 1] === 10) j++;
      }
      if (r.data.join() !== expected.join()) expect(r.data).toEqual(expected);
    }
  });

  it("survives random and mutated streams: no throw, bounded, replies only to commands (fuzz)", () => {
    const next = xorshift32(0xbad7e1);
    const n = fuzzIterations(5_000, 200_000);
    const base = Uint8Array.of(
      ...[IAC, WILL, OPT_NAWS, IAC, WILL, OPT_TTYPE, IAC, DO, OPT_ECHO, 0x6c, 0x73, 13, 0],
      ...[IAC, SB, OPT_NAWS, 0, 80, 0, 24, IAC, SE, IAC, SB, OPT_TTYPE, 0, 0x76, 0x74, IAC, SE],
    );
    for (let i = 0; i < n; i++) {
      const b =
        next() % 4 === 0 ? Uint8Array.from({ length: next() % 96 }, () => next() & 0xff) : base.slice();
      for (let k = next() % 6; k > 0 && b.length > 0; k--)
        b[next() % b.length] = next() % 3 ? next() & 0xff : IAC;
      const r = rig();
      r.codec.start();
      let at = 0;
      while (at < b.length) {
        const step = 1 + (next() % 8);
        r.codec.receive(b.subarray(at, at + step));
        at += step;
      }
      // Every reply is a whole command: IAC verb option, or the TTYPE SEND subnegotiation.
      const sent = r.sent;
      const fail = (what: string): never => {
        throw new Error(`case ${i}: ${what} after ${[...b].join(",")}`);
      };
      for (let j = 0; j < sent.length;) {
        if (sent[j] !== IAC) fail(`reply byte ${sent[j]} is not IAC`);
        if (sent[j + 1] === SB) {
          if (sent.slice(j, j + 6).join() !== [IAC, SB, OPT_TTYPE, 1, IAC, SE].join()) fail("bad SB reply");
          j += 6;
        } else {
          if (![WILL, WONT, DO, DONT].includes(sent[j + 1])) fail(`reply verb ${sent[j + 1]}`);
          j += 3;
        }
      }
      if (r.data.length > b.length) fail("more data out than in");
      for (const t of r.types) if (!/^[\x21-\x7e]{1,40}$/.test(t)) fail(`terminal type ${t}`);
    }
  });
});
