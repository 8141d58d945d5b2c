// `netrino build` then `netrino boot out.ifs`: the boot path reads the image with readFileSync,
// which returns a Node Buffer. A Buffer's slice() is a view, not a copy, so a reader that
// takes `.slice().buffer` would decode the whole (possibly pooled) ArrayBuffer from offset 0.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBootImage } from "../../../firmware/boot/host-boot.ts";
import { buildImage } from "../../../images/image/build.ts";
import { readImage } from "../../../images/image/reader.ts";

const dir = mkdtempSync(join(tmpdir(), "netrino-bootfile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function hostImage(): Promise<Uint8Array> {
  const result = await buildImage("buildfiles/host.build", { defines: {}, env: {} });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.image!;
}

describe("reading an image from a Node Buffer", () => {
  it("decodes an image that sits at an offset inside a larger ArrayBuffer", async () => {
    const image = await hostImage();
    const big = Buffer.alloc(image.length + 100, 0xaa);
    big.set(image, 100);
    const img = readImage(big.subarray(100), "offset");
    expect(img.header.board).toBe("host");
    expect(new TextDecoder().decode(img.fileData("/etc/hosts"))).toContain("localhost");
    // fileData hands out a copy: changing it does not change the image.
    img.fileData("/etc/hosts").fill(0);
    expect(new TextDecoder().decode(img.fileData("/etc/hosts"))).toContain("localhost");
  });

  it("loadBootImage boots a built image file, as `netrino boot out.ifs` does", async () => {
    const file = join(dir, "host.ifs");
    writeFileSync(file, await hostImage());
    const errors: string[] = [];
    const img = await loadBootImage({ file }, (s) => errors.push(s));
    expect(errors).toEqual([]);
    expect(img?.header.board).toBe("host");
    expect(img?.find("/proc/boot/ksh")).toBeDefined();
    expect(readFileSync(file).length).toBe(img?.header.totalLength);
  });
});
