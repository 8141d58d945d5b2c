// The test's side of qnet-node.ts: starts a node process inside a network namespace and sends
// it requests over IPC, one promise per request.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { QnetNodeConfig, QnetNodeReply, QnetNodeRequest } from "./qnet-node.ts";

type Request = QnetNodeRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

export class QnetNodeProc {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly waiting = new Map<number, (r: QnetNodeReply) => void>();
  private log = "";
  readonly ready: Promise<void>;

  constructor(ns: string, cfg: QnetNodeConfig) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
    const entry = fileURLToPath(new URL("./qnet-node.ts", import.meta.url));
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    this.child = spawn(
      "ip",
      ["netns", "exec", ns, process.execPath, "--import", tsx, entry, JSON.stringify(cfg)],
      { stdio: ["ignore", "pipe", "pipe", "ipc"], env },
    );
    this.child.stdout?.on("data", (d: Buffer) => (this.log += d.toString()));
    this.child.stderr?.on("data", (d: Buffer) => (this.log += d.toString()));
    this.ready = new Promise((resolve, reject) => {
      this.waiting.set(0, () => resolve());
      this.child.once("exit", (code) => reject(new Error(`${cfg.name} exited ${code}: ${this.log}`)));
    });
    this.child.on("message", (m: QnetNodeReply) => {
      const done = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      done?.(m);
    });
  }

  request(r: Request): Promise<QnetNodeReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (m) => (m.error ? reject(new Error(`${m.error}\n${this.log}`)) : resolve(m)));
      this.child.send({ ...r, id });
    });
  }

  /** Runs a utility on the node: its status and output. */
  async sh(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    const r = await this.request({ op: "sh", argv });
    return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  async sha256(path: string): Promise<string> {
    return (await this.request({ op: "sha256", path })).hex ?? "";
  }

  /** Closes the channel (the node shuts down) and waits for the process to end. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const gone = new Promise((r) => this.child.once("exit", r));
    if (this.child.connected) this.child.disconnect();
    else this.child.kill();
    await gone;
  }
}
