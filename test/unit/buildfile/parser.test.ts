// Table tests of the buildfile grammar and of resolution (attributes, targets, inline files).
import { describe, expect, it } from "vitest";
import { parseBuildfile } from "../../../images/buildfile/parser.ts";
import { parsePerms } from "../../../images/buildfile/perms.ts";
import { inlineText } from "../../../images/buildfile/scanner.ts";
import type { FileLine, ScriptCommand } from "../../../images/buildfile/ast.ts";
import { analyze, fixtureDir } from "./helpers.ts";

function only<T>(source: string): T {
  const r = parseBuildfile(source, "t.build");
  expect(r.diagnostics).toEqual([]);
  return r.ast.lines.find((l) => l.kind !== "blank" && l.kind !== "comment") as T;
}

describe("grammar", () => {
  it.each([
    ["/a=b", { target: "/a", host: "b" }],
    ["/a = b", { target: "/a", host: "b" }],
    ['"my file"="host dir/x"', { target: "my file", host: "host dir/x" }],
    ["bare", { target: "bare", host: undefined }],
    ["/a=b # note", { target: "/a", host: "b", comment: " note" }],
    ["/q\\ x=y", { target: "/q x", host: "y" }],
  ])("file line %s", (src, want) => {
    const l = only<FileLine>(src);
    expect(l.kind).toBe("file");
    expect(l.target.text).toBe(want.target);
    expect(l.host?.text).toBe(want.host);
    if ("comment" in want) expect(l.comment).toBe(want.comment);
  });

  it.each([
    [
      "[uid=0 gid=0 perms=0755]",
      [
        ["uid", "value", "0", false],
        ["gid", "value", "0", false],
        ["perms", "value", "0755", false],
      ],
    ],
    [
      "[+script -compress]",
      [
        ["script", "set", undefined, false],
        ["compress", "clear", undefined, false],
      ],
    ],
    [
      "[?+optional ?perms=u+x,go-w]",
      [
        ["optional", "set", undefined, true],
        ["perms", "value", "u+x,go-w", true],
      ],
    ],
    ['[prefix="/a b"]', [["prefix", "value", "/a b", false]]],
    ["[optional]", [["optional", "set", undefined, false]]],
  ])("attributes %s", (src, want) => {
    const l = only<{
      group: { attrs: Array<{ name: string; form: string; value?: { text: string }; conditional: boolean }> };
    }>(src);
    expect(l.group.attrs.map((a) => [a.name, a.form, a.value?.text, a.conditional])).toEqual(want);
  });

  it("inline files span lines; \\} escapes; ${…} does not close", () => {
    const l = only<FileLine>("/etc/x = {\nline ${A:-b} \\} end\n}\n");
    expect(l.inline?.raw).toBe("\nline ${A:-b} \\} end\n");
  });

  it("inline bytes: mkifs drops every escaping backslash (exact bytes)", () => {
    // Before the fix `\\` and `\"` were kept and the file got wrong bytes silently.
    const l = only<FileLine>('/etc/x = {\na\\{b\\}c \\\\ d\\"e\n}\n');
    const bytes = new TextEncoder().encode(inlineText(l.inline!.raw));
    expect([...bytes]).toEqual([97, 123, 98, 125, 99, 32, 92, 32, 100, 34, 101, 10]); // a{b}c \ d"e\n
    // `\\}` is an escaped backslash, then the closing brace.
    const m = only<FileLine>("/etc/y = { a\\\\}\n");
    expect(inlineText(m.inline!.raw)).toBe("a\\\n");
    expect(inlineText(" hello ")).toBe("hello\n");
    expect(inlineText("")).toBe("");
  });

  it("mkifs forms: inline without =, target and host separated by blanks, # only at word start", () => {
    const a = only<FileLine>("/etc/rc {\necho\n}\n");
    expect(a.inline?.raw).toBe("\necho\n");
    const b = only<FileLine>("/bin/tool\thost/tool.bin # c\n");
    expect([b.target.text, b.host?.text, b.comment]).toEqual(["/bin/tool", "host/tool.bin", " c"]);
    const c = only<FileLine>("/a#b=x#y\n");
    expect([c.target.text, c.host?.text, c.comment]).toEqual(["/a#b", "x#y", undefined]);
    const d = only<FileLine>("[virtual=x86_64,bios] boot = {\nstartup-x86\n}\n");
    expect([d.bootstrap, d.script]).toEqual([true, undefined]);
  });

  it("positions are 1-based line and column", () => {
    const r = parseBuildfile("# c\n  [uid=1] /a=b\n", "f.build");
    const l = r.ast.lines[1] as FileLine;
    expect([l.pos.line, l.pos.col]).toEqual([2, 3]);
    expect([l.target.pos.line, l.target.pos.col, l.target.pos.file]).toEqual([2, 11, "f.build"]);
    expect([l.host?.pos.line, l.host?.pos.col]).toEqual([2, 14]);
  });

  it("parses the startup script with modifiers, env, built-ins and &", () => {
    const src = [
      "[+script] .script = {",
      "    [pri=10r +session argv0=shell] TERM=vt100 ksh -l &",
      "    PATH=/bin:/proc/boot",
      "    [pri=20]",
      "    display_msg 'hello world' \"x y\"",
      "    waitfor /dev/ser1 4   # comment",
      "}",
    ].join("\n");
    const l = only<FileLine>(src);
    const lines = l.script!.lines;
    expect(lines.map((x) => x.kind)).toEqual(["command", "env", "modifiers", "command", "command"]);
    const ksh = lines[0] as ScriptCommand;
    expect(ksh.modifiers?.attrs.map((a) => a.raw)).toEqual(["pri=10r", "+session", "argv0=shell"]);
    expect(ksh.env.map((e) => [e.name, e.value.text])).toEqual([["TERM", "vt100"]]);
    expect(ksh.argv.map((w) => w.text)).toEqual(["ksh", "-l"]);
    expect(ksh.background).toBe(true);
    expect((lines[3] as ScriptCommand).argv.map((w) => w.text)).toEqual([
      "display_msg",
      "hello world",
      "x y",
    ]);
    expect((lines[4] as ScriptCommand).comment).toBe(" comment");
    expect([(lines[4] as ScriptCommand).pos.line, (lines[4] as ScriptCommand).pos.col]).toEqual([6, 5]);
  });

  it("a trailing & glued to the last word still means background", () => {
    const l = only<FileLine>("[+script] .script = {\n    io-pkt -p tcpip&\n}");
    const c = l.script!.lines[0] as ScriptCommand;
    expect(c.background).toBe(true);
    expect(c.argv.map((w) => w.text)).toEqual(["io-pkt", "-p", "tcpip"]);
  });
});

describe("perms", () => {
  it.each([
    ["0755", 0o644, 0o755],
    ["644", 0o777, 0o644],
    ["u+x", 0o644, 0o744],
    ["u+x,go-w", 0o666, 0o744],
    ["a=r", 0o777, 0o444],
    ["+x", 0o644, 0o755],
    ["u+s", 0o755, 0o4755],
    ["o=", 0o777, 0o770],
  ])("%s on %o → %o", (text, base, want) => {
    expect(parsePerms(text, base)).toEqual({ mode: want });
  });
  it.each(["u+q", "9", "abc", "", "u+x,,"])("%s is refused", (text) => {
    expect("error" in parsePerms(text, 0o644)).toBe(true);
  });
});

describe("resolution", () => {
  const dir = fixtureDir();
  const entries = (src: string) => {
    const a = analyze(src, dir);
    return a.resolved.entries.map((e) => ({
      t: e.target,
      type: e.type,
      perms: e.perms.toString(8),
      src: e.source.kind,
      uid: e.uid,
    }));
  };

  it("sticky attributes apply to later files; line attributes to one; ? only if unset", () => {
    const src =
      "[uid=5 perms=0600]\n/a=real.txt\n[uid=7] /b=real.txt\n[?uid=9 ?perms=0700] /c=real.txt\n/d=real.txt";
    expect(entries(src)).toEqual([
      { t: "/a", type: "file", perms: "600", src: "host", uid: 5 },
      { t: "/b", type: "file", perms: "600", src: "host", uid: 7 },
      { t: "/c", type: "file", perms: "600", src: "host", uid: 5 },
      { t: "/d", type: "file", perms: "600", src: "host", uid: 5 },
    ]);
  });

  it("places bare names under the prefix, links, dirs, builtins, programs and host trees", () => {
    const src = [
      "real.txt",
      "[prefix=/etc] conf=real.txt",
      "[type=link] /bin/sh=/proc/boot/ksh",
      "[type=dir] /var/run",
      "[type=builtin] /bin/ls",
      "[type=builtin] /bin/list=ls",
      "/bin/app=app.ts",
      "/opt=tree",
    ].join("\n");
    const a = analyze(src, dir);
    const got = a.resolved.entries.map((e) => [
      e.target,
      e.type,
      e.source.kind,
      "name" in e.source ? e.source.name : e.linkTarget,
    ]);
    expect(got).toEqual([
      ["/proc/boot/real.txt", "file", "host", undefined],
      ["/etc/conf", "file", "host", undefined],
      ["/bin/sh", "link", "none", "/proc/boot/ksh"],
      ["/var/run", "dir", "none", undefined],
      ["/bin/ls", "file", "builtin", "ls"],
      ["/bin/list", "file", "builtin", "ls"],
      ["/bin/app", "file", "program", undefined],
      ["/opt", "dir", "none", undefined],
      ["/opt/a.txt", "file", "host", undefined],
      ["/opt/sub", "dir", "none", undefined],
      ["/opt/sub/b.txt", "file", "host", undefined],
    ]);
  });

  it("optional missing files are skipped silently; the board attribute names the board", () => {
    const a = analyze("[board=rpi4]\n[+optional] /x=gone.txt\n", dir);
    expect(a.resolved.entries).toEqual([]);
    expect(a.resolved.board).toBe("rpi4");
    expect(a.diagnostics.map((d) => d.code)).toEqual(["no-script"]);
  });
});
