// The congestion-control algorithms by name (`net.inet.tcp.congctl`, TCP_CONGESTION).
import { Cubic } from "./cubic.ts";
import { NewReno } from "./newreno.ts";
import type { CongestionControl } from "./types.ts";

export const CONGCTL_NAMES = ["cubic", "newreno"] as const;

/** A fresh controller, or null for an unknown name. */
export function createCongestionControl(name: string, initialCwnd: number): CongestionControl | null {
  if (name === "cubic") return new Cubic(initialCwnd);
  if (name === "newreno") return new NewReno(initialCwnd);
  return null;
}
