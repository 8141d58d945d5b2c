// Runs scripts in a Shell over the fake OS with a few fake external programs installed.
import { ExitRequest } from "../../../firmware/shell/errors.ts";
import { Shell } from "../../../firmware/shell/interp.ts";
import { FakeOs } from "./fake-os.ts";

export function makeOs(stdin = ""): FakeOs {
  const os = new FakeOs(stdin);
  os.program("cat", async (c) => {
    const files = c.argv.slice(1);
    if (files.length === 0) await c.write(1, await c.readAll(0));
    for (const f of files) {
      const data = os.files.get(f.startsWith("/") ? f : `${c.cwd}/${f}`);
      if (!data) {
        await c.write(2, `cat: ${f}: No such file or directory\n`);
        return 1;
      }
      await c.write(1, data.data);
    }
    return 0;
  });
  os.program("upper", async (c) => {
    await c.write(1, (await c.readAll(0)).toUpperCase());
    return 0;
  });
  os.program("wcl", async (c) => {
    const s = await c.readAll(0);
    await c.write(1, `${s.split("\n").length - 1}\n`);
    return 0;
  });
  os.program("args", async (c) => {
    await c.write(
      1,
      c.argv
        .slice(1)
        .map((a) => `<${a}>`)
        .join("") + "\n",
    );
    return 0;
  });
  os.program("status", async (c) => Number(c.argv[1] ?? 0));
  os.program("printenv", async (c) => {
    await c.write(1, `${c.env[c.argv[1]] ?? ""}\n`);
    return 0;
  });
  os.program("errout", async (c) => {
    await c.write(2, "to-stderr\n");
    await c.write(1, "to-stdout\n");
    return 0;
  });
  os.program("sleep", async (c) => {
    let sig = await c.signalled();
    while (sig === "SIGCONT") sig = await c.signalled();
    return sig === "SIGINT" ? 130 : sig === "SIGTERM" ? 143 : 137;
  });
  return os;
}

export async function run(
  script: string,
  opts: { os?: FakeOs; args?: string[]; env?: Record<string, string> } = {},
): Promise<{ status: number; out: string; err: string; os: FakeOs; sh: Shell }> {
  const os = opts.os ?? makeOs();
  const sh = new Shell(os, {
    env: { PATH: "/bin", HOME: "/", ...opts.env },
    cwd: "/",
    args: opts.args ?? [],
  });
  const io = new Map([
    [0, 0],
    [1, 1],
    [2, 2],
  ]);
  let status: number;
  try {
    status = await sh.runSource(script, io);
  } catch (e) {
    if (!(e instanceof ExitRequest)) throw e;
    status = e.status;
  }
  return { status, out: os.stdout, err: os.stderr, os, sh };
}
