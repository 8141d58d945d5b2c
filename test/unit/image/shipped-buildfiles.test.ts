// Every shipped buildfile puts every built-in utility in its image: a program added to the
// table but left out of a buildfile is one a user cannot run (if_up once was).
import { describe, expect, it } from "vitest";
import { BUILTIN_PROGRAMS } from "../../../firmware/bin/index.ts";
import { buildImage } from "../../../images/image/build.ts";
import { readImage } from "../../../images/image/reader.ts";

const SHIPPED = ["host.build", "rpi3.build", "rpi4.build", "bbb.build"];
/** Reached through a link (`/bin/sh=/proc/boot/ksh`), not a file of its own. */
const LINKED = new Set(["sh"]);

describe("shipped buildfiles", () => {
  for (const file of SHIPPED) {
    it(`${file} builds without errors and carries every built-in program`, async () => {
      const result = await buildImage(`buildfiles/${file}`, { defines: {}, env: {} });
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const img = readImage(result.image!, file);
      const names = new Set(img.entries.filter((e) => e.builtin).map((e) => e.path.split("/").pop()));
      const missing = Object.keys(BUILTIN_PROGRAMS).filter((p) => !LINKED.has(p) && !names.has(p));
      expect(missing).toEqual([]);
    });
  }
});
