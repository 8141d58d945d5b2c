// The sysctl tree of one stack: named integer tunables bound to the stack's config, and read-only
// "struct" nodes for the protocol counters. The `sysctl` utility formats what this returns.
import { KernelError } from "../../kernel/errno.ts";

export type SysctlValue = number | string | Record<string, unknown>;

export interface SysctlNode {
  readonly name: string;
  readonly type: "int" | "string" | "struct";
  readonly description: string;
  readonly writable: boolean;
  readonly min?: number;
  readonly max?: number;
  get(): SysctlValue;
  set?(v: number | string): void;
}

export class Sysctl {
  private readonly nodes = new Map<string, SysctlNode>();

  add(node: SysctlNode): void {
    if (this.nodes.has(node.name)) throw new KernelError("EEXIST", `sysctl: ${node.name} exists`);
    this.nodes.set(node.name, node);
  }

  /** An integer bound to an object's field (`obj[key]`), with bounds. */
  addInt<T extends object, K extends keyof T & string>(
    name: string,
    obj: T,
    key: K,
    description: string,
    bounds: { min?: number; max?: number; readonly?: boolean } = {},
  ): void {
    const o = obj as Record<string, unknown>;
    this.add({
      name,
      type: "int",
      description,
      writable: !bounds.readonly,
      min: bounds.min,
      max: bounds.max,
      get: () => o[key] as number,
      set: (v) => {
        o[key] = v as number;
      },
    });
  }

  remove(name: string): boolean {
    return this.nodes.delete(name);
  }

  private node(name: string): SysctlNode {
    const n = this.nodes.get(name);
    if (n === undefined) throw new KernelError("ENOENT", `unknown oid '${name}'`);
    return n;
  }

  get(name: string): SysctlValue {
    return this.node(name).get();
  }

  /** Sets from text (as `sysctl -w name=value` gives) or a number; EINVAL on type/bounds, EPERM if read-only. */
  set(name: string, value: string | number): SysctlValue {
    const n = this.node(name);
    if (!n.writable || n.set === undefined) throw new KernelError("EPERM", `${name}: read-only`);
    if (n.type === "int") {
      const text = String(value).trim();
      if (!/^-?\d+$/.test(text) && !/^0x[0-9a-fA-F]+$/.test(text)) {
        throw new KernelError("EINVAL", `${name}: invalid integer '${value}'`);
      }
      const v = Number(text);
      if ((n.min !== undefined && v < n.min) || (n.max !== undefined && v > n.max)) {
        throw new KernelError("EINVAL", `${name}: ${v} out of range`);
      }
      const old = n.get();
      n.set(v);
      return old;
    }
    if (n.type === "string") {
      const old = n.get();
      n.set(String(value));
      return old;
    }
    throw new KernelError("EINVAL", `${name}: cannot set a struct`);
  }

  /** Names under `prefix` (a whole component path, e.g. `net.inet.ip`), sorted; all when empty. */
  list(prefix = ""): string[] {
    const names = [...this.nodes.keys()].filter(
      (n) => prefix === "" || n === prefix || n.startsWith(prefix + "."),
    );
    if (names.length === 0 && prefix !== "") throw new KernelError("ENOENT", `unknown oid '${prefix}'`);
    return names.sort();
  }

  describe(name: string): SysctlNode {
    return this.node(name);
  }
}
