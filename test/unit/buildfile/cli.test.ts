// The netrino CLI: dispatch, exit statuses, lint output format, fmt --check, build + dump.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../images/cli/main.ts";
import { analyzeBuildfile } from "../../../images/buildfile/lint.ts";
import type { CliIo } from "../../../images/cli/io.ts";

function run(argv: string[], cwd: string, env: Record<string, string> = {}) {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd, env };
  return main(argv, io).then((status) => ({ status, out, err }));
}

describe("netrino CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "netrino-cli-"));
  writeFileSync(
    join(dir, "bad.build"),
    "[+script] .script = {\n    io-pkt -d vwire priorty=50 &\n}\n[type=builtin] io-pkt\n",
  );
  writeFileSync(
    join(dir, "ok.build"),
    "[+script] .script = {\n    display_msg ${WHO}\n}\n/etc/x = {\nhi\n}\n",
  );
  writeFileSync(join(dir, "ugly.build"), "[+script]   .script = {\n  display_msg hi\n}\n");

  it("lint prints file:line:col, the source line, a caret and a hint; exit 1", async () => {
    const r = await run(["lint", "bad.build"], dir);
    expect(r.status).toBe(1);
    expect(r.out.split("\n").slice(0, 3)).toEqual([
      'bad.build:2:21: error: Unknown option "priorty" for devnp-vwire',
      "    io-pkt -d vwire priorty=50 &",
      "                    ^~~~~~~",
    ]);
    expect(r.out.split("\n")[3]).toMatch(/^ {2}hint: did you mean "priority"\? valid options: hub, udp/);
    expect(r.err).toMatch(/1 error, 0 warnings/);
  });

  it("lint --format json: file, line, column, severity, code, message, hint", async () => {
    const r = await run(["lint", "bad.build", "--format", "json"], dir);
    expect(r.status).toBe(1);
    const [d] = JSON.parse(r.out) as Array<Record<string, unknown>>;
    expect(d).toMatchObject({
      file: "bad.build",
      line: 2,
      column: 21,
      length: 7,
      severity: "error",
      code: "module-option",
      message: 'Unknown option "priorty" for devnp-vwire',
    });
    expect(d.hint).toMatch(/did you mean "priority"/);
    expect((await run(["lint", "bad.build", "--format", "xml"], dir)).status).toBe(2);
  });

  it("lint --strict reports notes (accepted and ignored) as warnings; the exit status stays 0", async () => {
    writeFileSync(
      join(dir, "notes.build"),
      "[+script] .script = {\n    display_msg hi\n}\n[+keeplinked] /etc/x = { x }\n",
    );
    const plain = await run(["lint", "notes.build"], dir);
    expect([plain.status, plain.err]).toEqual([0, "notes.build: 0 errors, 0 warnings, 1 note\n"]);
    expect(plain.out).toMatch(/^notes.build:4:2: note: Attribute "keeplinked" is accepted and ignored/);
    const strict = await run(["lint", "--strict", "notes.build"], dir);
    expect([strict.status, strict.err]).toEqual([0, "notes.build: 0 errors, 1 warning\n"]);
  });

  it("host.build's console follows netrino boot --console (CONSOLE_BACKEND, CONSOLE_DEVICE)", async () => {
    const hostBuild = join(import.meta.dirname, "../../../buildfiles/host.build");
    const src = readFileSync(hostBuild, "utf8");
    const devcSer = (defines: Record<string, string>) =>
      analyzeBuildfile(src, hostBuild, { defines, env: {} }).script.find(
        (l) => l.kind === "exec" && l.argv[0] === "devc-ser",
      );
    // An unquoted word that expands to nothing is no argument, as in the shell.
    expect(devcSer({})).toMatchObject({ argv: ["devc-ser", "-t", "terminal"] });
    expect(devcSer({ CONSOLE_BACKEND: "serial", CONSOLE_DEVICE: "/dev/pts/7" })).toMatchObject({
      argv: ["devc-ser", "-t", "serial", "/dev/pts/7"],
    });
  });

  it("lint: -D defines variables; a clean file exits 0", async () => {
    expect((await run(["lint", "ok.build"], dir)).status).toBe(1);
    expect((await run(["lint", "ok.build", "-D", "WHO=me"], dir)).status).toBe(0);
    expect((await run(["lint", "ok.build"], dir, { WHO: "env" })).status).toBe(0);
  });

  it("fmt --check reports, fmt rewrites", async () => {
    const check = await run(["fmt", "--check", "ugly.build"], dir);
    expect(check.status).toBe(1);
    expect(check.out).toBe("ugly.build: not formatted\n");
    expect((await run(["fmt", "ugly.build"], dir)).status).toBe(0);
    expect(readFileSync(join(dir, "ugly.build"), "utf8")).toBe(
      "[+script] .script = {\n    display_msg hi\n}\n",
    );
    expect((await run(["fmt", "--check", "ugly.build"], dir)).status).toBe(0);
  });

  it("build writes the image; dump lists it; a failed build leaves the old image", async () => {
    const b = await run(["build", "ok.build", "-o", "out/ok.ifs", "-DWHO=me"], dir);
    expect(b.status).toBe(0);
    expect(b.out).toMatch(/^out\/ok\.ifs: \d+ bytes, 1 entries, board host\n$/);
    const before = readFileSync(join(dir, "out/ok.ifs"));
    const d = await run(["dump", "out/ok.ifs"], dir);
    expect(d.status).toBe(0);
    expect(d.out).toMatch(/Board: host/);
    expect(d.out).toMatch(/-rw-r--r--\s+0\s+0\s+3\s+\/etc\/x/);
    expect(d.out).toMatch(/display_msg me/);
    const failed = await run(["build", "ok.build", "-o", "out/ok.ifs"], dir);
    expect(failed.status).toBe(1);
    expect(failed.err).toMatch(/image not written/);
    expect(readFileSync(join(dir, "out/ok.ifs")).equals(before)).toBe(true);
  });

  it("dump refuses a corrupt image", async () => {
    writeFileSync(join(dir, "junk.ifs"), "NTRN-IFS" + "x".repeat(100));
    const r = await run(["dump", "junk.ifs"], dir);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^netrino dump: junk\.ifs: /);
  });

  it("help, --version, unknown commands and usage errors", async () => {
    expect((await run(["help"], dir)).out).toMatch(/^usage: netrino <command>/);
    expect((await run(["--version"], dir)).out).toMatch(/^netrino \d+\.\d+\.\d+\n$/);
    const unknown = await run(["frob"], dir);
    expect(unknown.status).toBe(2);
    expect(unknown.err).toMatch(/unknown command "frob"/);
    expect((await run([], dir)).status).toBe(2);
    expect((await run(["lint"], dir)).status).toBe(2);
    expect((await run(["build", "ok.build", "-x"], dir)).status).toBe(2);
    expect((await run(["lint", "missing.build"], dir)).err).toMatch(/No such file or directory/);
  });
});
