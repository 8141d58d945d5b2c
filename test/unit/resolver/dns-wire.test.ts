import { describe, expect, it } from "vitest";
import {
  DNS_TYPE_A,
  DNS_TYPE_CNAME,
  DnsFormatError,
  answerAddresses,
  buildDnsQuery,
  parseDnsMessage,
} from "../../../firmware/net/wire/dns.ts";
import { candidates, parseResolvConf } from "../../../firmware/net/resolver.ts";
import { fuzzIterations, fuzzParser } from "../../helpers/fuzz.ts";
import { dnsResponse } from "./dns-server.ts";

describe("DNS messages", () => {
  it("builds a query Linux's resolver would send", () => {
    const q = buildDnsQuery(0x1234, "node2.lan");
    expect([...q]).toEqual([
      0x12,
      0x34,
      1,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      5,
      ...Buffer.from("node2"),
      3,
      ...Buffer.from("lan"),
      0,
      0,
      1,
      0,
      1,
    ]);
    expect(() => buildDnsQuery(1, "a..b")).toThrow(/bad host name/);
    expect(() => buildDnsQuery(1, `${"x".repeat(64)}.lan`)).toThrow(/bad host name/);
  });

  it("parses answers with compressed names and follows a CNAME chain", () => {
    const q = buildDnsQuery(7, "www.lan");
    const r = dnsResponse(q, [
      { name: "www.lan", type: DNS_TYPE_CNAME, value: "web.lan" },
      { name: "web.lan", type: DNS_TYPE_CNAME, value: "box.lan" },
      { name: "box.lan", type: DNS_TYPE_A, value: "10.0.0.9" },
    ]);
    const m = parseDnsMessage(r);
    expect(m).toMatchObject({ id: 7, response: true, rcode: 0 });
    expect(m.answers.map((a) => a.value)).toEqual(["web.lan", "box.lan", "10.0.0.9"]);
    expect(answerAddresses(m, "www.lan")).toEqual(["10.0.0.9"]);
    expect(answerAddresses(m, "other.lan")).toEqual([]);
  });

  it("rejects pointer loops, forward pointers and overruns with the offset", () => {
    const loop = new Uint8Array([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(() => parseDnsMessage(loop)).toThrow(new DnsFormatError("bad compression pointer", 12));
    expect(() => parseDnsMessage(new Uint8Array(5))).toThrow(/shorter than the 12-byte header/);
    const over = new Uint8Array([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 9, 0x61]);
    expect(() => parseDnsMessage(over)).toThrow(/label runs past the end at byte 12/);
  });

  it("survives mutated responses: parses or throws DnsFormatError, never anything else", () => {
    const base = dnsResponse(buildDnsQuery(9, "a.b.lan"), [
      { name: "a.b.lan", type: DNS_TYPE_CNAME, value: "c.b.lan" },
      { name: "c.b.lan", type: DNS_TYPE_A, value: "10.1.2.3" },
    ]);
    const n = fuzzIterations(50_000, 1_000_000);
    const { parsed, dropped } = fuzzParser(
      base,
      n,
      (b) => answerAddresses(parseDnsMessage(b), "a.b.lan"),
      (e) => e instanceof DnsFormatError,
    );
    expect(parsed + dropped).toBe(n);
    expect(dropped).toBeGreaterThan(0);
  }, 600_000);
});

describe("resolv.conf", () => {
  it("reads nameservers, search and options; short names try the search list first", () => {
    const rc = parseResolvConf(
      "# from dhcp.client\nnameserver 10.0.0.1\nnameserver bogus\nsearch lan corp\noptions timeout:1 attempts:3\n",
    );
    expect(rc).toEqual({
      nameservers: ["10.0.0.1"],
      search: ["lan", "corp"],
      timeout: 1,
      attempts: 3,
      ndots: 1,
    });
    expect(candidates("box", rc)).toEqual(["box.lan", "box.corp", "box"]);
    expect(candidates("box.lan", rc)).toEqual(["box.lan", "box.lan.lan", "box.lan.corp"]);
    expect(candidates("box.", rc)).toEqual(["box"]);
  });
});
