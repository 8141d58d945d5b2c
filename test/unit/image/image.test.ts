// Image writer and reader: round trip, determinism, corruption and truncation refused,
// atomic writes, and the build of a buildfile with a bundled program.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../../images/image/atomic-write.ts";
import { buildImage } from "../../../images/image/build.ts";
import { ImageFormatError } from "../../../images/image/errors.ts";
import { HEADER_SIZE } from "../../../images/image/format.ts";
import { isImage, readImage } from "../../../images/image/reader.ts";
import { encodeImage, type ImageSpec } from "../../../images/image/writer.ts";

const enc = new TextEncoder();
const SPEC: ImageSpec = {
  board: "host",
  created: 1700000000,
  files: [
    {
      path: "/proc/boot/ksh",
      type: "file",
      perms: 0o755,
      uid: 0,
      gid: 0,
      data: enc.encode("#!builtin ksh\n"),
      builtin: true,
    },
    {
      path: "/etc/big",
      type: "file",
      perms: 0o644,
      uid: 1,
      gid: 2,
      data: enc.encode("x".repeat(5000)),
      compress: true,
    },
    { path: "/bin/sh", type: "link", perms: 0o777, uid: 0, gid: 0, link: "/proc/boot/ksh" },
    { path: "/var", type: "dir", perms: 0o700, uid: 0, gid: 0 },
  ],
  script: [
    {
      kind: "env",
      line: 2,
      argv: [],
      env: [["PATH", "/proc/boot"]],
      background: false,
      session: false,
      external: false,
    },
    {
      kind: "exec",
      line: 3,
      argv: ["ksh"],
      env: [],
      background: true,
      priority: 10,
      policy: "r",
      session: true,
      argv0: "-ksh",
      external: false,
    },
    {
      kind: "builtin",
      line: 4,
      argv: ["waitfor", "/dev/ser1", "4"],
      env: [],
      background: false,
      session: false,
      external: false,
    },
  ],
};

function refused(bytes: Uint8Array): ImageFormatError {
  try {
    readImage(bytes, "img");
  } catch (e) {
    expect(e).toBeInstanceOf(ImageFormatError);
    return e as ImageFormatError;
  }
  throw new Error("the corrupt image was accepted");
}

describe("image format", () => {
  it("round-trips files, links, directories and the structured script", () => {
    const bytes = encodeImage(SPEC);
    expect(isImage(bytes)).toBe(true);
    const img = readImage(bytes);
    expect(img.header).toMatchObject({
      board: "host",
      version: 1,
      created: 1700000000,
      totalLength: bytes.length,
    });
    expect(img.entries.map((e) => e.path)).toEqual([
      "/bin",
      "/bin/sh",
      "/etc",
      "/etc/big",
      "/proc",
      "/proc/boot",
      "/proc/boot/ksh",
      "/var",
    ]);
    const big = img.find("/etc/big")!;
    expect(big).toMatchObject({
      compressed: true,
      size: 5000,
      uid: 1,
      gid: 2,
      perms: 0o644,
      mtime: 1700000000,
    });
    expect(big.stored).toBeLessThan(100);
    expect(new TextDecoder().decode(img.fileData("/etc/big"))).toBe("x".repeat(5000));
    expect(img.find("/bin/sh")).toMatchObject({ type: "link", linkTarget: "/proc/boot/ksh" });
    expect(img.find("/proc/boot/ksh")).toMatchObject({ builtin: true, program: false });
    expect(img.find("/var")).toMatchObject({ type: "dir", perms: 0o700 });
    // toEqual treats a missing field as undefined: the reader's unset options match the spec.
    expect(img.script).toEqual(SPEC.script);
  });

  it("is deterministic: same input, same bytes, whatever the input order", () => {
    const a = encodeImage(SPEC);
    const b = encodeImage({ ...SPEC, files: [...SPEC.files].reverse() });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it("refuses truncated, extended, corrupted and foreign images with a clear message", () => {
    const good = encodeImage(SPEC);
    expect(refused(good.slice(0, 10)).problem).toBe("too-short");
    expect(refused(good.slice(0, good.length - 1)).message).toMatch(
      /truncated: header says \d+ bytes, have \d+/,
    );
    expect(refused(new Uint8Array([...good, 0])).problem).toBe("trailing-bytes");
    const magic = good.slice();
    magic[0] ^= 1;
    expect(refused(magic).problem).toBe("bad-magic");
    const version = good.slice();
    version[9] = 99;
    expect(refused(version).message).toMatch(/version 99 is not supported/);
    for (const at of [HEADER_SIZE + 3, good.length - 7, 50, 20]) {
      const flipped = good.slice();
      flipped[at] ^= 0x40;
      expect(refused(flipped).problem).toBe("bad-checksum");
    }
  });

  it("every single-byte corruption is refused", () => {
    const good = encodeImage(SPEC);
    for (let at = 0; at < good.length; at++) {
      const bad = good.slice();
      bad[at] ^= 0xff;
      expect(() => readImage(bad)).toThrow(ImageFormatError);
    }
  });

  it("refuses names the format cannot hold", () => {
    expect(() =>
      encodeImage({ ...SPEC, files: [{ path: "rel", type: "dir", perms: 0o755, uid: 0, gid: 0 }] }),
    ).toThrow(/absolute/);
    expect(() =>
      encodeImage({ ...SPEC, files: [{ path: "/a\0b", type: "dir", perms: 0o755, uid: 0, gid: 0 }] }),
    ).toThrow(/NUL/);
  });
});

describe("atomic write", () => {
  it("replaces the file in one step and leaves no temporary behind", () => {
    const dir = mkdtempSync(join(tmpdir(), "netrino-img-"));
    const path = join(dir, "out/x.ifs");
    writeFileAtomic(path, enc.encode("old"));
    writeFileAtomic(path, enc.encode("new"));
    expect(readFileSync(path, "utf8")).toBe("new");
    expect(readdirSync(join(dir, "out"))).toEqual(["x.ifs"]);
  });

  it("a failed write leaves the previous file untouched", () => {
    const dir = mkdtempSync(join(tmpdir(), "netrino-img-"));
    const path = join(dir, "x.ifs");
    writeFileSync(path, "previous");
    // Writing fails (the bytes are a detached buffer view that throws on access).
    const poisoned = new Proxy(new Uint8Array(4), {
      get(target, p) {
        if (p === "length") return 4;
        if (p === "buffer" || p === "byteOffset" || p === "byteLength") throw new Error("disk full");
        return Reflect.get(target, p);
      },
    });
    expect(() => writeFileAtomic(path, poisoned)).toThrow();
    expect(readFileSync(path, "utf8")).toBe("previous");
    expect(readdirSync(dir)).toEqual(["x.ifs"]);
  });
});

describe("build", () => {
  const dir = mkdtempSync(join(tmpdir(), "netrino-build-"));
  writeFileSync(
    join(dir, "app.ts"),
    'import { greet } from "./lib.ts";\nexport default { name: "app", usage: "app", main: () => (greet(), 0) };\n',
  );
  writeFileSync(join(dir, "lib.ts"), "export function greet(): string { return 'hi'; }\n");
  writeFileSync(join(dir, "notes.txt"), "notes\n");
  const buildfile = join(dir, "t.build");
  writeFileSync(
    buildfile,
    [
      "[board=rpi4]",
      "[+script] .script = {",
      "    display_msg ${GREETING}",
      "    [+session] ksh",
      "}",
      "[type=builtin] ksh",
      "[+compress] /etc/notes=notes.txt",
      "/bin/app=app.ts",
    ].join("\n"),
  );

  it("builds the same bytes twice, bundles programs and honours SOURCE_DATE_EPOCH", async () => {
    const opts = { defines: { GREETING: "hello" }, env: { SOURCE_DATE_EPOCH: "1234" } };
    const a = await buildImage(buildfile, opts);
    const b = await buildImage(buildfile, opts);
    // The session shell has no console here (no reopen): a warning, not an error.
    expect(a.diagnostics.map((d) => d.code)).toEqual(["session-without-console"]);
    expect(Buffer.from(a.image!).equals(Buffer.from(b.image!))).toBe(true);
    const img = readImage(a.image!);
    expect(img.header.board).toBe("rpi4");
    expect(img.header.created).toBe(1234);
    const app = img.find("/bin/app")!;
    expect(app.program).toBe(true);
    const js = new TextDecoder().decode(img.fileData(app));
    expect(js.split("\n")[0]).toBe("//netrino:program");
    expect(js).toContain("greet");
    expect(js).not.toContain(dir); // no host paths leak into the image
    expect(img.find("/etc/notes")?.compressed).toBe(true);
    expect(img.script[0].argv).toEqual(["display_msg", "hello"]);
    expect(img.script[1]).toMatchObject({ kind: "exec", session: true, argv: ["ksh"] });
  });

  it("refuses to build a buildfile with errors", async () => {
    const r = await buildImage(buildfile, { env: {} });
    expect(r.image).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toContain("undefined-variable");
  });

  it("a program that does not compile is a build error, not a crash", async () => {
    writeFileSync(join(dir, "broken.ts"), "export default {{{\n");
    const bf = join(dir, "broken.build");
    writeFileSync(bf, "[+script] .script = {\n}\n/bin/b=broken.ts\n");
    const r = await buildImage(bf, { env: {} });
    expect(r.image).toBeUndefined();
    expect(r.diagnostics.find((d) => d.code === "build-failed")?.message).toMatch(/Cannot bundle broken\.ts/);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});
