// The telnet protocol (RFC 854) as a pure, synchronous codec for the server side: bytes from
// the network in, user data and option events out; user data in, escaped bytes out. Option
// negotiation follows RFC 1143's Q method (no loops, no answers to answers); the options a
// remote terminal needs: ECHO (857), SUPPRESS-GO-AHEAD (858), BINARY (856), NAWS (1073,
// window size) and TERMINAL-TYPE (1091). Garbage never throws; subnegotiations are bounded.

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const GA = 249;
export const EL = 248;
export const EC = 247;
export const AYT = 246;
export const AO = 245;
export const IP = 244;
export const BRK = 243;
export const DM = 242;
export const NOP = 241;
export const SE = 240;

export const OPT_BINARY = 0;
export const OPT_ECHO = 1;
export const OPT_SGA = 3;
export const OPT_TTYPE = 24;
export const OPT_NAWS = 31;

const TTYPE_IS = 0;
const TTYPE_SEND = 1;
const CR = 13;
const LF = 10;
const NUL = 0;

/** Longest subnegotiation kept (a terminal name, a window size); the rest is dropped. */
export const SB_MAX = 256;

/** RFC 1143 option state, one per side per option. */
type Q = "no" | "yes" | "wantno" | "wantyes";

export interface TelnetSink {
  /** Bytes for the network (negotiation replies). */
  send(bytes: Uint8Array): void;
  /** User data, with telnet's CR NUL / CR LF folded back to CR. */
  data(bytes: Uint8Array): void;
  /** NAWS: the client's window, in columns and rows (0 means unknown). */
  windowSize?(cols: number, rows: number): void;
  /** TERMINAL-TYPE IS: the client's terminal name. */
  terminalType?(name: string): void;
  /** A command that maps to a terminal character: IP (^C), EC (erase), EL (kill), BRK, AYT. */
  command?(cmd: number): void;
  /** Negotiation settled for an option (enabled or refused), on either side. */
  optionChanged?(opt: number, side: "local" | "remote", on: boolean): void;
}

export interface TelnetCodecOptions {
  /** Options we perform when asked (WILL): default ECHO, SGA, BINARY. */
  local?: readonly number[];
  /** Options we let the client perform (DO): default SGA, BINARY, NAWS, TTYPE. */
  remote?: readonly number[];
}

/** Receive states. */
const St = { Data: 0, Cr: 1, Iac: 2, Verb: 3, Sb: 4, SbIac: 5 } as const;
type St = (typeof St)[keyof typeof St];

export class TelnetCodec {
  private readonly sink: TelnetSink;
  private readonly allowLocal: Set<number>;
  private readonly allowRemote: Set<number>;
  private readonly us = new Map<number, Q>();
  private readonly him = new Map<number, Q>();
  private st: St = St.Data;
  private verb = 0;
  private sb: number[] = [];
  private sbOverflow = false;
  /** Scratch for encode (reused: output is per keystroke and per line). */
  private readonly out: number[] = [];

  constructor(sink: TelnetSink, opts: TelnetCodecOptions = {}) {
    this.sink = sink;
    this.allowLocal = new Set(opts.local ?? [OPT_ECHO, OPT_SGA, OPT_BINARY]);
    this.allowRemote = new Set(opts.remote ?? [OPT_SGA, OPT_BINARY, OPT_NAWS, OPT_TTYPE]);
  }

  /** Whether an option is in effect: `local` for ours (WILL), `remote` for the client's (DO). */
  enabled(opt: number, side: "local" | "remote"): boolean {
    return (side === "local" ? this.us : this.him).get(opt) === "yes";
  }

  /** Whether any negotiation we started still waits for its answer. */
  get negotiating(): boolean {
    for (const q of this.us.values()) if (q === "wantyes" || q === "wantno") return true;
    for (const q of this.him.values()) if (q === "wantyes" || q === "wantno") return true;
    return false;
  }

  /** Asks to perform `opt` ourselves (IAC WILL), once. */
  offer(opt: number): void {
    if ((this.us.get(opt) ?? "no") !== "no") return;
    this.us.set(opt, "wantyes");
    this.cmd(WILL, opt);
  }

  /** Asks the client to perform `opt` (IAC DO), once. */
  request(opt: number): void {
    if ((this.him.get(opt) ?? "no") !== "no") return;
    this.him.set(opt, "wantyes");
    this.cmd(DO, opt);
  }

  /** The negotiation a telnet server opens with: we echo and suppress go-ahead, the client
   * reports its window and terminal type and suppresses go-ahead too. */
  start(): void {
    this.offer(OPT_ECHO);
    this.offer(OPT_SGA);
    this.request(OPT_SGA);
    this.request(OPT_NAWS);
    this.request(OPT_TTYPE);
  }

  // ---- network → user ------------------------------------------------------------------

  receive(bytes: Uint8Array): void {
    const data: number[] = [];
    const flush = (): void => {
      if (data.length === 0) return;
      this.sink.data(Uint8Array.from(data));
      data.length = 0;
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.st === St.Cr) {
        this.st = St.Data;
        // CR NUL and CR LF are both a CR typed at the terminal (the line discipline's icrnl
        // makes it the newline); anything else follows the CR as itself.
        if (b === NUL || b === LF) continue;
      }
      switch (this.st) {
        case St.Data:
          if (b === IAC) this.st = St.Iac;
          else {
            data.push(b);
            if (b === CR && !this.enabled(OPT_BINARY, "remote")) this.st = St.Cr;
          }
          continue;
        case St.Iac:
          this.st = St.Data;
          if (b === IAC) data.push(IAC);
          else if (b >= WILL) {
            this.verb = b;
            this.st = St.Verb;
          } else if (b === SB) {
            this.sb = [];
            this.sbOverflow = false;
            this.st = St.Sb;
          } else if (b === IP || b === EC || b === EL || b === BRK || b === AYT || b === AO) {
            flush();
            this.sink.command?.(b);
          }
          // NOP, DM, GA, a stray SE and unknown commands carry nothing for us.
          continue;
        case St.Verb:
          this.st = St.Data;
          flush();
          this.negotiate(this.verb, b);
          continue;
        case St.Sb:
          if (b === IAC) this.st = St.SbIac;
          else this.sbByte(b);
          continue;
        case St.SbIac:
          if (b === IAC) {
            this.sbByte(IAC);
            this.st = St.Sb;
          } else if (b === SE) {
            this.st = St.Data;
            flush();
            this.subnegotiation();
          } else {
            // RFC 854 leaves IAC <other> inside SB undefined: drop the SB, take the command.
            this.st = St.Iac;
            this.sb = [];
            i--;
          }
          continue;
      }
    }
    flush();
  }

  private sbByte(b: number): void {
    if (this.sb.length < SB_MAX) this.sb.push(b);
    else this.sbOverflow = true;
  }

  private subnegotiation(): void {
    const sb = this.sb;
    this.sb = [];
    if (this.sbOverflow || sb.length === 0) return;
    const opt = sb[0];
    if (!this.enabled(opt, "remote")) return;
    if (opt === OPT_NAWS && sb.length === 5) {
      this.sink.windowSize?.((sb[1] << 8) | sb[2], (sb[3] << 8) | sb[4]);
    } else if (opt === OPT_TTYPE && sb[1] === TTYPE_IS) {
      // A terminal name is printable ASCII (RFC 1091); anything else is not one.
      const name = String.fromCharCode(...sb.slice(2));
      if (/^[\x21-\x7e]{1,40}$/.test(name)) this.sink.terminalType?.(name.toLowerCase());
    }
  }

  /** RFC 1143: answers a WILL/WONT/DO/DONT without ever answering an answer. */
  private negotiate(verb: number, opt: number): void {
    const local = verb === DO || verb === DONT;
    const table = local ? this.us : this.him;
    const allowed = (local ? this.allowLocal : this.allowRemote).has(opt);
    const [yes, no] = local ? [WILL, WONT] : [DO, DONT];
    const side = local ? "local" : "remote";
    const q = table.get(opt) ?? "no";
    const positive = verb === DO || verb === WILL;
    if (positive) {
      if (q === "no") {
        if (allowed) {
          table.set(opt, "yes");
          this.cmd(yes, opt);
          this.enabledNow(opt, side);
        } else this.cmd(no, opt);
      } else if (q === "wantyes") {
        table.set(opt, "yes");
        this.enabledNow(opt, side);
      } else if (q === "wantno") {
        // An answer of WILL/DO to our WONT/DONT is a protocol error; the option stays off.
        table.set(opt, "no");
      }
    } else if (q === "yes") {
      table.set(opt, "no");
      this.cmd(no, opt);
      this.sink.optionChanged?.(opt, side, false);
    } else if (q === "wantyes" || q === "wantno") {
      table.set(opt, "no");
      this.sink.optionChanged?.(opt, side, false);
    }
  }

  private enabledNow(opt: number, side: "local" | "remote"): void {
    if (opt === OPT_TTYPE && side === "remote")
      this.sink.send(Uint8Array.of(IAC, SB, OPT_TTYPE, TTYPE_SEND, IAC, SE));
    this.sink.optionChanged?.(opt, side, true);
  }

  private cmd(verb: number, opt: number): void {
    this.sink.send(Uint8Array.of(IAC, verb, opt));
  }

  // ---- user → network ------------------------------------------------------------------

  /** User data for the network: IAC doubled; in NVT mode a bare CR becomes CR NUL. */
  encode(bytes: Uint8Array): Uint8Array {
    const nvt = !this.enabled(OPT_BINARY, "local");
    const out = this.out;
    out.length = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      out.push(b);
      if (b === IAC) out.push(IAC);
      else if (b === CR && nvt && bytes[i + 1] !== LF) out.push(NUL);
    }
    return Uint8Array.from(out);
  }
}
