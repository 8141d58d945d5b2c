// Node names and descriptors: names from the host name, nds local to the table, strtond and
// ndtostr with QoS suffixes and flags, and clear errors.
import { describe, expect, it } from "vitest";
import { QOS } from "../../../firmware/net/qnet/l4-header.ts";
import { ND2S, ndNodeCmp, NodeTable, qnetNodeName } from "../../../firmware/net/qnet/node-table.ts";
import { ALPHA, BRAVO } from "./frames.ts";

function table() {
  const t = new NodeTable("alpha", "lab", ["en0", "en1"]);
  t.learn("bravo", "lab", "en0", BRAVO, 0);
  t.learn("charlie", "far", "en1", 0x020000000003, 0);
  return t;
}

describe("qnet names", () => {
  it("the node name comes from the host name; localhost is named after the MAC", () => {
    expect(qnetNodeName("node2.lab.example", ALPHA)).toBe("node2");
    expect(qnetNodeName("localhost", ALPHA)).toBe("020000000001");
    expect(qnetNodeName("", ALPHA)).toBe("020000000001");
  });

  it("nds are allocated smallest-free, reused after rmdir, and local to the table", () => {
    const t = table();
    expect(t.nodes().map((n) => [n.nd, n.name])).toEqual([
      [1, "bravo"],
      [2, "charlie"],
    ]);
    expect(t.learn("bravo", "lab", "en1", BRAVO, 5).nd).toBe(1); // a second link, same node
    expect(t.forget(1)).toBe(true);
    expect(t.learn("delta", "lab", "en0", 0x020000000004, 6).nd).toBe(1);
  });

  it.each([
    ["bravo", 1],
    ["bravo.lab", 1],
    ["/net/bravo/dev/ser1", 1],
    ["charlie.far", 2],
    ["alpha", 0],
    ["alpha.lab", 0],
    ["bravo~loadbalance", 1],
    ["bravo~exclusive:en1", 1 | (QOS.EXCLUSIVE << 16) | (1 << 18)],
    ["/net/bravo~preferred:en0/dev", 1 | (QOS.PREFERRED << 16)],
  ])("strtond(%s) = %i", (s, nd) => {
    expect(table().strtond(s)).toBe(nd);
    expect(ndNodeCmp(table().strtond(s), nd & 0xffff)).toBe(true);
  });

  it.each([
    ["charlie", /ENOENT|no node "charlie"/],
    ["/dev/ser1", /is not under \/net/],
    ["bravo~fastest", /unknown QoS policy "~fastest"/],
    ["bravo~exclusive", /needs a link/],
    ["bravo~exclusive:en7", /link "en7" .* is not bound/],
  ])("strtond(%s) fails clearly", (s, msg) => {
    expect(() => table().strtond(s)).toThrow(msg);
  });

  it.each([
    [0, 1, "bravo.lab"],
    [ND2S.DIR_SHOW, 1, "/net/bravo"],
    [ND2S.DIR_SHOW, 2, "/net/charlie.far"],
    [ND2S.DOMAIN_HIDE, 2, "charlie"],
    [ND2S.NAME_HIDE, 1, "lab"],
    [0, 1 | (QOS.EXCLUSIVE << 16) | (1 << 18), "bravo.lab~exclusive:en1"],
    [ND2S.QOS_HIDE, 1 | (QOS.EXCLUSIVE << 16), "bravo.lab"],
    [ND2S.QOS_SHOW, 1, "bravo.lab~loadbalance"],
    [0, 0, "alpha.lab"],
    [ND2S.LOCAL_STR, 0, ""],
  ])("ndtostr(%i, %i) = %s", (flags, nd, s) => {
    expect(table().ndtostr(flags, nd)).toBe(s);
  });

  it("an unknown nd and a bad node name are refused", () => {
    expect(() => table().ndtostr(0, 9)).toThrow(/nd 9 is not in the node table/);
    expect(() => new NodeTable("a.b", "lab", [])).toThrow(/may not be empty or contain/);
  });
});
