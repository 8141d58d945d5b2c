// What PcapWorkerPort and its capture process (pcap-capture.ts) say to each other, and how the
// process is started. Why a process and not a worker_threads Worker: node-pcap is not a
// context-aware addon (it loads into one thread per process, ever), and its close() never
// uv_close()s its poll handle, so a Worker that opened a session aborts the whole process
// (uv_loop_close with open handles) when it ends. A child's main thread has neither problem.
// IPC: {type:"open"}, {type:"error", stage, message}, and {type:"stats", ...} every statsMs;
// to the process: {type:"reopen"} when the interface came back from down (see link-watch.ts).
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface PcapWorkerConfig {
  /** Resolved path of the node-pcap package (the child has no module resolution context). */
  pcapPath: string;
  ifname: string;
  /** Frames with this source address are what Linux itself sent on the interface (a packet
   * socket sees those too): dropped here, before they cost a copy. null: keep them. */
  hostMac: number[] | null;
  bufferSize: number;
  snaplen: number;
  promiscuous: boolean;
  /** Bytes gathered before a write to fd 3 (a dispatch that finds more writes several). */
  batchBytes: number;
  statsMs: number;
}

export interface PcapWorkerStats {
  type: "stats";
  /** pcap_stats: received, dropped by the kernel buffer, dropped by the interface. */
  recv: number;
  drop: number;
  ifdrop: number;
  /** Frames pcap_inject refused. */
  txErrors: number;
}

export type PcapWorkerMessage =
  { type: "open" } | { type: "error"; stage: "load" | "open"; message: string } | PcapWorkerStats;

/** From the port: open the capture session again (the old one hears nothing after a link down). */
export type PcapWorkerCommand = { type: "reopen" };

/** Set by the board bundle (esbuild define): where its compiled capture entry lies. */
declare const NETRINO_PCAP_CAPTURE_JS: string | undefined;

/**
 * Node arguments that start the capture process (pcap-capture.ts). From source (tsx, vitest,
 * the host's bundle, whose import.meta names the sources) it runs through the tsx loader; the
 * board's bundle compiles it as an entry of its own and names it in NETRINO_PCAP_CAPTURE_JS.
 */
export function captureArgs(cfg: PcapWorkerConfig): string[] {
  const json = JSON.stringify(cfg);
  if (typeof NETRINO_PCAP_CAPTURE_JS === "string") return [NETRINO_PCAP_CAPTURE_JS, json];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
  return ["--import", tsx, fileURLToPath(new URL("./pcap-capture.ts", import.meta.url)), json];
}
