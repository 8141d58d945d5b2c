// The OptionSchema mechanism: values, every kind of error, "did you mean", and the catalog.
import { describe, expect, it } from "vitest";
import { fuzzIterations, seededRandom } from "../../helpers/fuzz.ts";
import { Impairment } from "../../../hal/eth/impairment.ts";
import { impairmentOptions } from "../../../firmware/net/drivers/driver-options.ts";
import {
  IMPAIRMENT_OPTIONS,
  STANDARD_DRIVER_OPTIONS,
  closestName,
  editDistance,
  optionList,
  parseModuleOptions,
  type OptionSchema,
} from "../../../firmware/net/module-options.ts";
import {
  DEVNP_PCAP,
  DEVNP_VWIRE,
  LSM_QNET,
  MODULE_CATALOG,
  TCPIP,
  findDriver,
  findProtocol,
} from "../../../firmware/net/modules/catalog.ts";

const SCHEMA: OptionSchema = [
  { name: "count", type: "int", min: 1, max: 10, description: "a count" },
  { name: "on", type: "flag", description: "a flag" },
  { name: "mode", type: "enum", values: ["a", "b"], description: "a mode" },
  { name: "mac", type: "mac", description: "an address" },
  { name: "ip", type: "ipv4", description: "an IPv4 address" },
  { name: "label", type: "string", description: "text" },
  { name: "lan", type: "int", min: 0, max: 9, aliases: ["unit"], description: "number" },
  { name: "verbose", type: "int", valueOptional: true, implied: 1, description: "verbosity" },
];

describe("parseModuleOptions", () => {
  it("parses every type", () => {
    const r = parseModuleOptions(
      SCHEMA,
      "count=0x5,on,mode=b,mac=0011223344AA,ip=10.0.0.1,label=x=y,unit=3,verbose",
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.values).toEqual({
      count: 5,
      on: true,
      mode: "b",
      mac: "0011223344aa",
      ip: "10.0.0.1",
      label: "x=y",
      lan: 3,
      verbose: 1,
    });
  });

  it.each([
    ["count", /Option count requires an argument/, 0],
    ["count=", /Option count requires an argument/, 0],
    ["count=11", /out of range \(1\.\.10\)/, 6],
    ["count=abc", /needs an integer/, 6],
    ["on=1", /takes no argument/, 0],
    ["mode=c", /not one of a, b/, 5],
    ["mac=00:11:22:33:44:55", /12 hex digits/, 4],
    ["ip=300.1.1.1", /IPv4/, 3],
    ["on,cuont=3", /Unknown option "cuont"/, 3],
  ])("%s → error at offset %#", (text, message, offset) => {
    const r = parseModuleOptions(SCHEMA, text as string);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0].message).toMatch(message as RegExp);
    expect(r.diagnostics[0].offset).toBe(offset);
  });

  it("suggests the closest name and lists the valid ones", () => {
    const r = parseModuleOptions(DEVNP_VWIRE.options, "priorty=50", "devnp-vwire");
    expect(r.diagnostics[0].message).toBe('Unknown option "priorty" for devnp-vwire');
    expect(r.diagnostics[0].hint).toMatch(/^did you mean "priority"\? valid options: hub, udp, mac/);
    const far = parseModuleOptions(SCHEMA, "zzzzzz=1");
    expect(far.diagnostics[0].hint).toMatch(/^valid options: count, on/);
  });

  it("accepts empty items and reports every error", () => {
    expect(parseModuleOptions(SCHEMA, ",on,,").diagnostics).toEqual([]);
    expect(parseModuleOptions(SCHEMA, "x,y,count=99").diagnostics).toHaveLength(3);
  });

  it("edit distance counts a transposition once", () => {
    expect(editDistance("priorty", "priority")).toBe(1);
    expect(editDistance("prioirty", "priority")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(closestName("mtuu", ["mtu", "mru", "mac"])).toBe("mtu");
    expect(closestName("qqq", ["mtu"])).toBeUndefined();
  });
});

describe("module catalog", () => {
  it("finds modules by every spelling io-pkt accepts", () => {
    expect(findDriver("pcap")).toBe(DEVNP_PCAP);
    expect(findDriver("devnp-pcap.so")).toBe(DEVNP_PCAP);
    expect(findDriver("/lib/dll/devnp-vwire.so")).toBe(DEVNP_VWIRE);
    expect(findProtocol("tcpip")).toBe(TCPIP);
    expect(findProtocol("sample")?.name).toBe("lsm-sample");
    expect(findDriver("nosuch")).toBeUndefined();
  });

  it("drivers include the standard options; names are unique per module", () => {
    for (const m of MODULE_CATALOG) {
      const names = m.options.flatMap((o) => [o.name, ...(o.aliases ?? [])]);
      expect(new Set(names).size).toBe(names.length);
      if (m.kind === "driver") {
        for (const std of STANDARD_DRIVER_OPTIONS) expect(names).toContain(std.name);
      }
    }
  });

  it("checks the vwire endpoint and the tcpip prefix", () => {
    expect(parseModuleOptions(DEVNP_VWIRE.options, "udp=127.0.0.1:47300").diagnostics).toEqual([]);
    expect(parseModuleOptions(DEVNP_VWIRE.options, "udp=47300").diagnostics).toEqual([]);
    expect(parseModuleOptions(DEVNP_VWIRE.options, "udp=localhost").diagnostics[0].message).toMatch(
      /ipv4:port/,
    );
    expect(parseModuleOptions(TCPIP.options, "prefix=alt").diagnostics[0].message).toMatch(/absolute path/);
    expect(parseModuleOptions(TCPIP.options, "rx_pulse_prio=30").values).toEqual({ rx_prio: 30 });
  });

  it("checks lsm-qnet's options, with bind= repeatable", () => {
    expect(findProtocol("qnet")).toBe(LSM_QNET);
    const ok = parseModuleOptions(
      LSM_QNET.options,
      "bind=en0,bind=en1,resolve=ndp,auto_add=5,host=alpha,domain=lab,do_crc=1,tx_retries=3,mapany=100,maproot=200,mount=/net",
    );
    expect(ok.diagnostics).toEqual([]);
    expect(optionList(ok.values, "bind")).toEqual(["en0", "en1"]);
    expect(optionList(ok.values, "host")).toEqual(["alpha"]);
    expect(optionList({}, "bind")).toEqual([]);
    // Not repeatable: the last one wins.
    expect(parseModuleOptions(LSM_QNET.options, "auto_add=1,auto_add=2").values).toEqual({ auto_add: 2 });
    const bad = (text: string): string =>
      parseModuleOptions(LSM_QNET.options, text).diagnostics[0]?.message ?? "";
    expect(bad("resolve=nis")).toMatch(/resolve needs ndp, dns, file or file:\/path, not "nis"/);
    expect(bad("resolve=file:etc/hosts")).toMatch(/resolve needs ndp, dns, file or file:\/path/);
    expect(bad("auth=qnet.key")).toMatch(/auth needs an absolute path/);
    const res = parseModuleOptions(
      LSM_QNET.options,
      "resolve=file:/etc/qnet.hosts,resolve=ndp,auth=/etc/qnet.key",
    );
    expect(res.diagnostics).toEqual([]);
    expect(optionList(res.values, "resolve")).toEqual(["file:/etc/qnet.hosts", "ndp"]);
    expect(res.values.auth).toBe("/etc/qnet.key");
    expect(bad("bind=eth")).toMatch(/an interface name such as en0/);
    expect(bad("host=a.b")).toMatch(/node name/);
    expect(bad("do_crc=2")).toMatch(/out of range/);
    expect(parseModuleOptions(LSM_QNET.options, "bnd=en0").diagnostics[0].hint).toMatch(
      /did you mean "bind"/,
    );
  });

  it("reads the impairment options of any driver: percentages, durations, seed, directions", () => {
    const r = parseModuleOptions(
      DEVNP_PCAP.options,
      "if=eth0,delay=10ms,loss=3%,reorder=25%,dup=1,corrupt=0.1%,jitter=250us,seed=42,impair=both",
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.values).toMatchObject({ delay: 10, loss: 3, reorder: 25, dup: 1, corrupt: 0.1, jitter: 0.25 });
    const imp = impairmentOptions(r.values)!;
    expect(imp.rx).toEqual({
      loss: 0.03,
      duplicate: 0.01,
      reorder: 0.25,
      corrupt: 0.001,
      delayMs: 10,
      jitterMs: 0.25,
      seed: 42,
    });
    // Each direction draws its own random numbers.
    expect(imp.tx?.seed).not.toBe(42);
    expect(impairmentOptions(parseModuleOptions(DEVNP_VWIRE.options, "loss=5,impair=rx").values)).toEqual({
      rx: expect.objectContaining({ loss: 0.05, seed: 1 }),
      tx: undefined,
    });
    expect(impairmentOptions(parseModuleOptions(DEVNP_VWIRE.options, "seed=3").values)).toBeUndefined();
    expect(parseModuleOptions(DEVNP_VWIRE.options, "delay=1s").values).toEqual({ delay: 1000 });
    const bad = (text: string): string =>
      parseModuleOptions(DEVNP_PCAP.options, text).diagnostics[0]?.message ?? "";
    expect(bad("loss=3x")).toBe('Option loss needs a percentage such as 3% or 0.1%, not "3x"');
    expect(bad("loss=101%")).toBe("Option loss=101% is out of range (0%..100%)");
    expect(bad("delay=10min")).toBe('Option delay needs a duration such as 10ms, 250us or 1s, not "10min"');
    expect(bad("delay=61s")).toBe("Option delay=61s is out of range (0ms..60000ms)");
    expect(bad("impair=up")).toBe("Option impair=up is not one of both, rx, tx");
    expect(parseModuleOptions(DEVNP_PCAP.options, "reordr=25%").diagnostics[0].hint).toMatch(
      /did you mean "reorder"/,
    );
  });

  it("fuzz: impairment option text never throws, and whatever parses makes a valid impairment", () => {
    const rand = seededRandom(0x11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const names = [...IMPAIRMENT_OPTIONS.map((o) => o.name), "if", "mtu", "", "lo ss", "="];
    const pieces = [
      "0",
      "3",
      "100",
      "101",
      "0.1",
      ".5",
      "1.",
      "%",
      "ms",
      "us",
      "s",
      "x",
      "-",
      "=",
      ",",
      "1e3",
      "0x10",
    ];
    const n = fuzzIterations(20_000, 200_000);
    for (let i = 0; i < n; i++) {
      const items: string[] = [];
      const count = 1 + Math.floor(rand() * 5);
      for (let k = 0; k < count; k++) {
        let v = "";
        const len = Math.floor(rand() * 4);
        for (let j = 0; j < len; j++) v += pick(pieces);
        items.push(rand() < 0.1 ? pick(names) : `${pick(names)}=${v}`);
      }
      const text = items.join(",");
      const r = parseModuleOptions(DEVNP_PCAP.options, text);
      for (const d of r.diagnostics) {
        expect(d.offset).toBeGreaterThanOrEqual(0);
        expect(d.offset + d.length).toBeLessThanOrEqual(text.length);
      }
      for (const name of ["loss", "dup", "reorder", "corrupt"]) {
        const v = r.values[name];
        if (v === undefined) continue;
        expect(v as number).toBeGreaterThanOrEqual(0);
        expect(v as number).toBeLessThanOrEqual(100);
      }
      const imp = impairmentOptions(r.values);
      if (imp?.rx) expect(() => new Impairment(imp.rx)).not.toThrow();
      if (imp?.tx) expect(() => new Impairment(imp.tx)).not.toThrow();
    }
  });
});
