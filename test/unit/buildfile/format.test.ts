// `netrino fmt`: canonical layout, comments kept, idempotent, shipped buildfiles formatted.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatBuildfile } from "../../../images/buildfile/format.ts";
import { parseBuildfile } from "../../../images/buildfile/parser.ts";

const fmt = (s: string) => formatBuildfile(parseBuildfile(s, "t").ast);
const BUILDFILES = join(import.meta.dirname, "../../../buildfiles");

describe("fmt", () => {
  it("normalizes spacing and keeps comments", () => {
    const src = [
      "",
      "# top comment",
      "[  uid=0    gid=0 ]   # sticky",
      "",
      "",
      "  /a   =   real.txt   # trailing",
      "[+script]   .script={ display_msg   hi",
      "   # inside",
      "[pri=10]   ksh   & }",
      "/etc/f = {",
      "  keep   this  exactly",
      "}",
    ].join("\n");
    expect(fmt(src)).toBe(
      [
        "# top comment",
        "[uid=0 gid=0]  # sticky",
        "",
        "/a=real.txt  # trailing",
        "[+script] .script = {",
        "    display_msg hi",
        "    # inside",
        "    [pri=10] ksh &",
        "}",
        "/etc/f = {",
        "  keep   this  exactly",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("is idempotent", () => {
    const src = "[+script] .script = {\n\n\n  a  b\n\n}\n\n\n# x\n[a=b]\n";
    const once = fmt(src);
    expect(fmt(once)).toBe(once);
  });

  it.each(readdirSync(BUILDFILES).filter((f) => f.endsWith(".build")))("shipped %s is formatted", (f) => {
    const src = readFileSync(join(BUILDFILES, f), "utf8");
    expect(fmt(src)).toBe(src);
  });
});
