// A Debian archive seen through its own checksums: InRelease (signature checked with gpgv and
// the host's Debian keyring when both exist) → SHA256 of each Packages index → SHA256 of each
// .deb. Everything downloaded is kept under <cache>/debian/, named by its checksum, and checked
// again when it is read back, so a corrupt cached file is found and fetched anew.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";

export class DebianError extends Error {}

export interface DebPackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
  readonly depends: string;
  readonly preDepends: string;
  readonly provides: string;
}

export interface RepoOptions {
  readonly mirror: string;
  readonly suite: string;
  readonly arch: string;
  readonly components: readonly string[];
  readonly cache: string;
  /** Progress lines ("fetching …"); none when absent. */
  readonly log?: (line: string) => void;
  /**
   * The keyring InRelease must be signed with (NETRINO_DEBIAN_KEYRING, for another archive);
   * default: Debian's, when installed.
   */
  readonly keyring?: string;
  /** Refuse to download: fail when something is not cached (tests of the cache). */
  readonly offline?: boolean;
}

const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
/** InRelease is re-read after this long, so a point release's new indexes are seen. */
const INRELEASE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function writeAtomic(path: string, data: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

async function download(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new DebianError(
      `cannot fetch ${url}: ${((e as Error).cause as Error)?.message ?? (e as Error).message}`,
    );
  }
  if (!res.ok) throw new DebianError(`cannot fetch ${url}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** `Key: value` stanzas separated by blank lines; continuation lines start with a space. */
export function parseStanzas(text: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  let cur = new Map<string, string>();
  let last = "";
  for (const line of text.split("\n")) {
    if (line === "") {
      if (cur.size > 0) out.push(cur);
      cur = new Map();
      continue;
    }
    if (line.startsWith(" ") || line.startsWith("\t")) {
      cur.set(last, `${cur.get(last) ?? ""}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon);
    cur.set(last, line.slice(colon + 1).trim());
  }
  if (cur.size > 0) out.push(cur);
  return out;
}

/** The SHA256 list of a Release file: path → [sha256, size]. */
export function releaseHashes(release: string): Map<string, { sha256: string; size: number }> {
  const out = new Map<string, { sha256: string; size: number }>();
  const stanza = parseStanzas(
    release.replace(/^-----BEGIN PGP SIGNED MESSAGE-----\n(?:Hash:.*\n)*\n/, ""),
  )[0];
  for (const line of (stanza?.get("SHA256") ?? "").split("\n")) {
    const m = /^([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line.trim());
    if (m) out.set(m[3], { sha256: m[1], size: Number(m[2]) });
  }
  return out;
}

export class DebianRepo {
  readonly opts: RepoOptions;
  private packages?: Map<string, DebPackage>;
  private providers?: Map<string, string>;

  constructor(opts: RepoOptions) {
    this.opts = opts;
  }

  private get dir(): string {
    return join(this.opts.cache, "debian");
  }

  private async inRelease(): Promise<string> {
    const path = join(this.dir, "dists", this.opts.suite, "InRelease");
    const fresh = existsSync(path) && Date.now() - statMtime(path) < INRELEASE_MAX_AGE_MS;
    if (!fresh && !this.opts.offline) {
      this.opts.log?.(`fetching ${this.opts.suite} InRelease`);
      const data = await download(`${this.opts.mirror}/dists/${this.opts.suite}/InRelease`);
      checkSignature(data, `${this.opts.suite}/InRelease`, this.opts.keyring);
      writeAtomic(path, data);
    }
    if (!existsSync(path)) throw new DebianError(`${this.opts.suite}/InRelease is not cached (offline)`);
    return readFileSync(path, "utf8");
  }

  /**
   * `compute`'s result (plain data looked up in the index), kept on disk per InRelease,
   * components and `what`: a warm build reads it instead of loading the whole index.
   */
  async memo<T>(what: string, compute: () => Promise<T>): Promise<T> {
    const release = await this.inRelease();
    const key = createHash("sha256")
      .update(`${release}\n${this.opts.arch}\n${this.opts.components.join(" ")}\n${what}`)
      .digest("hex");
    const path = join(this.dir, "resolved", `${key}.json`);
    if (existsSync(path)) {
      try {
        return JSON.parse(readFileSync(path, "utf8")) as T;
      } catch {
        rmSync(path); // torn or corrupt: look it up again
      }
    }
    const value = await compute();
    writeAtomic(path, new TextEncoder().encode(JSON.stringify(value)));
    return value;
  }

  /** Every package of the configured components and architecture, by name (newest entry wins). */
  async index(): Promise<Map<string, DebPackage>> {
    if (this.packages) return this.packages;
    const hashes = releaseHashes(await this.inRelease());
    const packages = new Map<string, DebPackage>();
    const providers = new Map<string, string>();
    for (const component of this.opts.components) {
      const rel = `${component}/binary-${this.opts.arch}/Packages.gz`;
      const want = hashes.get(rel);
      if (!want) throw new DebianError(`${this.opts.suite}/InRelease lists no ${rel}`);
      for (const pkg of await this.componentPackages(rel, want.sha256)) {
        packages.set(pkg.name, pkg);
        for (const p of pkg.provides.split(",")) {
          const name = p.trim().split(/\s/)[0];
          if (name && !providers.has(name)) providers.set(name, pkg.name);
        }
      }
    }
    this.packages = packages;
    this.providers = providers;
    return packages;
  }

  /**
   * The packages of one Packages.gz. Parsing tens of thousands of stanzas takes seconds, so
   * the parsed records are kept next to it (named by its SHA256): a warm build reads those.
   */
  private async componentPackages(rel: string, want: string): Promise<DebPackage[]> {
    const parsed = join(this.dir, "parsed", `${want}.json`);
    if (existsSync(parsed)) {
      try {
        return JSON.parse(readFileSync(parsed, "utf8")) as DebPackage[];
      } catch {
        rmSync(parsed); // torn or corrupt: parse the verified index again
      }
    }
    const gz = await this.verified(`by-hash/${want}`, want, `dists/${this.opts.suite}/${rel}`);
    const out = parseStanzas(gunzipSync(gz).toString("utf8")).map((s): DebPackage => ({
      name: s.get("Package") ?? "",
      version: s.get("Version") ?? "",
      arch: s.get("Architecture") ?? "",
      filename: s.get("Filename") ?? "",
      size: Number(s.get("Size") ?? 0),
      sha256: s.get("SHA256") ?? "",
      depends: s.get("Depends") ?? "",
      preDepends: s.get("Pre-Depends") ?? "",
      provides: s.get("Provides") ?? "",
    }));
    writeAtomic(parsed, new TextEncoder().encode(JSON.stringify(out)));
    return out;
  }

  /** A package by name, or the first package providing that name. */
  async find(name: string): Promise<DebPackage | undefined> {
    const index = await this.index();
    return index.get(name) ?? index.get(this.providers?.get(name) ?? "");
  }

  /** The .deb's bytes, checked against the index's SHA256. */
  async deb(pkg: DebPackage): Promise<{ path: string; data: Uint8Array }> {
    const data = await this.verified(`pool/${pkg.sha256}.deb`, pkg.sha256, pkg.filename, pkg.size);
    return { path: join(this.dir, `pool/${pkg.sha256}.deb`), data };
  }

  /** A cached file whose checksum must be `want`; a missing or corrupt copy is downloaded. */
  private async verified(
    cacheName: string,
    want: string,
    urlPath: string,
    size?: number,
  ): Promise<Uint8Array> {
    const path = join(this.dir, cacheName);
    if (existsSync(path)) {
      const data = readFileSync(path);
      if (sha256(data) === want) return data;
      this.opts.log?.(`cached ${urlPath} is corrupt (SHA256 mismatch): fetching it again`);
      rmSync(path);
    }
    if (this.opts.offline) throw new DebianError(`${urlPath} is not cached (offline)`);
    this.opts.log?.(`fetching ${urlPath}${size ? ` (${(size / 1048576).toFixed(1)} MB)` : ""}`);
    const data = await download(`${this.opts.mirror}/${urlPath}`);
    const got = sha256(data);
    if (got !== want) {
      throw new DebianError(`${urlPath}: SHA256 ${got} does not match the archive's ${want}`);
    }
    writeAtomic(path, data);
    return data;
  }
}

function statMtime(path: string): number {
  return statSync(path).mtimeMs;
}

/**
 * Checks the InRelease signature with gpgv when the host has gpgv and Debian's keyring; a
 * keyring the user named must exist and gpgv must run.
 */
function checkSignature(data: Uint8Array, what: string, keyring?: string): void {
  if (keyring !== undefined && !existsSync(keyring))
    throw new DebianError(`keyring ${keyring} (NETRINO_DEBIAN_KEYRING) does not exist`);
  if (!existsSync(keyring ?? KEYRING)) return;
  const r = spawnSync("gpgv", ["--keyring", keyring ?? KEYRING, "-"], { input: data });
  if (r.error && keyring !== undefined)
    throw new DebianError(`cannot check ${what}: gpgv: ${r.error.message}`);
  if (r.error) return; // no gpgv: the TLS-less archive is then trusted on its checksums alone
  if (r.status !== 0)
    throw new DebianError(`${what}: bad signature: ${String(r.stderr).trim().split("\n").at(-1)}`);
}
