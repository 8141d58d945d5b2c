// `npm run bench -- tcp`: our TCP over a veth through pcap against Linux, one JSON line.
// rx_mbps: our engine downloads from Python's http.server; tx_mbps: curl downloads from a
// server on our engine; raw_1514_mbps: 1514-byte frames a raw socket injects that PcapPort
// hands over (the same-run ceiling the TCP figures are ratios against); ours_rr_*: 1-byte
// request/response round trips from a Linux client to an echo server on our TCP; linux_rr_*:
// the same client against a Linux echo server over a Linux-only veth (baseline);
// accepts_per_s: sequential connect/close from Linux to our listener; flood_*: the same connects
// and curl's download again while a raw-socket SYN flood (random on-link sources) hits the
// accepting listener, with the flood's rate and what the stack dropped for want of buffers
// (flood_nobufs). Needs root and `pcap`.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SystemClock } from "../../firmware/kernel/clock.ts";
import { Stack } from "../../firmware/net/stack/stack.ts";
import { TE_EOF, TE_ERROR, TE_READABLE, TE_WRITABLE, type Tcb } from "../../firmware/net/tcp/tcb.ts";
import { tcpClose, tcpRead, tcpSend, tcpSetOption, TCP_NODELAY } from "../../firmware/net/tcp/usrreq.ts";
import { parseIpv4 } from "../../firmware/net/wire/ipv4-addr.ts";
import { PcapPort } from "../../hal/eth/pcap-port.ts";
import { NetnsLab, nsExec, sh } from "../net/lib/netns.ts";
import { synFlood } from "../net/lib/syn-flood.ts";

const OURS = "10.65.0.2";
const LINUX = "10.65.0.1";
const SIZE = Number(process.env.BENCH_MIB ?? 50) << 20;
const RR = Number(process.env.BENCH_RR ?? 2000);
/** PROF=prefix writes CPU profiles of the tx and rx transfers to prefix-tx/-rx.cpuprofile. */
const PROF = process.env.PROF;
const inspector = new Session();

/** CPU time this process has used, in µs (user and system: pcap's copies are system time). */
function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Starts the CPU profiler when PROF is set (a profiling aid, off by default). */
async function profStart(): Promise<void> {
  if (!PROF) return;
  await inspector.post("Profiler.enable");
  await inspector.post("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.post("Profiler.start");
}

/** Writes what the profiler saw since profStart to PROF-<name>.cpuprofile. */
async function profStop(name: string): Promise<void> {
  if (!PROF) return;
  const { profile } = await inspector.post("Profiler.stop");
  writeFileSync(`${PROF}-${name}.cpuprofile`, JSON.stringify(profile));
}

const RR_CLIENT = String.raw`
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection((host, port)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
t = []
for i in range(n):
    a = time.perf_counter(); s.sendall(b"x"); s.recv(1); t.append((time.perf_counter() - a) * 1e6)
t.sort(); print(round(t[len(t)//2]), round(t[int(len(t)*0.99)]))
`;
const ECHO_SERVER = String.raw`
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
while True:
    c, _ = s.accept(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        d = c.recv(65536)
        if not d: break
        c.sendall(d)
    c.close()
`;
const ACCEPTS = String.raw`
import socket, sys, time
host, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
n = 0; end = time.time() + secs; a = time.time()
while time.time() < end:
    s = socket.create_connection((host, port)); s.close(); n += 1
print(round(n / (time.time() - a)))
`;
const RAW = String.raw`
import socket, sys, time
ifname, dst, src, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
f = bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", "")) + b"\x88\xb5" + bytes(1500)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((ifname, 0))
end = time.time() + secs
while time.time() < end:
    for _ in range(256):
        try: s.send(f)
        except OSError: pass
`;

if (PROF) inspector.connect();
const lab = new NetnsLab("tb");
const dir = mkdtempSync(join(tmpdir(), "netrino-tcpbench-"));
try {
  const ns = lab.namespace();
  const v = lab.veth(ns, `${LINUX}/24`);
  sh(
    "ip",
    ["netns", "exec", ns, "ethtool", "-K", v.linux, "tx", "off", "tso", "off", "gso", "off", "gro", "off"],
    {
      check: false,
    },
  );
  const port = PcapPort.open(v.ours);
  const stack = new Stack({ clock: new SystemClock(), log: () => {} });
  const mac = "02:00:00:65:00:02";
  const ifp = stack.attach({ name: "en0", mac, mtu: 1500, output: (f, len) => port.send(f, len) });
  let rawFrames = 0;
  port.onFrame((f, len) => {
    if (len === 1514 && f[12] === 0x88 && f[13] === 0xb5) rawFrames++;
    else stack.input(ifp, f, len);
  });
  stack.addAddress(ifp, parseIpv4(OURS)!, 24);
  const data = new Uint8Array(SIZE).map((_, i) => (i * 13) & 0xff);
  const sum = createHash("sha256").update(data).digest("hex");
  writeFileSync(join(dir, "f"), data);
  const eng = stack.tcp.engine;

  // Servers on our TCP: HTTP (whole file to anyone), echo (port 7), accept-and-close (9).
  const header = new TextEncoder().encode(
    `HTTP/1.1 200 OK\r\nContent-Length: ${SIZE}\r\nConnection: close\r\n\r\n`,
  );
  const http = eng.listen(0, 8080, 64);
  const req = new Uint8Array(4096);
  http.onConnection = () => {
    let sent = -header.length;
    const pump = (t: Tcb) => {
      while (sent < 0) {
        const n = tcpSend(t, header, header.length + sent, -sent);
        if (n <= 0) return;
        sent += n;
      }
      while (sent < SIZE) {
        const n = tcpSend(t, data, sent, SIZE - sent);
        if (n <= 0) return;
        sent += n;
      }
      if (!t.finQueued) tcpClose(t);
    };
    const t = eng.accept(http, (tt, ev) => {
      if (ev === TE_READABLE) tcpRead(tt, req, 0, req.length);
      if (ev === TE_WRITABLE || ev === TE_READABLE) pump(tt);
    });
    if (t !== null) pump(t);
  };
  const echo = eng.listen(0, 7, 16);
  echo.onConnection = () => {
    const t = eng.accept(echo, (tt, ev) => {
      const n = tcpRead(tt, req, 0, req.length);
      if (n > 0) tcpSend(tt, req, 0, n);
      if (ev === TE_EOF) tcpClose(tt);
    });
    if (t !== null) tcpSetOption(t, TCP_NODELAY, 1);
  };
  const sink = eng.listen(0, 9, 128);
  sink.onConnection = () => {
    eng.accept(sink, (tt, ev) => {
      if (ev === TE_EOF) tcpClose(tt);
    });
  };

  // tx: curl downloads from us.
  await profStart();
  let t0 = performance.now();
  let c0 = cpuUs();
  const tx = await nsExec(ns, "sh", ["-c", `curl -sS http://${OURS}:8080/ | sha256sum`], 300_000);
  const txMs = performance.now() - t0;
  const txCpu = cpuUs() - c0;
  const txRexmits = eng.stats.sndrexmitpack;
  const txErrors = port.stats().txErrors;
  await profStop("tx");
  if (!tx.stdout.startsWith(sum)) throw new Error(`tx transfer corrupt: ${tx.stdout}${tx.stderr}`);

  // rx: we download from Python's http.server.
  lab.background(ns, "python3", ["-m", "http.server", "8000", "--bind", LINUX, "--directory", dir]);
  await new Promise((r) => setTimeout(r, 1500));
  const hash = createHash("sha256");
  let body = 0;
  await profStart();
  t0 = performance.now();
  c0 = cpuUs();
  const acks0 = eng.stats.sndacks;
  await new Promise<void>((resolve) => {
    const buf = new Uint8Array(1 << 20);
    let headDone = false;
    let head = "";
    // http.server may not listen yet on a loaded machine: a refused connect is retried.
    let lport = 50_000;
    const attempt = (): void => {
      const c = eng.connect(parseIpv4(OURS)!, lport++, parseIpv4(LINUX)!, 8000, (t, ev) => {
        if (ev === TE_ERROR) {
          setTimeout(attempt, 300);
          return;
        }
        for (;;) {
          const n = tcpRead(t, buf, 0, buf.length);
          if (n === 0) break;
          let off = 0;
          if (!headDone) {
            head += Buffer.from(buf.subarray(0, n)).toString("latin1");
            const end = head.indexOf("\r\n\r\n");
            if (end < 0) continue;
            headDone = true;
            off = n - (head.length - end - 4);
          }
          hash.update(buf.subarray(off, n));
          body += n - off;
        }
        if (ev === TE_EOF) {
          tcpClose(t);
          resolve();
        }
      });
      const get = new TextEncoder().encode("GET /f HTTP/1.0\r\n\r\n");
      tcpSend(c, get, 0, get.length);
    };
    attempt();
  });
  const rxMs = performance.now() - t0;
  const rxCpu = cpuUs() - c0;
  const rxAcks = eng.stats.sndacks - acks0;
  await profStop("rx");
  if (body !== SIZE || hash.digest("hex") !== sum) throw new Error(`rx transfer corrupt (${body} bytes)`);

  // Request/response: ours, then Linux-to-Linux as the baseline.
  const ours = (await nsExec(ns, "python3", ["-c", RR_CLIENT, OURS, "7", String(RR)])).stdout
    .trim()
    .split(" ");
  const nsA = lab.namespace();
  const nsB = lab.namespace();
  lab.vethBetween(nsA, "10.66.0.1/24", nsB, "10.66.0.2/24");
  lab.background(nsB, "python3", ["-c", ECHO_SERVER, "10.66.0.2", "7"]);
  await new Promise((r) => setTimeout(r, 800));
  const linux = (await nsExec(nsA, "python3", ["-c", RR_CLIENT, "10.66.0.2", "7", String(RR)])).stdout
    .trim()
    .split(" ");

  // Accepts per second.
  const accepts = Number((await nsExec(ns, "python3", ["-c", ACCEPTS, OURS, "9", "2"])).stdout.trim());

  // The same connects, then the same download, under a SYN flood at the accepting listener.
  const nobufs0 = stack.stats.ether.nobufs;
  const rexmits0 = eng.stats.sndrexmitpack;
  const txErrors0 = port.stats().txErrors;
  const flood = synFlood(
    lab,
    ns,
    v.linux,
    { dstMac: mac, srcMac: v.linuxMac, net24: "10.65.0", dstIp: OURS, dport: 9 },
    3 + (txMs / 1000) * 3,
  );
  await new Promise((r) => setTimeout(r, 300));
  const floodAccepts = Number((await nsExec(ns, "python3", ["-c", ACCEPTS, OURS, "9", "2"])).stdout.trim());
  t0 = performance.now();
  const ftx = await nsExec(ns, "sh", ["-c", `curl -sS http://${OURS}:8080/ | sha256sum`], 300_000);
  const floodTxMs = performance.now() - t0;
  if (!ftx.stdout.startsWith(sum))
    throw new Error(`tx transfer under flood corrupt: ${ftx.stdout}${ftx.stderr}`);
  const flooded = await flood;
  const floodNobufs = stack.stats.ether.nobufs - nobufs0;
  const floodRexmits = eng.stats.sndrexmitpack - rexmits0;
  const floodTxErrors = port.stats().txErrors - txErrors0;
  const floodSyncache = eng.syncache.count;

  // The raw 1514-byte frame ceiling of this pcap port, same run.
  rawFrames = 0;
  t0 = performance.now();
  c0 = cpuUs();
  await nsExec(ns, "python3", ["-c", RAW, v.linux, mac, v.linuxMac, "2"]);
  await new Promise((r) => setTimeout(r, 200));
  const rawMs = performance.now() - t0;
  const rawCpu = cpuUs() - c0;

  const mbps = (bytes: number, ms: number) => Number(((bytes * 8) / (ms * 1000)).toFixed(1));
  const out = {
    bench: "tcp",
    bytes: SIZE,
    rx_mbps: mbps(SIZE, rxMs),
    tx_mbps: mbps(SIZE, txMs),
    raw_1514_mbps: mbps(rawFrames * 1514, rawMs),
    // CPU µs this process spent per 1460 bytes moved (rx, tx) and per raw frame handed over:
    // the load-independent side of the ratios on a shared machine.
    rx_cpu_us_seg: +(rxCpu / (SIZE / 1460)).toFixed(2),
    // Pure ACKs we sent while downloading, per 1460 bytes received.
    rx_acks_per_seg: +(rxAcks / (SIZE / 1460)).toFixed(3),
    tx_cpu_us_seg: +(txCpu / (SIZE / 1460)).toFixed(2),
    raw_cpu_us_frame: +(rawCpu / Math.max(1, rawFrames)).toFixed(2),
    ours_rr_p50_us: Number(ours[0]),
    ours_rr_p99_us: Number(ours[1]),
    linux_rr_p50_us: Number(linux[0]),
    linux_rr_p99_us: Number(linux[1]),
    accepts_per_s: accepts,
    flood_syn_pps: Math.round(flooded.sent / flooded.seconds),
    flood_accepts_per_s: floodAccepts,
    flood_tx_mbps: mbps(SIZE, floodTxMs),
    flood_nobufs: floodNobufs,
    flood_syncache: floodSyncache,
    flood_rexmits: floodRexmits,
    flood_tx_errors: floodTxErrors,
    // Segments we retransmitted, and frames the pcap port could not inject, while curl
    // downloaded 50 MiB (the tx figure), and over the whole run.
    tx_rexmits: txRexmits,
    tx_errors: txErrors,
    rexmits: eng.stats.sndrexmitpack,
    badsum: eng.stats.rcvbadsum,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  port.close();
  stack.stop();
} finally {
  lab.cleanup();
  rmSync(dir, { recursive: true, force: true });
}
