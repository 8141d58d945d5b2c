// `netrino dump IMAGE`: lists an image the way dumpifs does — header, every entry with
// mode, owner, size and name, and the startup script.
import type { ImageScriptLine } from "./format.ts";
import type { IfsImage, ImageEntry } from "./reader.ts";

const TYPE_CHAR = { file: "-", dir: "d", link: "l", fifo: "p" } as const;

export function modeString(e: Pick<ImageEntry, "type" | "perms">): string {
  const p = e.perms;
  const rwx = (shift: number, special: number, ch: string) => {
    const r = p & (4 << shift) ? "r" : "-";
    const w = p & (2 << shift) ? "w" : "-";
    const x = p & (1 << shift);
    const s = p & special;
    const last = s ? (x ? ch : ch.toUpperCase()) : x ? "x" : "-";
    return r + w + last;
  };
  return TYPE_CHAR[e.type] + rwx(6, 0o4000, "s") + rwx(3, 0o2000, "s") + rwx(0, 0o1000, "t");
}

export function scriptLineText(l: ImageScriptLine): string {
  const env = l.env.map(([n, v]) => `${n}=${quote(v)}`);
  if (l.kind === "env") return env.join(" ");
  const mods: string[] = [];
  if (l.priority !== undefined) mods.push(`pri=${l.priority}${l.policy ?? ""}`);
  if (l.session) mods.push("+session");
  if (l.argv0 !== undefined) mods.push(`argv0=${quote(l.argv0)}`);
  if (l.cpu !== undefined) mods.push(`cpu=${l.cpu}`);
  if (l.external) mods.push("+external");
  const parts = [...(mods.length ? [`[${mods.join(" ")}]`] : []), ...env, ...l.argv.map(quote)];
  return parts.join(" ") + (l.background ? " &" : "");
}

function quote(s: string): string {
  return s === "" || /[\s"'\\#&]/.test(s) ? JSON.stringify(s) : s;
}

function describe(e: ImageEntry, image: IfsImage): string {
  if (e.type === "link") return `${e.path} -> ${e.linkTarget}`;
  if (e.builtin) {
    const text = new TextDecoder().decode(image.fileData(e)).trim();
    return `${e.path} (${text.slice(2)})`;
  }
  if (e.program) return `${e.path} (program)`;
  return e.path;
}

export function dumpImage(image: IfsImage, name: string): string {
  const h = image.header;
  const out: string[] = [];
  out.push(`   Image: ${name}`);
  out.push(`   Board: ${h.board}   Build: ${h.buildId}   Format: ${h.version}   Size: ${h.totalLength}`);
  out.push(`  Source: ${h.generator}, ${new Date(h.created * 1000).toISOString()}   sha256: ${h.checksum}`);
  out.push("");
  out.push("Mode        Uid   Gid      Size    Stored  Name");
  for (const e of image.entries) {
    const stored = e.compressed ? String(e.stored) : "";
    out.push(
      `${modeString(e)}  ${String(e.uid).padStart(4)}  ${String(e.gid).padStart(4)}  ${String(e.size).padStart(8)}  ${stored.padStart(8)}  ${describe(e, image)}`,
    );
  }
  out.push("");
  out.push(`Startup script (${image.script.length} lines):`);
  for (const l of image.script) out.push(`  ${String(l.line).padStart(4)}  ${scriptLineText(l)}`);
  return out.join("\n") + "\n";
}
