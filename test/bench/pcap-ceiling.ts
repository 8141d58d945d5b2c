// The raw node-pcap receive ceiling on a veth pair (needs root and the `pcap` package):
// a child process injects frames into one end as fast as it can; this process counts what
// PcapPort hands over on the other end. Baseline in the same run: the sender's inject rate.
// Prints one JSON line.
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { PcapPort } from "../../hal/eth/pcap-port.ts";
import { uniqueName } from "../helpers/requirements.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

const SENDER = `
const pcap = require(process.argv[1]);
const [ifname, size, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const s = pcap.createSession(ifname, { buffer_timeout: 0, snap_length: 64, filter: "ether proto 0x0000" });
const f = Buffer.alloc(size);
f.fill(0xff, 0, 6); f.writeUInt32BE(0x024e0000, 6); f.writeUInt16BE(0x88b5, 12);
let sent = 0; let start = 0; let end = 0;
const burst = () => {
  for (let i = 0; i < 2000; i++) { try { s.inject(f); sent++; } catch { break; } }
  if (Date.now() < end) setImmediate(burst);
  else { process.stdout.write(sent + " " + (Date.now() - start)); s.close(); process.exit(0); }
};
setTimeout(() => { start = Date.now(); end = start + seconds * 1000; burst(); }, 300);
`;

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
}

/** rx: frames/s handed over by PcapPort; tx: frames/s the sender injected; got: delivered share. */
async function measure(
  rxIf: string,
  txIf: string,
  size: number,
): Promise<{ rx: number; tx: number; got: number }> {
  const port = PcapPort.open(rxIf, { dropHostOutgoing: false, linkPollMs: 0 });
  let count = 0;
  port.onFrame((f, len) => {
    if (len === size && f[12] === 0x88 && f[13] === 0xb5) count++;
  });
  const pcapPath = createRequire(import.meta.url).resolve("pcap");
  const child = spawn(process.execPath, ["-e", SENDER, pcapPath, txIf, String(size), String(SECONDS)]);
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once("exit", r));
  await new Promise((r) => setTimeout(r, 200)); // let the last frames drain
  port.close();
  const [sent, ms] = out.split(" ").map(Number) as [number, number];
  if (!(sent > 0 && ms > 0)) throw new Error(`sender failed: ${out}`);
  return { rx: Math.round((count * 1000) / ms), tx: Math.round((sent * 1000) / ms), got: count / sent };
}

const a = uniqueName("pca");
const b = uniqueName("pcb");
sh("ip", ["link", "add", a, "type", "veth", "peer", "name", b]);
try {
  for (const i of [a, b]) {
    spawnSync("sysctl", ["-qw", `net.ipv6.conf.${i}.disable_ipv6=1`]);
    sh("ip", ["link", "set", i, "up"]);
  }
  const small = await measure(a, b, 64);
  const large = await measure(a, b, 1514);
  process.stdout.write(
    JSON.stringify({
      bench: "pcap-ceiling",
      seconds: SECONDS,
      raw_pps_64: small.rx,
      inject_pps_64: small.tx,
      ratio_64: +small.got.toFixed(3),
      raw_pps_1514: large.rx,
      inject_pps_1514: large.tx,
      ratio_1514: +large.got.toFixed(3),
    }) + "\n",
  );
} finally {
  spawnSync("ip", ["link", "del", a]);
}
