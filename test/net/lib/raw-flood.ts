// A Linux raw-socket flooder: python3 with an AF_PACKET socket sends one prebuilt ICMP echo
// request frame as fast as it can on an interface inside a namespace, for a fixed time, then
// prints "<frames sent> <seconds>". Linux's own ping -f waits for replies; this does not.
// It prints "started" after its first batch, so a caller waits for the flood to be on the
// wire instead of sleeping.
import { NetnsLab } from "./netns.ts";

const SENDER = String.raw`
import socket, struct, sys, time
ifname, dst_mac, src_mac, src_ip, dst_ip, seconds = sys.argv[1:7]
seconds = float(seconds)
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return (~s) & 0xffff
payload = bytes(range(56))
icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4e55, 1) + payload
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1, 0,
                 socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
frame = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + b"\x08\x00" + ip + icmp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
sent = 0
start = time.time(); end = start + seconds
first = True
while time.time() < end:
    for _ in range(256):
        try:
            s.send(frame); sent += 1
        except OSError:
            pass
    if first:
        print("started", flush=True); first = False
print(sent, time.time() - start, flush=True)
`;

export interface FloodResult {
  sent: number;
  seconds: number;
}

export interface Flood {
  /** Resolves once the first batch is on the wire. */
  started: Promise<void>;
  /** Resolves with what was sent, when the sender has finished. */
  done: Promise<FloodResult>;
}

/** Floods `dstMac`/`dstIp` from `ifname` in `ns` for `seconds`. */
export function rawFlood(
  lab: NetnsLab,
  ns: string,
  ifname: string,
  frame: { dstMac: string; srcMac: string; srcIp: string; dstIp: string },
  seconds: number,
): Flood {
  const child = lab.background(ns, "python3", [
    "-c",
    SENDER,
    ifname,
    frame.dstMac,
    frame.srcMac,
    frame.srcIp,
    frame.dstIp,
    String(seconds),
  ]);
  let out = "";
  let err = "";
  let onStart: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (onStart = resolve));
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.startsWith("started\n")) onStart();
  });
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<FloodResult>((resolve, reject) => {
    child.on("close", () => {
      const [sent, secs] = out
        .replace(/^started\n/, "")
        .trim()
        .split(/\s+/)
        .map(Number);
      if (!(sent > 0 && secs > 0)) reject(new Error(`flood sender failed: ${out}${err}`));
      else resolve({ sent, seconds: secs });
    });
  });
  // A sender that fails before its first batch must not leave `started` waiting forever.
  return { started: Promise.race([started, done.then(() => undefined)]), done };
}
