// The Debian archive client against a fake archive on a loopback HTTP server, signed with a
// throw-away gpg key: a package and its dependency download, verify and unpack; a missing
// package or dependency, a .deb whose SHA256 differs from the index, a corrupt cached .deb,
// a tampered InRelease and an unreachable mirror each fail (or heal) with a message naming
// the problem. Needs gpg, gpgv and dpkg-deb (packages gnupg, gpgv, dpkg).
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageClosure, unpackedTree } from "../../../images/card/deb-tree.ts";
import { DebianRepo, sha256 } from "../../../images/card/debian-repo.ts";

const have = (cmd: string): boolean => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const need = (have("gpg") && have("gpgv") && have("dpkg-deb")) || process.env.CI === "true";

function run(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv, input?: string): Buffer {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, input });
  if (r.error || r.status !== 0) throw new Error(`${cmd}: ${r.error?.message ?? String(r.stderr)}`);
  return r.stdout;
}

describe.skipIf(!need)("DebianRepo against a fake signed archive (needs gpg, gpgv, dpkg-deb)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netrino-fake-archive-"));
  const www = join(dir, "www");
  const gnupg = join(dir, "gnupg");
  const keyring = join(dir, "keyring.gpg");
  let server: Server;
  let mirror = "";
  let inRelease: Buffer = Buffer.alloc(0);
  let cacheNo = 0;

  const put = (rel: string, data: Uint8Array | string): void => {
    mkdirSync(dirname(join(www, rel)), { recursive: true });
    writeFileSync(join(www, rel), data);
  };

  function deb(name: string, depends: string): { stanza: string; data: Buffer } {
    const root = join(dir, "pkg", name);
    mkdirSync(join(root, "DEBIAN"), { recursive: true });
    mkdirSync(join(root, "usr", "share", name), { recursive: true });
    writeFileSync(join(root, "usr", "share", name, "hello"), `${name}\n`);
    writeFileSync(
      join(root, "DEBIAN", "control"),
      `Package: ${name}\nVersion: 1.0\nArchitecture: arm64\nMaintainer: t <t@t>\nDescription: t\n${depends ? `Depends: ${depends}\n` : ""}`,
    );
    const file = join(dir, `${name}.deb`);
    run("dpkg-deb", ["--root-owner-group", "-Zxz", "-b", root, file]);
    const data = readFileSync(file);
    const filename = `pool/main/${name}_1.0_arm64.deb`;
    return {
      data,
      stanza: `Package: ${name}\nVersion: 1.0\nArchitecture: arm64\nFilename: ${filename}\nSize: ${data.length}\nSHA256: ${sha256(data)}\n${depends ? `Depends: ${depends}\n` : ""}`,
    };
  }

  const repo = (log?: (l: string) => void): DebianRepo =>
    new DebianRepo({
      mirror,
      suite: "trixie",
      arch: "arm64",
      components: ["main"],
      cache: join(dir, `cache${++cacheNo}`),
      keyring,
      log,
    });

  beforeAll(async () => {
    const gpgEnv = { GNUPGHOME: gnupg };
    mkdirSync(gnupg, { recursive: true, mode: 0o700 });
    run(
      "gpg",
      [
        "--batch",
        "--passphrase",
        "",
        "--quick-gen-key",
        "Fake Archive <fake@test>",
        "ed25519",
        "sign",
        "never",
      ],
      gpgEnv,
    );
    writeFileSync(keyring, run("gpg", ["--batch", "--export"], gpgEnv));

    const app = deb("app", "liba (>= 1.0), liba | libgone");
    const liba = deb("liba", "");
    const orphan = deb("orphan", "libgone");
    const wrong = deb("wrong", "");
    put(app.stanza.match(/Filename: (.*)/)?.[1] ?? "", app.data);
    put(liba.stanza.match(/Filename: (.*)/)?.[1] ?? "", liba.data);
    put(orphan.stanza.match(/Filename: (.*)/)?.[1] ?? "", orphan.data);
    // The index vouches for other bytes than the archive serves.
    put(wrong.stanza.match(/Filename: (.*)/)?.[1] ?? "", Buffer.concat([wrong.data, Buffer.from("x")]));
    const packages = gzipSync([app, liba, orphan, wrong].map((p) => p.stanza).join("\n"));
    put("dists/trixie/main/binary-arm64/Packages.gz", packages);
    const release = `Suite: trixie\nCodename: trixie\nSHA256:\n ${sha256(packages)} ${packages.length} main/binary-arm64/Packages.gz\n`;
    inRelease = run("gpg", ["--batch", "--clearsign", "-o", "-"], gpgEnv, release);
    put("dists/trixie/InRelease", inRelease);

    server = createServer((req, res) => {
      try {
        res.end(readFileSync(join(www, decodeURIComponent(req.url ?? "/"))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("downloads, verifies and unpacks a package with its dependencies", async () => {
    const r = repo();
    const pkgs = await packageClosure(r, ["app"]);
    expect(pkgs.map((p) => p.name)).toEqual(["app", "liba"]);
    const tree = await unpackedTree(r, pkgs[0]);
    expect(readFileSync(join(tree, "usr/share/app/hello"), "utf8")).toBe("app\n");
  });

  it("looks a closure up once per InRelease: later builds do not load the package index", async () => {
    const cache = join(dir, "memo-cache");
    const make = (): DebianRepo =>
      new DebianRepo({ mirror, suite: "trixie", arch: "arm64", components: ["main"], cache, keyring });
    const first = await packageClosure(make(), ["app"]);
    // The index gone (download, parsed copy and the mirror's file): the same closure still comes.
    const index = "dists/trixie/main/binary-arm64/Packages.gz";
    const packages = readFileSync(join(www, index));
    rmSync(join(www, index));
    rmSync(join(cache, "debian", "parsed"), { recursive: true, force: true });
    rmSync(join(cache, "debian", "by-hash"), { recursive: true, force: true });
    try {
      expect(await packageClosure(make(), ["app"])).toEqual(first);
      // One never looked up needs the index.
      await expect(packageClosure(make(), ["liba"])).rejects.toThrow(/HTTP 404/);
    } finally {
      put(index, packages);
    }
  });

  it("names a package the archive does not have", async () => {
    await expect(packageClosure(repo(), ["nope"])).rejects.toThrow(
      "package nope is not in trixie/arm64 (main)",
    );
  });

  it("names a missing dependency and the package that needs it", async () => {
    await expect(packageClosure(repo(), ["orphan"])).rejects.toThrow(
      "dependency libgone (of orphan) is not in trixie/arm64",
    );
  });

  it("refuses a download whose SHA256 differs from the index, naming the file", async () => {
    const r = repo();
    const [wrong] = await packageClosure(r, ["wrong"]);
    await expect(r.deb(wrong)).rejects.toThrow(
      /pool\/main\/wrong_1\.0_arm64\.deb: SHA256 [0-9a-f]{64} does not match the archive's [0-9a-f]{64}/,
    );
  });

  it("fetches a corrupt cached package again", async () => {
    const lines: string[] = [];
    const r = repo((l) => lines.push(l));
    const [app] = await packageClosure(r, ["app"]);
    const { path } = await r.deb(app);
    writeFileSync(path, "garbage");
    const again = await r.deb(app);
    expect(sha256(again.data)).toBe(app.sha256);
    expect(lines.join("\n")).toContain(
      "pool/main/app_1.0_arm64.deb is corrupt (SHA256 mismatch): fetching it again",
    );
  });

  it("refuses an InRelease whose signature does not verify", async () => {
    put(
      "dists/trixie/InRelease",
      inRelease.toString("utf8").replace("Codename: trixie", "Codename: tampered"),
    );
    try {
      await expect(packageClosure(repo(), ["app"])).rejects.toThrow("trixie/InRelease: bad signature");
    } finally {
      put("dists/trixie/InRelease", inRelease);
    }
  });

  it("says which mirror it cannot reach", async () => {
    const r = new DebianRepo({
      mirror: "http://127.0.0.1:9",
      suite: "trixie",
      arch: "arm64",
      components: ["main"],
      cache: join(dir, "cache-unreachable"),
      keyring,
    });
    await expect(r.index()).rejects.toThrow("cannot fetch http://127.0.0.1:9/dists/trixie/InRelease");
  });
});
