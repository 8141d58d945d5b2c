// The GPIO manager: registers /dev/gpio with one file per pin. Reading a pin file gives
// "0\n" or "1\n"; writing "0"/"1" (or low/high) drives it, "in"/"out" sets its direction;
// devctl does the same in binary and attaches edge events: each edge on an input pin is
// delivered as a pulse at the client's chosen priority (InterruptAttachEvent-style).
// An optional heartbeat LED toggles a pin from a kernel timer.
import { KernelError } from "../kernel/errno.ts";
import { SLOG_MAJOR, SLOG_SEVERITY } from "../kernel/slog.ts";
import type { Thread } from "../kernel/thread.ts";
import { newAttr, type Attr } from "../resmgr/attr.ts";
import type { DirentRecord, Handlers, IoContext, Ocb } from "../resmgr/handlers.ts";
import { S_IFCHR } from "../resmgr/io-constants.ts";
import { ResourceManager } from "../resmgr/resmgr.ts";
import type { GpioBackend, GpioLevel, GpioPin } from "./gpio-backend.ts";
import * as P from "./gpio-protocol.ts";

export const GPIO_PATH = "/dev/gpio";

interface EventRegistration {
  ocb: Ocb;
  rcvid: number;
  pin: number;
  req: P.AttachEventRequest;
  stop: () => void;
}

/** Pulse code of the heartbeat timer on the manager's own channel. */
const HEARTBEAT_CODE = 1;

export interface GpioManagerOptions {
  /** Heartbeat LED: this output pin toggles every `heartbeatMs`. */
  heartbeatPin?: number;
  heartbeatMs?: number;
}

export class GpioManager {
  readonly rm: ResourceManager;
  private readonly backend: GpioBackend;
  private readonly attrs = new Map<number, Attr>();
  private readonly events = new Set<EventRegistration>();
  private readonly thread: Thread;

  constructor(thread: Thread, backend: GpioBackend) {
    this.thread = thread;
    this.backend = backend;
    this.rm = new ResourceManager(thread);
    const now = thread.kernel.clock.wallTime();
    for (const pin of backend.pins())
      this.attrs.set(pin, newAttr(this.rm.allocIno(), S_IFCHR | 0o666, 0, 0, now));
    this.rm.attach(GPIO_PATH, { type: "dir", mode: 0o755, handlers: this.handlers() });
  }

  /** Edge registrations alive now (tests, pidin-like views). */
  get eventCount(): number {
    return this.events.size;
  }

  private pinOf(ocb: Ocb): GpioPin {
    if (ocb.path === "") throw new KernelError("EISDIR");
    return this.backend.pin(Number(ocb.path));
  }

  private handlers(): Handlers {
    return {
      lookup: (ctx, rel) => {
        if (rel === "") return ctx.attach.attr;
        const attr = /^\d+$/.test(rel) ? this.attrs.get(Number(rel)) : undefined;
        if (!attr) throw new KernelError("ENOENT");
        return attr;
      },
      readdir: (): DirentRecord[] =>
        this.backend.pins().map((pin, i) => ({
          ino: this.attrs.get(pin)!.ino,
          offset: i + 1,
          type: S_IFCHR,
          name: String(pin),
        })),
      read: (_ctx, ocb, nbytes, offset) => {
        const text = new TextEncoder().encode(`${this.pinOf(ocb).read()}\n`);
        return text.subarray(Math.min(offset, text.length), Math.min(text.length, offset + nbytes));
      },
      write: (_ctx, ocb, data) => {
        const pin = this.pinOf(ocb);
        const word = new TextDecoder().decode(data).trim().toLowerCase();
        if (word === "in" || word === "out") pin.setDirection(word);
        else if (word === "0" || word === "low") pin.write(0);
        else if (word === "1" || word === "high") pin.write(1);
        else throw new KernelError("EINVAL", `gpio: expected 0, 1, low, high, in or out, got "${word}"`);
        return data.length;
      },
      devctl: (ctx, ocb, dcmd, data) => this.devctl(ctx, ocb, dcmd, data),
      close: (_ctx, ocb) => {
        for (const r of [...this.events]) if (r.ocb === ocb) this.detach(r);
      },
    };
  }

  private devctl(
    ctx: IoContext,
    ocb: Ocb,
    dcmd: number,
    data: Uint8Array,
  ): { ret: number; data?: Uint8Array } {
    const pin = this.pinOf(ocb);
    switch (dcmd) {
      case P.DCMD_GPIO_GET:
        return { ret: 0, data: P.encodeByte(pin.read()) };
      case P.DCMD_GPIO_SET:
        pin.write((P.decodeByte(data) ? 1 : 0) as GpioLevel);
        return { ret: 0 };
      case P.DCMD_GPIO_GET_CONFIG:
        return { ret: 0, data: P.encodeConfig(pin.direction(), pin.read()) };
      case P.DCMD_GPIO_SET_DIRECTION:
        pin.setDirection(P.decodeDirection(data));
        return { ret: 0 };
      case P.DCMD_GPIO_ATTACH_EVENT: {
        const req = P.decodeAttachEvent(data);
        if (pin.direction() !== "in") throw new KernelError("EINVAL", `gpio ${pin.pin} is not an input`);
        const reg: EventRegistration = { ocb, rcvid: ctx.rcvid, pin: pin.pin, req, stop: () => undefined };
        reg.stop = pin.watch(req.edge, (level) => {
          // Hardware callbacks arrive from the event loop: hand the delivery to the scheduler
          // at the client's priority, as an interrupt's event would be.
          this.thread.kernel.scheduler.post(req.priority, (l: GpioLevel) => this.deliver(reg, l), level);
        });
        this.events.add(reg);
        return { ret: 0 };
      }
      case P.DCMD_GPIO_DETACH_EVENT:
        for (const r of [...this.events]) if (r.ocb === ocb) this.detach(r);
        return { ret: 0 };
      default:
        throw new KernelError("ENOTTY");
    }
  }

  private deliver(reg: EventRegistration, level: GpioLevel): void {
    if (!this.events.has(reg)) return;
    try {
      this.thread.MsgDeliverEvent(reg.rcvid, {
        kind: "pulse",
        coid: reg.req.coid,
        priority: reg.req.priority,
        code: reg.req.code,
        value: P.edgePulseValue(reg.pin, level),
      });
    } catch {
      this.detach(reg); // the client went away
    }
  }

  private detach(reg: EventRegistration): void {
    reg.stop();
    this.events.delete(reg);
  }

  /** Runs the heartbeat LED (a pin, or a board LED) on its own thread: a kernel timer pulses it every `ms`. */
  startHeartbeat(led: number | ((level: GpioLevel) => void), ms: number): void {
    let set: (level: GpioLevel) => void;
    if (typeof led === "number") {
      const pin = this.backend.pin(led);
      pin.setDirection("out");
      set = (l) => pin.write(l);
    } else set = led;
    this.thread.process.createThread(
      async (t) => {
        const chid = t.ChannelCreate();
        const coid = t.ConnectAttach(0, t.process.pid, chid);
        const timer = t.TimerCreate({
          kind: "pulse",
          coid,
          priority: t.priority,
          code: HEARTBEAT_CODE,
          value: 0,
        });
        t.TimerSettime(timer, ms, ms);
        let level: GpioLevel = 0;
        while (true) {
          const r = await t.MsgReceive(chid);
          if (r.pulse?.code !== HEARTBEAT_CODE) continue;
          level = level ? 0 : 1;
          set(level);
        }
      },
      { name: "heartbeat" },
    );
  }

  /** Serves requests on the calling thread until the process ends. */
  async serve(t: Thread): Promise<void> {
    await this.rm.loop(t);
  }

  stop(): void {
    for (const r of [...this.events]) this.detach(r);
    this.rm.stop();
  }

  log(text: string): void {
    this.thread.kernel.slog.log(SLOG_MAJOR.GPIO, 0, SLOG_SEVERITY.INFO, text, this.thread.process.pid);
  }
}
