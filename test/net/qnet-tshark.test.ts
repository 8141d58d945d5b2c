// Our Qnet frames, written with the stack's pcap writer, decoded by tshark's qnet6 dissector (an
// independent judge): every kind we send is recognised as the right sub-protocol and message,
// nothing is malformed, and every frame sent with the CRC flag has a CRC tshark calls correct.
// Needs: tshark (Debian package tshark).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { L4, L4_FLAG_CRC } from "../../firmware/net/qnet/l4-header.ts";
import { PcapWriter } from "../../firmware/net/stack/pcap-file.ts";
import { hasCommand, requirement } from "../helpers/requirements.ts";
import * as F from "../unit/qnet/frames.ts";

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
