// resolve=file's table: QNX's `name[.domain] addr[,addr]` lines, MACs and IPv4 addresses,
// comments, bad lines reported by number and skipped; and a fuzz of mutated files (no throw,
// every entry well formed).
import { describe, expect, it } from "vitest";
import { findQnetHost, parseQnetHosts } from "../../../firmware/net/qnet/hosts-file.ts";

const TEXT = `# Qnet nodes
bravo.lab   02:00:00:00:00:02,02:00:00:01:00:02
charlie     02:00:00:00:00:03   # same domain as ours
delta.lab   10.1.0.4
bad line with too many words
echo.lab    02:00:00:00:00
foxtrot.lab 300.1.2.3
`;

describe("qnet hosts file (resolve=file)", () => {
  it("parses names, domains, MACs and IPv4 addresses, and reports bad lines", () => {
    const h = parseQnetHosts(TEXT);
    expect(h.entries).toEqual([
      {
        name: "bravo",
        domain: "lab",
        addrs: [
          { kind: "mac", mac: 0x02_00_00_00_00_02 },
          { kind: "mac", mac: 0x02_00_00_01_00_02 },
        ],
      },
      { name: "charlie", domain: "", addrs: [{ kind: "mac", mac: 0x02_00_00_00_00_03 }] },
      { name: "delta", domain: "lab", addrs: [{ kind: "ipv4", ip: 0x0a_01_00_04 }] },
    ]);
    expect(h.errors).toEqual([
      'line 5: expected "name[.domain] address[,address...]", got "bad line with too many words"',
      'line 6: "02:00:00:00:00" is neither a MAC (xx:xx:xx:xx:xx:xx) nor an IPv4 address',
      'line 7: "300.1.2.3" is neither a MAC (xx:xx:xx:xx:xx:xx) nor an IPv4 address',
    ]);
  });

  it("finds a node by name and domain; a bare name is in our domain", () => {
    const h = parseQnetHosts(TEXT);
    expect(findQnetHost(h, "bravo", "lab", "lab")?.addrs).toHaveLength(2);
    expect(findQnetHost(h, "bravo", "other", "lab")).toBeUndefined();
    expect(findQnetHost(h, "charlie", "lab", "lab")?.name).toBe("charlie");
    expect(findQnetHost(h, "charlie", "lab", "elsewhere")).toBeUndefined();
    expect(findQnetHost(h, "zulu", "lab", "lab")).toBeUndefined();
  });

  it("fuzz: mutated files never throw and yield only well-formed entries", () => {
    let x = 0x1234_5678;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 0x1_0000_0000;
    };
    const alphabet = "abc.:,# \n0123456789f/~\t";
    for (let i = 0; i < 20_000; i++) {
      const chars = [...TEXT];
      for (let k = 0, n = 1 + Math.floor(next() * 8); k < n; k++) {
        const at = Math.floor(next() * chars.length);
        const c = alphabet[Math.floor(next() * alphabet.length)];
        if (next() < 0.5) chars[at] = c;
        else chars.splice(at, next() < 0.5 ? 1 : 0, c);
      }
      const h = parseQnetHosts(chars.join(""));
      for (const e of h.entries) {
        expect(e.name).toMatch(/^[^/.~,\s]+$/);
        expect(e.addrs.length).toBeGreaterThan(0);
        for (const a of e.addrs)
          if (a.kind === "mac") expect(a.mac).toBeLessThanOrEqual(0xffff_ffff_ffff);
          else expect(a.ip >>> 0).toBe(a.ip);
      }
    }
  });
});
