// One netrino node in a process of its own, for tests that need two runtimes in separate
// processes (and separate network namespaces): `ip netns exec <ns> node --import tsx
// qnet-node.ts '<json>'` with an IPC channel. It boots a Runtime named `name`, starts io-pkt with
// `iopkt` (devnp-pcap on the namespace's veths, lsm-qnet), and then runs what the test sends:
// {id, op:"sh", argv} → {id, status, stdout, stderr}; {id, op:"fill", path, bytes, seed} writes
// pseudo-random bytes; {id, op:"sha256", path} → {id, hex}. It says {ready:true} once io-pkt
// is up, and exits when the channel closes.
import { createHash } from "node:crypto";
import { Runtime } from "../../unit/netutil/runtime.ts";
import * as fsc from "../../../firmware/resmgr/client.ts";
import * as C from "../../../firmware/resmgr/io-constants.ts";

export interface QnetNodeConfig {
  name: string;
  iopkt: string[];
  /** Interfaces to bring up once io-pkt runs (en0, en1 …). */
  up: string[];
}

export type QnetNodeRequest =
  | { id: number; op: "sh"; argv: string[] }
  | { id: number; op: "fill"; path: string; bytes: number; seed: number }
  | { id: number; op: "sha256"; path: string };

export interface QnetNodeReply {
  id: number;
  status?: number;
  stdout?: string;
  stderr?: string;
  hex?: string;
  error?: string;
}

/** xorshift32 bytes: the same file on every run, incompressible enough for a transfer test. */
function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function sha256(rt: Runtime, path: string): Promise<string> {
  const h = createHash("sha256");
  const p = rt.kernel.spawn({
    name: "sha256",
    main: async (t) => {
      const fd = await fsc.open(t, path, C.O_RDONLY);
      for (;;) {
        const b = await fsc.read(t, fd, 65536);
        if (b.length === 0) break;
        h.update(b);
      }
      await fsc.close(t, fd);
    },
  });
  if ((await p.wait()) !== 0) throw new Error(`reading ${path} failed`);
  return h.digest("hex");
}

async function serve(cfg: QnetNodeConfig): Promise<void> {
  const rt = await Runtime.boot(cfg.name);
  await rt.startIoPkt(cfg.iopkt);
  for (const i of cfg.up) await rt.ok(["ifconfig", i, "up"]);
  const reply = (m: QnetNodeReply): void => void process.send?.(m);
  process.on("message", (m: QnetNodeRequest) => {
    const run = async (): Promise<QnetNodeReply> => {
      if (m.op === "sh") return { id: m.id, ...(await rt.sh(m.argv)) };
      if (m.op === "fill") {
        await rt.writeFile(m.path, pseudoRandom(m.bytes, m.seed));
        return { id: m.id, status: 0 };
      }
      return { id: m.id, hex: await sha256(rt, m.path) };
    };
    run().then(reply, (e: unknown) => reply({ id: m.id, error: String(e) }));
  });
  process.on("disconnect", () => {
    void rt.shutdown().finally(() => process.exit(0));
  });
  reply({ id: 0, status: 0 });
}

serve(JSON.parse(process.argv[2] ?? "{}") as QnetNodeConfig).catch((e: unknown) => {
  process.stderr.write(`qnet-node: ${String(e)}\n`);
  process.exit(1);
});
