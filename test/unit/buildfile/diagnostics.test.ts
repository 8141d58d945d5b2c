// Table test of every diagnostic the linter produces: code, severity and position.
import { describe, expect, it } from "vitest";
import { analyze, fixtureDir, withScript } from "./helpers.ts";

interface Case {
  name: string;
  source: string;
  code: string;
  severity: "error" | "warning" | "note";
  /** line:col of the diagnostic. */
  at: string;
  message?: RegExp;
  hint?: RegExp;
}

const CASES: Case[] = [
  {
    // Found by the fuzzer: `VAR=val&` once became a command named "VAR=val".
    name: "an assignment cannot run in the background",
    source: withScript(["PATH=/bin&"]),
    code: "syntax",
    severity: "error",
    at: "2:5",
    message: /'&' without a command/,
  },
  {
    name: "unterminated attribute list",
    source: withScript([], "[uid=0"),
    code: "syntax",
    severity: "error",
    at: "3:1",
    message: /Missing '\]'/,
  },
  {
    name: "unterminated string",
    source: withScript([], '"abc=real.txt'),
    code: "syntax",
    severity: "error",
    at: "3:1",
    message: /Unterminated string/,
  },
  {
    name: "unterminated inline file",
    source: withScript([], "/etc/x = {\nabc"),
    code: "syntax",
    severity: "error",
    at: "3:10",
    message: /missing '\}'/,
  },
  {
    name: "text after a file",
    source: withScript([], "/a=real.txt extra"),
    code: "syntax",
    severity: "error",
    at: "3:13",
    message: /Unexpected text/,
  },
  {
    name: "missing host after =",
    source: withScript([], "/a="),
    code: "syntax",
    severity: "error",
    at: "3:4",
    message: /Expected a host path/,
  },
  {
    name: "an unescaped } ends an inline file early",
    source: withScript([], "/a = {\necho }\n}"),
    code: "syntax",
    severity: "error",
    at: "5:1",
    message: /Unmatched '}'/,
    hint: /inline file \/a \(line 3\).*\\}/,
  },
  {
    name: "text after an inline file's }",
    source: withScript([], "/a = { x } y"),
    code: "syntax",
    severity: "error",
    at: "3:12",
    hint: /unescaped } inside an inline file ends it/,
  },
  {
    name: "stray character in attribute",
    source: withScript([], "[uid=0 +x!y] /a=real.txt"),
    code: "syntax",
    severity: "error",
    at: "3:10",
  },
  {
    name: "& not last",
    source: withScript(["ksh & x"]),
    code: "syntax",
    severity: "error",
    at: "2:11",
    message: /last word/,
  },
  {
    name: "unknown attribute with hint",
    source: withScript([], "[uidd=0] /a=real.txt"),
    code: "unknown-attribute",
    severity: "error",
    at: "3:2",
    hint: /did you mean "uid"/,
  },
  {
    name: "mkifs attribute ignored",
    source: withScript([], "[virtual=armle-v7,raw] /a=real.txt"),
    code: "ignored-attribute",
    severity: "note",
    at: "3:2",
    message: /accepted and ignored: netrino has no physical image layout/,
  },
  {
    name: "a bootstrap block is parsed and reported, not made a file",
    source: withScript(
      [],
      "[virtual=aarch64le,raw] boot = {\n  startup-bcm2711 -v\n  PATH=/proc/boot procnto-smp-instr\n}",
    ),
    code: "bootstrap",
    severity: "note",
    at: "3:25",
    message: /bootstrap block boot is parsed and ignored/,
  },
  {
    name: "flag given a value",
    source: withScript([], "[optional=1] /a=real.txt"),
    code: "bad-attribute-value",
    severity: "error",
    at: "3:2",
    message: /is a flag/,
  },
  {
    name: "value attribute as flag",
    source: withScript([], "[+uid] /a=real.txt"),
    code: "bad-attribute-value",
    severity: "error",
    at: "3:2",
    message: /needs a value/,
  },
  {
    name: "bad uid",
    source: withScript([], "[uid=root] /a=real.txt"),
    code: "bad-attribute-value",
    severity: "error",
    at: "3:6",
  },
  {
    name: "bad type",
    source: withScript([], "[type=socket] /a=real.txt"),
    code: "bad-attribute-value",
    severity: "error",
    at: "3:7",
    message: /Unknown type/,
  },
  {
    name: "bad octal perms",
    source: withScript([], "[perms=0789] /a=real.txt"),
    code: "bad-perms",
    severity: "error",
    at: "3:8",
  },
  {
    name: "bad symbolic perms",
    source: withScript([], "[perms=u+q] /a=real.txt"),
    code: "bad-perms",
    severity: "error",
    at: "3:8",
  },
  {
    name: "unknown board",
    source: "[board=rpi5]\n" + withScript([]),
    code: "unknown-board",
    severity: "error",
    at: "1:8",
    hint: undefined,
    message: /host, rpi3, rpi4, bbb/,
  },
  {
    name: "conflicting boards",
    source: "[board=host]\n[board=rpi4]\n" + withScript([]),
    code: "conflicting-board",
    severity: "error",
    at: "2:2",
  },
  {
    name: "link without target",
    source: withScript([], "[type=link] /bin/sh"),
    code: "bad-link",
    severity: "error",
    at: "3:13",
  },
  {
    name: "missing host file",
    source: withScript([], "/a=nothere.txt"),
    code: "missing-host-file",
    severity: "error",
    at: "3:4",
  },
  {
    name: "duplicate target",
    source: withScript([], "/a=real.txt\n/a=real.txt"),
    code: "duplicate-target",
    severity: "note",
    at: "4:1",
    message: /replaces the one at line 3/,
  },
  {
    name: "a session shell with no console",
    source: withScript(["[+session] ksh"]),
    code: "session-without-console",
    severity: "warning",
    at: "2:16",
    hint: /reopen \/dev\/ser1/,
  },
  {
    name: "a misspelt display_msg",
    source: withScript(["display_mesg hi"]),
    code: "program-not-found",
    severity: "warning",
    at: "2:5",
    hint: /did you mean the script built-in "display_msg"/,
  },
  {
    name: "io-pkt usage, read by the runtime's parser",
    source: withScript(["io-pkt -dvwire -q &"]),
    code: "io-pkt-usage",
    severity: "error",
    at: "2:20",
    message: /unknown option -q/,
  },
  {
    name: "unknown builtin",
    source: withScript([], "[type=builtin] frobnicate"),
    code: "unknown-builtin",
    severity: "warning",
    at: "3:1",
  },
  { name: "no script", source: "/a=real.txt\n", code: "no-script", severity: "warning", at: "1:1" },
  {
    name: "foreground shell",
    source: withScript(["ksh", "devc-ser -t terminal &"]),
    code: "unreachable",
    severity: "warning",
    at: "2:5",
    message: /line 3/,
  },
  {
    name: "program missing",
    source: withScript(["nosuch &"]),
    code: "program-not-found",
    severity: "warning",
    at: "2:5",
  },
  {
    name: "absolute program missing",
    source: withScript(["/bin/nosuch &"]),
    code: "program-not-found",
    severity: "warning",
    at: "2:5",
  },
  {
    name: "waitfor before the driver",
    source: withScript(["waitfor /dev/ser1", "devc-ser -t terminal &"]),
    code: "unregistered-path",
    severity: "warning",
    at: "2:13",
  },
  {
    name: "reopen of nothing",
    source: withScript(["reopen /dev/ser9"]),
    code: "unregistered-path",
    severity: "warning",
    at: "2:12",
  },
  {
    name: "built-in in background",
    source: withScript(["display_msg hi &"]),
    code: "background-builtin",
    severity: "warning",
    at: "2:5",
  },
  {
    name: "waitfor bad timeout",
    source: withScript(["waitfor /proc abc"]),
    code: "bad-builtin-args",
    severity: "error",
    at: "2:19",
  },
  {
    name: "waitfor without path",
    source: withScript(["waitfor"]),
    code: "bad-builtin-args",
    severity: "error",
    at: "2:5",
  },
  {
    name: "procmgr_symlink arity",
    source: withScript(["procmgr_symlink /a"]),
    code: "bad-builtin-args",
    severity: "error",
    at: "2:5",
  },
  {
    name: "unknown driver",
    source: withScript(["io-pkt -d foo -p tcpip &"]),
    code: "unknown-module",
    severity: "error",
    at: "2:15",
    message: /devnp-foo\.so/,
  },
  {
    name: "driver option typo",
    source: withScript(["io-pkt -d vwire priorty=50 &"]),
    code: "module-option",
    severity: "error",
    at: "2:21",
    hint: /did you mean "priority"\? valid options: hub, udp/,
  },
  {
    name: "driver option range",
    source: withScript(["io-pkt -d pcap if=eth0,mtu=10 &"]),
    code: "module-option",
    severity: "error",
    at: "2:32",
    message: /out of range/,
  },
  {
    name: "impairment option of a driver",
    source: withScript(["io-pkt -d pcap if=eth0,loss=3x &"]),
    code: "module-option",
    severity: "error",
    at: "2:33",
    message: /Option loss needs a percentage such as 3% or 0\.1%, not "3x"/,
  },
  {
    name: "driver option missing value",
    source: withScript(["io-pkt -d pcap if &"]),
    code: "module-option",
    severity: "error",
    at: "2:20",
    message: /Option if requires an argument/,
  },
  {
    name: "tcpip option typo",
    source: withScript(["io-pkt -p tcpip forwrd &"]),
    code: "module-option",
    severity: "error",
    at: "2:21",
    hint: /"forward"/,
  },
  {
    name: "io-pkt bad argument",
    source: withScript(["io-pkt -x &"]),
    code: "io-pkt-usage",
    severity: "error",
    at: "2:12",
  },
  {
    name: "io-pkt -d without module",
    source: withScript(["io-pkt -d &"]),
    code: "io-pkt-usage",
    severity: "error",
    at: "2:12",
  },
  {
    name: "undefined variable",
    source: withScript(["display_msg ${NOPE}"]),
    code: "undefined-variable",
    severity: "error",
    at: "2:17",
    hint: /-D NOPE=VALUE/,
  },
  {
    name: "undefined variable in host path",
    source: withScript([], "/a=${DIR}/real.txt"),
    code: "undefined-variable",
    severity: "error",
    at: "3:4",
  },
  {
    name: "bad substitution",
    source: withScript(["display_msg ${1x}"]),
    code: "bad-variable",
    severity: "error",
    at: "2:17",
  },
  {
    name: "unknown modifier",
    source: withScript(["[+sesion] ksh"]),
    code: "unknown-modifier",
    severity: "error",
    at: "2:6",
    hint: /"session"/,
  },
  {
    name: "bad priority",
    source: withScript(["[pri=300] ksh"]),
    code: "bad-attribute-value",
    severity: "error",
    at: "2:10",
  },
];

describe("lint diagnostics", () => {
  const dir = fixtureDir();
  it.each(CASES)("$name → $code", (c) => {
    const { diagnostics } = analyze(c.source, dir);
    const hit = diagnostics.find((d) => d.code === c.code);
    expect(hit, JSON.stringify(diagnostics.map((d) => [d.code, d.message]))).toBeDefined();
    expect(hit!.severity).toBe(c.severity);
    expect(`${hit!.pos.line}:${hit!.pos.col}`).toBe(c.at);
    if (c.message) expect(hit!.message).toMatch(c.message);
    if (c.hint) expect(hit!.hint).toMatch(c.hint);
  });

  it("covers every diagnostic code the linter knows", () => {
    const codes = new Set(CASES.map((c) => c.code));
    for (const code of [
      "syntax",
      "unknown-attribute",
      "module-option",
      "unreachable",
      "unregistered-path",
      "missing-host-file",
      "duplicate-target",
      "undefined-variable",
      "unknown-board",
    ]) {
      expect(codes.has(code)).toBe(true);
    }
  });

  it("a shell running a script or -c returns, so the script goes on", () => {
    const src = withScript(
      ["ksh -c 'echo hi'", "ksh /proc/boot/rc", "devc-ser -t terminal &"],
      "/proc/boot/rc = {\n}",
    );
    expect(analyze(src, dir).diagnostics.filter((d) => d.code === "unreachable")).toEqual([]);
  });

  it("a clean buildfile has no diagnostics", () => {
    const src = withScript([
      "display_msg hello",
      "devc-ser -t terminal &",
      "waitfor /dev/ser1 4",
      "reopen /dev/ser1",
      "io-pkt -d vwire udp=127.0.0.1:47300,priority=50 -p tcpip forward,rx_prio=30 &",
      "waitfor /dev/socket/2",
      "[+session] ksh",
    ]);
    expect(analyze(src, dir).diagnostics).toEqual([]);
  });

  it("reports every problem in one run", () => {
    const src = withScript(
      ["io-pkt -d vwire priorty=50 &", "waitfor /dev/nothing"],
      "[uidd=0] /a=real.txt\n/b=gone.txt",
    );
    const codes = analyze(src, dir).diagnostics.map((d) => d.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        "module-option",
        "unregistered-path",
        "unknown-attribute",
        "missing-host-file",
      ]),
    );
  });

  it("-D definitions satisfy ${VAR} and win over the environment", () => {
    const src = withScript(["display_msg ${WHO}"]);
    expect(analyze(src, dir, { WHO: "me" }).diagnostics).toEqual([]);
    expect(analyze(src, dir, { WHO: "me" }).script[0]).toMatchObject({ argv: ["display_msg", "me"] });
  });

  it("the tcpip prefix moves the paths io-pkt registers", () => {
    const src = withScript([
      "io-pkt -p tcpip prefix=/alt &",
      "waitfor /alt/dev/socket",
      "waitfor /dev/socket",
    ]);
    const d = analyze(src, dir).diagnostics;
    expect(d.map((x) => `${x.code}@${x.pos.line}`)).toEqual(["unregistered-path@4"]);
  });

  it("waitfor through an image symlink follows it", () => {
    const src = withScript(
      ["devc-ser -t terminal &", "waitfor /dev/console"],
      "[type=link] /dev/console=/dev/ser1",
    );
    expect(analyze(src, dir).diagnostics).toEqual([]);
    const bad = withScript(["waitfor /dev/console"], "[type=link] /dev/console=/dev/ser1");
    expect(analyze(bad, dir).diagnostics[0]?.message).toMatch(/→ \/dev\/ser1/);
  });
});
