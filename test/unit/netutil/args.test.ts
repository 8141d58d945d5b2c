import { describe, expect, it } from "vitest";
import { UsageError } from "../../../firmware/bin/lib/getopt.ts";
import { classfulPrefix, parseAddrOperand } from "../../../firmware/bin/lib/net-addr-args.ts";
import { parseIfconfigArgs } from "../../../firmware/bin/lib/net-ifconfig-args.ts";
import { lookupHosts } from "../../../firmware/net/resolver.ts";
import { parseRouteArgs } from "../../../firmware/bin/lib/net-route-args.ts";
import { parsePingArgs } from "../../../firmware/bin/ping.ts";
import { ip } from "./fixtures.ts";

const change = (args: string[]) => {
  const c = parseIfconfigArgs(args);
  if (c.kind !== "change") throw new Error(`not a change: ${c.kind}`);
  return c.change;
};

describe("address operands", () => {
  it.each([
    ["10.0.0.1", ip("10.0.0.1"), null],
    ["10.0.0.1/24", ip("10.0.0.1"), 24],
    ["10/8", ip("10.0.0.0"), 8],
    ["10.1", ip("10.1.0.0"), 16],
    ["192.168.7", ip("192.168.7.0"), 24],
  ])("%s", (text, addr, len) => {
    expect(parseAddrOperand(text)).toEqual({ addr, prefixLen: len });
  });

  it.each(["10.0.0.256", "10.0.0.1/33", "a.b.c.d", "", "10..1", "1.2.3.4.5"])("rejects %j", (text) => {
    expect(parseAddrOperand(text)).toBeNull();
  });

  it("falls back to classful masks", () => {
    expect(classfulPrefix(ip("10.1.2.3"))).toBe(8);
    expect(classfulPrefix(ip("172.16.0.1"))).toBe(16);
    expect(classfulPrefix(ip("192.168.1.1"))).toBe(24);
  });
});

describe("ifconfig arguments", () => {
  it("lists with nothing, -a and -l", () => {
    expect(parseIfconfigArgs([])).toEqual({ kind: "list", all: true });
    expect(parseIfconfigArgs(["-a"])).toEqual({ kind: "list", all: true });
    expect(parseIfconfigArgs(["-l", "-u"])).toEqual({ kind: "names", only: "up" });
    expect(parseIfconfigArgs(["en0"])).toEqual({ kind: "show", ifname: "en0" });
  });

  it.each([
    [["en0", "10.0.0.1", "netmask", "255.255.255.0"], 24],
    [["en0", "10.0.0.1", "netmask", "0xffffff00"], 24],
    [["en0", "10.0.0.1", "netmask", "24"], 24],
    [["en0", "inet", "10.0.0.1/26"], 26],
    [["en0", "10.0.0.1"], 8],
  ])("sets the primary address: %j", (args, len) => {
    const c = change(args);
    expect(c.addrOp).toBe("set");
    expect(c.addr).toBe(ip("10.0.0.1"));
    expect(c.prefixLen).toBe(len);
  });

  it("adds and deletes aliases, keyword before or after", () => {
    expect(change(["en0", "alias", "10.0.0.2/24"]).addrOp).toBe("alias");
    expect(change(["en0", "10.0.0.2", "netmask", "255.255.255.0", "alias"]).addrOp).toBe("alias");
    const d = change(["en0", "10.0.0.2", "-alias"]);
    expect([d.addrOp, d.addr]).toEqual(["delete", ip("10.0.0.2")]);
    expect(change(["en0", "delete", "10.0.0.2"]).addrOp).toBe("delete");
  });

  it("takes up/down, mtu, broadcast, promisc and destroy", () => {
    const c = change(["en0", "10.0.0.1/24", "broadcast", "10.0.0.127", "mtu", "1400", "up", "promisc"]);
    expect(c).toMatchObject({ up: true, mtu: 1400, broadcast: ip("10.0.0.127"), promisc: true });
    expect(change(["en0", "down"]).up).toBe(false);
    expect(change(["en0", "destroy"]).destroy).toBe(true);
  });

  it.each([
    [["en0", "netmask"]],
    [["en0", "netmask", "255.0.255.0"]],
    [["en0", "mtu", "10"]],
    [["en0", "10.0.0.300"]],
    [["en0", "1.2.3.4", "5.6.7.8"]],
    [["en0", "alias"]],
    [["-x"]],
  ])("rejects %j with a usage error", (args) => {
    expect(() => parseIfconfigArgs(args)).toThrow(UsageError);
  });
});

describe("route arguments", () => {
  it("reads add with a gateway in every destination spelling", () => {
    expect(parseRouteArgs(["add", "default", "10.0.0.1"])).toMatchObject({
      kind: "add",
      target: { dst: 0, prefixLen: 0, text: "default" },
      gateway: ip("10.0.0.1"),
    });
    expect(parseRouteArgs(["add", "-net", "10.2.0.0", "10.0.0.1"])).toMatchObject({
      target: { dst: ip("10.2.0.0"), prefixLen: 16, isHost: false },
    });
    expect(
      parseRouteArgs(["add", "-net", "10.2.0.0", "10.0.0.1", "-netmask", "255.255.255.0"]),
    ).toMatchObject({
      target: { prefixLen: 24 },
    });
    expect(parseRouteArgs(["add", "10.2/16", "10.0.0.1"])).toMatchObject({
      target: { dst: ip("10.2.0.0"), prefixLen: 16 },
    });
    expect(parseRouteArgs(["add", "-host", "10.9.9.9", "10.0.0.1"])).toMatchObject({
      target: { prefixLen: 32, isHost: true },
    });
    expect(parseRouteArgs(["add", "10.9.9.9", "10.0.0.1"])).toMatchObject({ target: { prefixLen: 32 } });
  });

  it("masks host bits off a network and prints it as given", () => {
    expect(parseRouteArgs(["add", "10.2.3.4/16", "10.0.0.1"])).toMatchObject({
      target: { dst: ip("10.2.0.0"), text: "10.2.0.0" },
    });
  });

  it("reads interface routes, delete, get, show and -n", () => {
    expect(parseRouteArgs(["add", "-net", "10.5/16", "en1", "-iface"])).toMatchObject({
      ifname: "en1",
      gateway: 0,
    });
    expect(parseRouteArgs(["add", "10.5/16", "-ifp", "en1", "10.0.0.9"])).toMatchObject({ ifname: "en1" });
    expect(parseRouteArgs(["delete", "default"])).toMatchObject({ kind: "delete", target: { prefixLen: 0 } });
    expect(parseRouteArgs(["-n", "get", "8.8.8.8"])).toEqual({
      kind: "get",
      numeric: true,
      dst: ip("8.8.8.8"),
      text: "8.8.8.8",
    });
    expect(parseRouteArgs(["show"])).toEqual({ kind: "show", numeric: false });
  });

  it.each([
    [[]],
    [["add"]],
    [["add", "default"]],
    [["frob"]],
    [["add", "10.0.0.0/40", "1.1.1.1"]],
    [["get"]],
  ])("rejects %j", (args) => {
    expect(() => parseRouteArgs(args)).toThrow(UsageError);
  });
});

describe("ping arguments", () => {
  it("has BSD defaults", () => {
    expect(parsePingArgs(["10.0.0.2"])).toMatchObject({
      count: 0,
      intervalMs: 1000,
      size: 56,
      ttl: 0,
      host: "10.0.0.2",
    });
  });

  it("reads count, interval, size, ttl, wait, deadline, flood", () => {
    const o = parsePingArgs([
      "-c",
      "3",
      "-i",
      "0.2",
      "-s",
      "8000",
      "-t",
      "1",
      "-W",
      "500",
      "-w",
      "5",
      "-D",
      "h",
    ]);
    expect(o).toMatchObject({
      count: 3,
      intervalMs: 200,
      size: 8000,
      ttl: 1,
      waitMs: 500,
      deadlineMs: 5000,
      df: true,
    });
    expect(parsePingArgs(["-f", "h"])).toMatchObject({ flood: true, intervalMs: 0 });
  });

  it.each([
    [["-c", "0", "h"]],
    [["-t", "256", "h"]],
    [["-s", "70000", "h"]],
    [["-i", "x", "h"]],
    [[]],
    [["a", "b"]],
  ])("rejects %j", (args) => {
    expect(() => parsePingArgs(args)).toThrow(UsageError);
  });
});

describe("/etc/hosts", () => {
  const hosts = "# comment\n127.0.0.1 localhost\n10.0.0.2\tnode2 node2.lan # peer\n\nbad line\n";
  it("finds names and aliases, ignoring comments", () => {
    expect(lookupHosts(hosts, "node2")).toEqual(["10.0.0.2"]);
    expect(lookupHosts(hosts, "NODE2.lan")).toEqual(["10.0.0.2"]);
    expect(lookupHosts(hosts, "peer")).toEqual([]);
    expect(lookupHosts(hosts, "line")).toEqual([]);
  });
});
