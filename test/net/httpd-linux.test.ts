// httpd and fetch against Linux: our runtime (a Kernel + io-pkt on devnp-pcap) holds one end of
// a veth, Linux the other in a namespace. curl downloads a file our httpd serves, and our fetch
// downloads one from Python's http.server; sha256 identical both ways, and curl sees our 404.
// Needs root (namespaces), curl, python3, sha256sum and the npm package "pcap".
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { run } from "../unit/bin/harness.ts";
import { Runtime } from "../unit/netutil/runtime.ts";
import { NetnsLab, nsExec, pythonHttpServer, sh } from "./lib/netns.ts";
import { copier, serveHostFile } from "./lib/copier.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";

const skip = requirement("httpd and fetch against Linux", {
  "root and network namespaces": canUseNetns(),
  curl: hasCommand("curl"),
  python3: hasCommand("python3"),
  sha256sum: hasCommand("sha256sum"),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

const OURS = "10.68.0.2";
const LINUX = "10.68.0.1";
const SIZE = 5 << 20;
const T = 120_000;

describe.skipIf(skip)("httpd and fetch with Linux as the peer", () => {
  const lab = new NetnsLab("hf");
  const hostTmp = mkdtempSync(join(tmpdir(), "netrino-hf-"));
  const data = new Uint8Array(SIZE).map((_, i) => (i * 29 + (i >> 11)) & 0xff);
  const sum = createHash("sha256").update(data).digest("hex");
  let rt: Runtime;
  let ns = "";

  beforeAll(async () => {
    ns = lab.namespace();
    const v = lab.veth(ns, `${LINUX}/24`);
    // A veth peer leaves checksums partial and sends GSO giants unless offloads are off.
    sh("ip", ["netns", "exec", ns, "ethtool", "-K", v.linux, "tx", "off", "tso", "off", "gso", "off"], {
      check: false,
    });
    rt = await Runtime.boot();
    await rt.startIoPkt(["-d", "pcap", `if=${v.ours}`]);
    await rt.ok(["ifconfig", "en0", `${OURS}/24`, "up"]);
    writeFileSync(join(hostTmp, "file.bin"), data);
  }, T);

  afterAll(async () => {
    await rt?.shutdown();
    lab.cleanup();
    rmSync(hostTmp, { recursive: true, force: true });
  }, T);

  it(
    "curl downloads from our httpd (sha256 identical) and gets its 404",
    async () => {
      const httpd = await serveHostFile(rt, join(hostTmp, "file.bin"));
      const curl = await nsExec(
        ns,
        "sh",
        [
          "-c",
          `curl -sS --retry 20 --retry-connrefused --retry-delay 1 http://${OURS}:8080/file.bin | sha256sum`,
        ],
        T,
      );
      expect(curl.stdout.split(" ")[0]).toBe(sum);
      const missing = await nsExec(ns, "curl", [
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        `http://${OURS}:8080/nope`,
      ]);
      expect(missing.stdout).toBe("404");
      await httpd.stop();
    },
    T,
  );

  it(
    "our fetch downloads from Python's http.server (sha256 identical)",
    async () => {
      await pythonHttpServer(lab, ns, LINUX, 8000, hostTmp);
      const r = await rt.sh(["fetch", "-q", "-o", "/tmp/got.bin", `http://${LINUX}:8000/file.bin`]);
      expect(r).toMatchObject({ status: 0, stderr: "" });
      const out = join(hostTmp, "got.bin");
      expect((await run(rt.kernel, copier(false), ["copy", "/tmp/got.bin", out])).status).toBe(0);
      expect(createHash("sha256").update(readFileSync(out)).digest("hex")).toBe(sum);
    },
    T,
  );
});
