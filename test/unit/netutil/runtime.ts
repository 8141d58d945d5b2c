// A netrino runtime inside the test process: a Kernel with ramfs at /tmp, io-pkt instances
// started from their command line, and the built-in utilities run as processes with their
// output captured (the same harness the utility unit tests use).
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import type { Process } from "../../../firmware/kernel/process.ts";
import { Ramfs } from "../../../firmware/fs/ramfs.ts";
import { startManager } from "../../../firmware/resmgr/start-manager.ts";
import { loadBuiltinProgram } from "../../../firmware/bin/lib/builtin-lookup.ts";
import * as fsc from "../../../firmware/resmgr/client.ts";
import * as C from "../../../firmware/resmgr/io-constants.ts";
import { run } from "../bin/harness.ts";
import type { RunOptions, RunResult } from "../bin/harness.ts";

export type { RunResult };

export class Runtime {
  readonly kernel: Kernel;
  private readonly stacks: Process[] = [];

  private constructor(kernel: Kernel) {
    this.kernel = kernel;
  }

  static async boot(hostname = "ournode"): Promise<Runtime> {
    const kernel = new Kernel({ nodeName: hostname });
    await startManager(kernel, { name: "ramfs" }, (rm) => new Ramfs(rm).mount("/tmp"));
    return new Runtime(kernel);
  }

  /** Runs a utility (`["ifconfig", "-a"]`); `sock` selects an io-pkt instance by prefix. */
  async sh(argv: string[], opts: RunOptions & { sock?: string } = {}): Promise<RunResult> {
    const program = await loadBuiltinProgram(argv[0]);
    if (!program) throw new Error(`no utility ${argv[0]}`);
    const env = { PATH: "/bin", ...(opts.env ?? {}), ...(opts.sock ? { SOCK: opts.sock } : {}) };
    return run(this.kernel, program, argv, { ...opts, env });
  }

  /** Like sh() but fails the test with the output when the exit status is not 0. */
  async ok(argv: string[], opts: RunOptions & { sock?: string } = {}): Promise<string> {
    const r = await this.sh(argv, opts);
    if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /**
   * Starts io-pkt with `args` (`["-d", "pcap", "if=veth0"]`) and waits until its control file
   * answers: io-pkt detaches once it is ready, so its process keeps running after this resolves.
   */
  async startIoPkt(args: string[], opts: { sock?: string } = {}): Promise<Process> {
    const program = await loadBuiltinProgram("io-pkt");
    if (!program) throw new Error("io-pkt is not a built-in program");
    let started: (p: Process) => void = () => undefined;
    const spawned = new Promise<Process>((resolve) => (started = resolve));
    const done = run(this.kernel, program, ["io-pkt", ...args], { env: { PATH: "/bin" }, onStart: started });
    const proc = await spawned;
    // io-pkt detaches once its control files are registered; an exit first is a failure.
    const how = await Promise.race([
      proc.detached ? "detached" : proc.waitChange(),
      done.then(() => "exited"),
    ]);
    if (how !== "detached" && !proc.detached) {
      const failed = await done;
      throw new Error(`io-pkt exited ${failed.status}: ${failed.stderr}`);
    }
    const r = await this.sh(["ifconfig", "lo0"], { sock: opts.sock });
    if (r.status !== 0) throw new Error(`io-pkt did not come up: ${r.stderr}`);
    this.stacks.push(proc);
    return proc;
  }

  /** Writes a file through the client library, from a process of this runtime. */
  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const p = this.kernel.spawn({
      name: "writer",
      main: async (t) => {
        const fd = await fsc.open(t, path, C.O_WRONLY | C.O_CREAT | C.O_TRUNC);
        await fsc.write(t, fd, bytes);
        await fsc.close(t, fd);
      },
    });
    if ((await p.wait()) !== 0) throw new Error(`writing ${path} failed`);
  }

  /** Reads a whole file through the client library, from a process of this runtime. */
  async readFile(path: string): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    const p = this.kernel.spawn({
      name: "reader",
      main: async (t) => {
        const fd = await fsc.open(t, path);
        for (let b = await fsc.read(t, fd, 65536); b.length > 0; b = await fsc.read(t, fd, 65536))
          parts.push(b);
        await fsc.close(t, fd);
      },
    });
    if ((await p.wait()) !== 0) throw new Error(`reading ${path} failed`);
    return Buffer.concat(parts);
  }

  async shutdown(): Promise<void> {
    await this.kernel.shutdown(200);
  }
}
