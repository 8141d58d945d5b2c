// Our Qnet frames, written with the stack's pcap writer, decoded by tshark's qnet6 dissector (an
// independent judge): every kind we send is recognised as the right sub-protocol and message,
// nothing is malformed, and every frame sent with the CRC flag has a CRC tshark calls correct.
// Needs: tshark (Debian package tshark).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { QnetAuth } from "../../firmware/net/qnet/auth.ts";
import { L4, L4_FLAG_CRC } from "../../firmware/net/qnet/l4-header.ts";
import { PcapWriter } from "../../firmware/net/stack/pcap-file.ts";
import { hasCommand, requirement } from "../helpers/requirements.ts";
import { settle } from "../helpers/wait.ts";
import * as F from "../unit/qnet/frames.ts";
import { Runtime } from "../unit/netutil/runtime.ts";

const skip = requirement("qnet frames in tshark", { tshark: hasCommand("tshark") });

const dir = mkdtempSync(join(tmpdir(), "netrino-qnet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tshark(file: string, args: string[]): string {
  const r = spawnSync("tshark", ["-r", file, ...args], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe.skipIf(skip)("qnet frames decode in tshark as qnet6", () => {
  // [frame, protocol column, L4 type, Info]
  const cases: [Uint8Array, string, string, string][] = [
    [F.lrRequest(), "QNET_LR", "0x0b", 'Who is "bravo.lab"? Tell "alpha.lab"@02:00:00:00:00:01'],
    [F.lrReply(), "QNET_LR", "0x0b", 'To "alpha.lab", "bravo.lab" is at 02:00:00:00:00:02'],
    [F.lrAnnounce(), "QNET_LR", "0x0b", 'To ".", "bravo.lab" is at 02:00:00:00:00:02'],
    [F.tcsInit(), "QNET_QOS", "0x01", "Qos TCS_INIT Message"],
    [F.session(L4.TCS_REM_UP), "QNET_QOS", "0x02", "Qos TCS_REM_UP Message"],
    [F.session(L4.TCS_UP), "QNET_QOS", "0x03", "Qos TCS_UP Message"],
    [F.session(L4.TCS_DOWN), "QNET_QOS", "0x04", "Qos TCS_DOWN Message"],
    [F.msgSend(), "QNET_KIF", "0x08", "MsgSend _IO_READ"],
    [F.msgSend(true, Uint8Array.of(0, 0, 1, 2, 3, 4, 5, 6)), "QNET_KIF", "0x08", "MsgSend"],
    [F.connect(), "QNET_KIF", "0x08", "Connect"],
    [F.connectSuccess(), "QNET_KIF", "0x08", "Connect Success"],
    [F.pulse(), "QNET_KIF", "0x08", "Pulse"],
    [F.msgReply(Uint8Array.of(1, 2, 3)), "QNET_KIF", "0x08", "MsgReply"],
    [F.ack(1), "QNET_LWL4", "0x09", "Ack"],
    [F.session(L4.NACK), "QNET_LWL4", "0x0a", "Nack"],
    ...F.fragments().map((f, i, all): [Uint8Array, string, string, string] =>
      i === 0
        ? [f, "QNET_KIF", "0x08", "First fragmented MsgSend"]
        : [
            f,
            "QNET_LWL4",
            "0x08",
            i === all.length - 1 ? "Last Fragmented LWL4 Data packet" : "Fragmented LWL4 Data packet",
          ],
    ),
  ];
  const file = join(dir, "qnet.pcap");
  const w = new PcapWriter();
  cases.forEach(([f], i) => w.add(1_000 + i, f));
  writeFileSync(file, w.bytes());

  it("every frame is the right qnet6 sub-protocol and message", () => {
    const rows = tshark(file, [
      "-T",
      "fields",
      "-e",
      "frame.protocols",
      "-e",
      "_ws.col.Protocol",
      "-e",
      "qnet6.l4.type",
      "-e",
      "_ws.col.Info",
    ])
      .trimEnd()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(rows).toEqual(cases.map(([, proto, type, info]) => ["eth:ethertype:lwl4", proto, type, info]));
  });

  it("no frame is malformed", () => {
    expect(tshark(file, ["-Y", "_ws.malformed"]).trim()).toBe("");
  });

  // auth= puts a 24-byte trailer after the L4 payload, outside its `length`: the dissector
  // decodes the frame as before (the trailer reads as Ethernet padding) and the CRC, which
  // covers the header and `length` payload bytes, stays correct.
  const authFile = join(dir, "qnet-auth.pcap");
  const aw = new PcapWriter();
  const auth = new QnetAuth(new TextEncoder().encode("a pre-shared key of 32 bytes....."), 1_780_000_000_000);
  const authCases = cases.map(([f, ...rest]): [Uint8Array, string, string, string] => [
    auth.seal(f),
    ...rest,
  ]);
  authCases.forEach(([f], i) => aw.add(1_000 + i, f));
  writeFileSync(authFile, aw.bytes());

  it("authenticated frames (auth=) decode the same, none malformed, CRCs still correct", () => {
    const fields = ["frame.protocols", "_ws.col.Protocol", "qnet6.l4.type", "_ws.col.Info"];
    const args = ["-T", "fields", ...fields.flatMap((e) => ["-e", e])];
    expect(tshark(authFile, args)).toBe(tshark(file, args));
    expect(tshark(authFile, ["-Y", "_ws.malformed"]).trim()).toBe("");
    const crcs = (f: string) => tshark(f, ["-V"]).match(/crc32:0x[0-9a-f]+ \[[^\]]*\]/g) ?? [];
    expect(crcs(authFile)).toEqual(crcs(file));
  });

  it("every frame sent with the CRC flag (do_crc=1) carries the CRC tshark computes", () => {
    const crcs = tshark(file, ["-V"]).match(/crc32:0x[0-9a-f]+ \[[^\]]*\]/g) ?? [];
    const whole = cases.filter(([f]) => (f[18] & 0x03) === 0x03);
    expect(crcs).toHaveLength(whole.length);
    // The reference examples store a CRC with the flag clear; both must be what tshark computes.
    const sealed = (f: Uint8Array) => f[18] & L4_FLAG_CRC || f.subarray(48, 52).some((b) => b !== 0);
    whole.forEach(([f], i) => {
      if (sealed(f)) expect(crcs[i]).toMatch(/\[correct\]$/);
    });
    expect(whole.filter(([f]) => sealed(f)).length).toBe(10);
  });
});

describe.skipIf(skip)("live Qnet traffic between two runtimes decodes in tshark as qnet6", () => {
  const port = 48000 + (process.pid % 1000);
  let n1: Runtime;
  let n2: Runtime;
  afterAll(async () => {
    await n1?.shutdown();
    await n2?.shutdown();
  });

  it("resolver, connection setup, kernel-interface data and acks, none malformed", async () => {
    n1 = await Runtime.boot("alpha");
    n2 = await Runtime.boot("bravo");
    for (const n of [n1, n2]) {
      await n.startIoPkt(["-d", "vwire", `udp=127.0.0.1:${port}`, "-p", "qnet", "do_crc=1"]);
      await n.ok(["ifconfig", "en0", "up"]);
    }
    const capture = n1.sh(["tcpdump", "-i", "en0", "-c", "40", "-w", "/tmp/q.pcap"]);
    await settle(async () => (await n1.ok(["ls", "/net"])).includes("bravo"), "bravo in alpha's /net");
    // Directory listings and a copy of /dev/io-pkt's text files: every message kind flows.
    for (let i = 0; i < 10; i++) await n1.ok(["ls", "-l", "/net/bravo/dev"]);
    expect((await capture).status).toBe(0);
    const file = join(dir, "live.pcap");
    writeFileSync(file, await n1.readFile("/tmp/q.pcap"));
    const protos = tshark(file, ["-T", "fields", "-e", "_ws.col.Protocol"]).trimEnd().split("\n");
    expect(protos).toHaveLength(40);
    expect(new Set(protos)).toEqual(new Set(["QNET_LR", "QNET_QOS", "QNET_KIF", "QNET_LWL4"]));
    const info = tshark(file, ["-T", "fields", "-e", "_ws.col.Info"]);
    for (const kind of ["Connect", "Connect Success", "MsgSend", "MsgReply", "Ack", "TCS_INIT"])
      expect(info).toContain(kind);
    expect(tshark(file, ["-Y", "_ws.malformed"]).trim()).toBe("");
    const crcs = tshark(file, ["-V"]).match(/crc32:0x[0-9a-f]+ \[[^\]]*\]/g) ?? [];
    // do_crc=1 seals the L4 data and acks; resolver and session frames go without (field 0).
    expect(crcs.filter((c) => c.endsWith("[correct]")).length).toBeGreaterThan(10);
    for (const c of crcs) if (!c.endsWith("[correct]")) expect(c).toMatch(/^crc32:0x0 /);
  }, 60_000);
});
