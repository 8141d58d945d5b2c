import { afterEach, describe, expect, it } from "vitest";
import { turn } from "../../helpers/wait.ts";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import type { Process } from "../../../firmware/kernel/process.ts";
import type { Thread } from "../../../firmware/kernel/thread.ts";
import * as client from "../../../firmware/resmgr/client.ts";
import * as D from "../../../firmware/resmgr/devctl-codes.ts";
import * as C from "../../../firmware/resmgr/io-constants.ts";
import { startManager } from "../../../firmware/resmgr/start-manager.ts";
import { TtyDevice, OUTPUT_HIGH_WATER } from "../../../firmware/console/tty-manager.ts";
import { FakePort } from "./fake-port.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();

let kernel: Kernel | null = null;
afterEach(async () => {
  await kernel?.shutdown(10);
  kernel = null;
});

async function setup() {
  const k = new Kernel();
  kernel = k;
  const port = new FakePort();
  let dev!: TtyDevice;
  await startManager(k, { name: "devc-ser" }, (rm) => {
    dev = new TtyDevice(rm, { path: "/dev/ser1", port });
  });
  /** Runs `fn` in a new process; resolves with its result. */
  const run = <T>(
    fn: (t: Thread, p: Process) => Promise<T>,
    pgid?: "new",
  ): { result: Promise<T>; proc: Process } => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const result = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const proc = k.spawn({
      name: "client",
      pgid,
      main: async (t) => {
        try {
          resolve(await fn(t, t.process));
        } catch (e) {
          reject(e);
        }
        return 0;
      },
    });
    return { result, proc };
  };
  return { k, port, dev: () => dev, run };
}

/** Lets the kernel's threads run until they block (its scheduler runs on promise jobs). */
const tick = turn;

describe("terminal resource manager", () => {
  it("blocks a read until a line is typed, and echoes it", async () => {
    const s = await setup();
    const { result } = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_RDWR);
      return dec.decode(await client.read(t, fd, 100));
    });
    await tick();
    s.port.type("hel");
    await tick();
    s.port.type("lo\r");
    expect(await result).toBe("hello\n");
    expect(s.port.output()).toBe("hello\r\n");
  });

  it("writes with NL → CR NL", async () => {
    const s = await setup();
    const { result } = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_WRONLY);
      return client.write(t, fd, enc.encode("a\nb"));
    });
    expect(await result).toBe(3);
    expect(s.port.output()).toBe("a\r\nb");
  });

  it("stats as a character device", async () => {
    const s = await setup();
    const { result } = s.run(async (t) => client.stat(t, "/dev/ser1"));
    expect((await result).mode & C.S_IFMT).toBe(C.S_IFCHR);
  });

  it("a caught signal interrupts a blocked read with EINTR", async () => {
    const s = await setup();
    let caught = 0;
    const { result, proc } = s.run(async (t, p) => {
      p.onSignal("SIGUSR1", () => caught++);
      const fd = await client.open(t, "/dev/ser1", C.O_RDONLY);
      try {
        await client.read(t, fd, 10);
        return "read";
      } catch (e) {
        return (e as KernelError).errno;
      }
    });
    await tick();
    proc.signal("SIGUSR1");
    expect(await result).toBe("EINTR");
    expect(caught).toBe(1);
    // The interrupted read left nothing behind: the next line goes to the next reader.
    const next = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_RDONLY);
      return dec.decode(await client.read(t, fd, 10));
    });
    await tick();
    s.port.type("x\n");
    expect(await next.result).toBe("x\n");
  });

  it("^C sends SIGINT to the foreground process group set by devctl", async () => {
    const s = await setup();
    const victim = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_RDWR);
      await client.devctl(t, fd, D.DCMD_CHR_TCSETPGRP, D.encodeInt32(t.process.pgid));
      const r = await client.devctl(t, fd, D.DCMD_CHR_TCGETPGRP, undefined, 4);
      expect(D.decodeInt32(r.data)).toBe(t.process.pgid);
      await client.read(t, fd, 10);
      return "not interrupted";
    }, "new");
    await tick();
    await tick();
    s.port.type("abc\x03");
    expect(await victim.proc.wait()).toBe(128 + 2);
    expect(s.port.output()).toBe("abc^C");
    expect(s.dev().foregroundPgid).toBe(victim.proc.pid);
  });

  it("gets and sets termios; raw mode gives single bytes", async () => {
    const s = await setup();
    const { result } = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_RDWR);
      const cur = D.decodeTermios((await client.devctl(t, fd, D.DCMD_CHR_TCGETATTR, undefined, 64)).data);
      expect(cur.icanon).toBe(true);
      await client.devctl(
        t,
        fd,
        D.DCMD_CHR_TCSETATTR,
        D.encodeTermios({ ...cur, icanon: false, echo: false, baud: 9600, csize: 7 }),
      );
      const r = await client.read(t, fd, 10);
      return dec.decode(r);
    });
    await tick();
    await tick();
    s.port.type("q");
    expect(await result).toBe("q");
    expect(s.port.settings.baudRate).toBe(9600);
    expect(s.port.settings.dataBits).toBe(7);
    expect(s.port.output()).toBe("");
  });

  it("reports the window size, a size set by devctl, and FIONREAD", async () => {
    const s = await setup();
    s.port.type("ab\n");
    const { result } = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_RDWR);
      const a = D.decodeWinsize((await client.devctl(t, fd, D.DCMD_CHR_GETSIZE, undefined, 4)).data);
      await client.devctl(t, fd, D.DCMD_CHR_SETSIZE, D.encodeWinsize({ rows: 10, cols: 20 }));
      const b = D.decodeWinsize((await client.devctl(t, fd, D.DCMD_CHR_GETSIZE, undefined, 4)).data);
      const n = D.decodeInt32((await client.devctl(t, fd, D.DCMD_CHR_ISCHARS, undefined, 4)).data);
      const ready = await client.pollReady(t, fd, C.NOTIFY_INPUT | C.NOTIFY_OUTPUT);
      return { a, b, n, ready };
    });
    expect(await result).toEqual({
      a: { rows: 40, cols: 100 },
      b: { rows: 10, cols: 20 },
      n: 3,
      ready: C.NOTIFY_INPUT | C.NOTIFY_OUTPUT,
    });
  });

  it("an unknown devctl is ENOTTY", async () => {
    const s = await setup();
    const { result } = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_RDWR);
      return client.devctl(t, fd, 0x12345).catch((e: KernelError) => e.errno);
    });
    expect(await result).toBe("ENOTTY");
  });

  it("O_NONBLOCK reads fail with EAGAIN when nothing is there", async () => {
    const s = await setup();
    const { result } = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_RDONLY | C.O_NONBLOCK);
      return client.read(t, fd, 10).catch((e: KernelError) => e.errno);
    });
    expect(await result).toBe("EAGAIN");
  });

  it("^D on an empty line is end of file for the reader", async () => {
    const s = await setup();
    const { result } = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_RDONLY);
      return (await client.read(t, fd, 10)).byteLength;
    });
    await tick();
    s.port.type([4]);
    expect(await result).toBe(0);
  });

  it("a writer waits while too much output is in flight on a slow line", async () => {
    const s = await setup();
    s.port.slow = true;
    let done = false;
    const { result } = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_WRONLY);
      const n = await client.write(t, fd, new Uint8Array(OUTPUT_HIGH_WATER + 10).fill(0x41));
      done = true;
      return n;
    });
    await tick();
    await tick();
    expect(done).toBe(false);
    s.port.release();
    expect(await result).toBe(OUTPUT_HIGH_WATER + 10);
  });

  it("a pulled device ends blocked reads with end of file", async () => {
    const s = await setup();
    const { result } = s.run(async (t) => {
      const fd = await client.open(t, "/dev/ser1", C.O_RDONLY);
      return (await client.read(t, fd, 10)).byteLength;
    });
    await tick();
    s.port.pull();
    expect(await result).toBe(0);
  });
});
