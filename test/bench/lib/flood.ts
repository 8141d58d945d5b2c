// A Linux-side receive flood: sender processes inside a namespace send one prebuilt frame
// through an AF_PACKET socket on their end of the veth as fast as they can, until stopped.
// The frames leave the namespace's veth and arrive on ours, so what reaches us is bounded by
// Linux and the sender, not by anything in this process. The sender is flood-sender.c when a
// C compiler is present (sendmmsg, several times python's rate), else a python3 loop.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Sends in batches so the exception handler (ENOBUFS when the qdisc is full) is not per frame.
const SENDER = `
import socket, sys
ifname, frame = sys.argv[1], bytes.fromhex(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
s.bind((ifname, 0))
send = s.send
sys.stdout.write("ready\\n"); sys.stdout.flush()
while True:
    try:
        for _ in range(4096):
            send(frame)
    except OSError:
        pass
`;

/** The interpreter itself, not a version-manager shim: `ip netns exec` then runs it directly. */
export function python3Path(): string | null {
  const r = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() || null : null;
}

export interface FloodSender {
  /** "c" (flood-sender.c) or "python3". */
  kind: string;
  argv: string[];
  /** Removes what building it left behind. */
  dispose(): void;
}

/** The fastest sender this machine can run, or null when there is none. */
export function floodSender(): FloodSender | null {
  const src = fileURLToPath(new URL("./flood-sender.c", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "netrino-flood-"));
  const bin = join(dir, "flood-sender");
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  if (spawnSync("cc", ["-O2", "-o", bin, src], { stdio: "ignore" }).status === 0) {
    return { kind: "c", argv: [bin], dispose };
  }
  dispose();
  const py = python3Path();
  return py === null ? null : { kind: "python3", argv: [py, "-c", SENDER], dispose: () => {} };
}

export class Flood {
  private readonly children: ChildProcess[] = [];

  private constructor() {}

  /** Starts `senders` processes in `ns` sending `frame` on `ifname`; resolves once all are sending. */
  static async start(
    ns: string,
    ifname: string,
    frame: Uint8Array,
    opts: { senders?: number; sender?: FloodSender } = {},
  ): Promise<Flood> {
    const fl = new Flood();
    const argv = opts.sender?.argv ?? [python3Path() ?? "python3", "-c", SENDER];
    const hex = Buffer.from(frame).toString("hex");
    const ready: Promise<void>[] = [];
    for (let i = 0; i < (opts.senders ?? 1); i++) {
      const c = spawn("ip", ["netns", "exec", ns, ...argv, ifname, hex], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      fl.children.push(c);
      ready.push(
        new Promise((resolve, reject) => {
          let err = "";
          c.stderr?.on("data", (d: Buffer) => (err += d.toString()));
          c.stdout?.once("data", () => resolve());
          c.once("exit", (code) => reject(new Error(`flood sender exited ${code}: ${err.trim()}`)));
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await fl.stop();
      throw e;
    }
    return fl;
  }

  /** Stops every sender and waits until they are gone (so the next measurement starts quiet). */
  async stop(): Promise<void> {
    const gone = this.children.map((c) =>
      c.exitCode !== null || c.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((r) => c.once("exit", () => r())),
    );
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await Promise.all(gone);
  }
}
