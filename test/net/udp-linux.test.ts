// UDP sockets against the real Linux stack: our programs (ctx.sockets, dgram) talk to socat in
// a namespace both ways; Linux sees our port unreachable; a Linux broadcast and a multicast
// send reach our sockets, leaving the group stops the multicast; tshark decodes our IGMP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Program, ProgramContext } from "../../firmware/program.ts";
import * as K from "../../firmware/net/socket/constants.ts";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { Signal } from "../helpers/wait.ts";
import { run } from "../unit/bin/harness.ts";
import { NetnsLab, nsExec, sh } from "./lib/netns.ts";
import type { VethPair } from "./lib/netns.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";
import { Runtime } from "../unit/netutil/runtime.ts";

const skip = requirement("UDP sockets against Linux", {
  "root and network namespaces": canUseNetns(),
  socat: hasCommand("socat"),
  ethtool: hasCommand("ethtool"),
  python3: hasCommand("python3"),
  tshark: hasCommand("tshark"),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

const OURS = "10.71.0.2";
const LINUX = "10.71.0.1";
const T = 60_000;
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const inet = (address: string, port: number) => ({ family: "inet" as const, address, port });

function prog(fn: (ctx: ProgramContext) => Promise<string>): Program {
  return {
    name: "udptest",
    usage: "",
    async main(ctx) {
      await ctx.stdout.write(await fn(ctx));
      return 0;
    },
  };
}

function mreq(group: string, iface: string): Uint8Array {
  const b = new Uint8Array(8);
  b.set(group.split(".").map(Number), 0);
  b.set(iface.split(".").map(Number), 4);
  return b;
}

describe.skipIf(skip)("UDP sockets with Linux as the peer", () => {
  const lab = new NetnsLab("i10s");
  let rt: Runtime;
  let ns: string;
  let veth: VethPair;

  beforeAll(async () => {
    ns = lab.namespace();
    veth = lab.veth(ns, `${LINUX}/24`);
    // veth leaves UDP checksums to "hardware" (offload): what devnp-pcap reads from the wire must
    // carry real checksums, as from a real NIC, so Linux computes them itself.
    sh("ip", ["netns", "exec", ns, "ethtool", "-K", veth.linux, "tx", "off"]);
    rt = await Runtime.boot();
    await rt.startIoPkt(["-d", "pcap", `if=${veth.ours}`]);
    await rt.ok(["ifconfig", "en0", `${OURS}/24`, "up"]);
  }, T);

  afterAll(async () => {
    await rt?.shutdown();
    lab.cleanup();
  }, T);

  const runProg = async (fn: (ctx: ProgramContext) => Promise<string>): Promise<string> => {
    const r = await run(rt.kernel, prog(fn), ["udptest"], { env: { PATH: "/bin" } });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  };

  it(
    "our program reaches a socat echo server on Linux",
    async () => {
      lab.background(ns, "socat", ["UDP4-RECVFROM:7001,fork", "EXEC:/bin/cat"]);
      const out = await runProg(async (ctx) => {
        const s = ctx.sockets;
        const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
        await s.setsockopt(fd, K.SOL_SOCKET, K.SO_RCVTIMEO, 200);
        // socat may not be listening yet: its port unreachable or silence means try again
        for (let i = 0; i < 50; i++) {
          await s.sendto(fd, "hello linux", inet(LINUX, 7001));
          try {
            const m = await s.recvfrom(fd);
            return `${text(m.data)} from ${m.from?.family === "inet" ? `${m.from.address}:${m.from.port}` : ""}`;
          } catch {
            // timed out (EAGAIN); ask again
          }
        }
        return "no answer";
      });
      expect(out).toBe(`hello linux from ${LINUX}:7001`);
    },
    T,
  );

  it(
    "Linux's socat reaches our echo program",
    async () => {
      let ready!: () => void;
      const bound = new Promise<void>((r) => (ready = r));
      const server = runProg(async (ctx) => {
        const s = ctx.sockets;
        const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
        await s.bind(fd, inet("0.0.0.0", 7002));
        ready();
        const m = await s.recvfrom(fd);
        await s.sendto(fd, `echo ${text(m.data)}`, m.from as never);
        return text(m.data);
      });
      await bound;
      const r = await nsExec(ns, "sh", ["-c", `echo from-linux | socat -T 5 - UDP4:${OURS}:7002`], T);
      expect(r.stdout).toBe("echo from-linux\n");
      expect(await server).toBe("from-linux\n");
    },
    T,
  );

  it(
    "Linux sees our port unreachable (Connection refused) and we count it",
    async () => {
      const r = await nsExec(
        ns,
        "python3",
        [
          "-c",
          `import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.connect(("${OURS}", 9999))
s.send(b"x")
try:
    s.recv(100)
    print("answered")
except ConnectionRefusedError as e:
    print("refused")
except socket.timeout:
    print("timeout")`,
        ],
        T,
      );
      expect(r.stdout.trim(), r.stderr).toBe("refused");
      expect(await rt.ok(["netstat", "-s", "-p", "udp"])).toMatch(/[1-9]\d* dropped due to no socket/);
    },
    T,
  );

  it(
    "a Linux broadcast reaches our socket",
    async () => {
      let ready!: () => void;
      const bound = new Promise<void>((r) => (ready = r));
      const rx = runProg(async (ctx) => {
        const s = ctx.sockets;
        const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
        await s.bind(fd, inet("0.0.0.0", 7003));
        ready();
        const m = await s.recvmsg(fd);
        return `${text(m.data)} to ${m.dstAddress}`;
      });
      await bound;
      await nsExec(ns, "sh", ["-c", `echo bcast | socat - UDP4-DATAGRAM:10.71.0.255:7003,broadcast`], T);
      expect(await rx).toBe("bcast\n to 10.71.0.255");
    },
    T,
  );

  it(
    "multicast: joining lets a Linux sender reach us, leaving stops it; tshark sees our IGMPv2 report, the answer to a general query and the Leave",
    async () => {
      // tshark prints "Capturing on" before its capture filter is live; a probe datagram it
      // must print first shows the capture really runs before anything is asserted on it.
      const cap = lab.background(ns, "tshark", [
        "-l",
        "-n",
        "-i",
        veth.linux,
        "-f",
        "igmp or udp port 7999",
        "-T",
        "fields",
        "-e",
        "igmp.type",
        "-e",
        "igmp.maddr",
        "-e",
        "udp.dstport",
      ]);
      let capOut = "";
      const captured = new Signal();
      cap.stdout?.on("data", (d: Buffer) => {
        capOut += d.toString();
        captured.notify();
      });
      const until = (what: () => boolean) =>
        captured.until(what, `tshark to print ${what.toString()}`, 20_000);
      await runProg(async (ctx) => {
        const s = ctx.sockets;
        const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
        for (let i = 0; i < 200 && !capOut.includes("7999"); i++) {
          await s.sendto(fd, "probe", inet(LINUX, 7999));
          await s.poll([{ fd, events: K.POLLIN }], 50);
        }
        return "";
      });
      expect(capOut).toContain("7999");
      const send = (msg: string) =>
        nsExec(
          ns,
          "sh",
          ["-c", `echo ${msg} | socat - UDP4-DATAGRAM:239.7.7.7:7004,ip-multicast-if=${LINUX}`],
          T,
        );
      let joined!: () => void;
      const isJoined = new Promise<void>((r) => (joined = r));
      let left!: () => void;
      const isLeft = new Promise<void>((r) => (left = r));
      let again!: () => void;
      const sentAgain = new Promise<void>((r) => (again = r));
      let queried!: () => void;
      const wasQueried = new Promise<void>((r) => (queried = r));
      const rx = runProg(async (ctx) => {
        const s = ctx.sockets;
        const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
        await s.bind(fd, inet("0.0.0.0", 7004));
        await s.setsockopt(fd, K.IPPROTO_IP, K.IP_ADD_MEMBERSHIP, mreq("239.7.7.7", OURS));
        joined();
        const m = await s.recvmsg(fd);
        await wasQueried;
        await s.setsockopt(fd, K.IPPROTO_IP, K.IP_DROP_MEMBERSHIP, mreq("239.7.7.7", OURS));
        left();
        await sentAgain;
        const after = await s.poll([{ fd, events: K.POLLIN }], 500);
        return `${text(m.data).trim()} to ${m.dstAddress}; after leaving: ${after[0]}`;
      });
      await isJoined;
      // the capture prints each IGMP message as "type\tgroup": 0x16 report, 0x17 leave
      const reports = () => capOut.match(/0x0*16\t239\.7\.7\.7/g)?.length ?? 0;
      await until(() => reports() >= 1);
      expect(reports(), capOut).toBeGreaterThanOrEqual(1);
      await send("group-hello");
      // A general query (IGMPv2, max response 1 s) from Linux: we answer with a report.
      const before = reports();
      const q = await nsExec(
        ns,
        "python3",
        [
          "-c",
          `import socket, struct
def csum(b):
    s = sum(struct.unpack("!4H", b))
    s = (s & 0xffff) + (s >> 16)
    return (~((s & 0xffff) + (s >> 16))) & 0xffff
q = struct.pack("!BBH4s", 0x11, 10, 0, bytes(4))
q = struct.pack("!BBH4s", 0x11, 10, csum(q), bytes(4))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("${LINUX}"))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
s.sendto(q, ("224.0.0.1", 0))
print("sent")`,
        ],
        T,
      );
      expect(q.stdout.trim(), q.stderr).toBe("sent");
      // Our join is reported twice unsolicited: wait for the query and a report after it.
      const queryAt = () => capOut.search(/0x0*11\t0\.0\.0\.0/);
      const answered = () =>
        queryAt() >= 0 && /0x0*16\t239\.7\.7\.7/.test(capOut.slice(queryAt())) && reports() > before;
      await until(answered);
      expect(reports(), capOut).toBeGreaterThan(before);
      expect(capOut).toMatch(/0x0*11\t0\.0\.0\.0/);
      queried();
      await isLeft;
      await send("too-late");
      again();
      expect(await rx).toBe("group-hello to 239.7.7.7; after leaving: 0");
      await until(() => /0x0*17\t239\.7\.7\.7/.test(capOut));
      cap.kill("SIGINT");
      expect(capOut).toMatch(/0x0*17\t239\.7\.7\.7/);
      expect(await rt.ok(["netstat", "-s", "-p", "igmp"])).toMatch(/1 membership query received/);
    },
    T,
  );
});
