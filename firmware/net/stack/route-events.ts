// What routing sockets report (BSD's rt_missmsg / rt_ifmsg / rt_newaddrmsg): every change to a
// route, to an interface's flags or link state, and to its addresses, whoever made it (route,
// ifconfig, DHCP, a routing-socket write), routes learned from ICMP redirects, and lookups that
// found no route. The stack calls this one hub from the places those things happen; the AF_ROUTE
// protocol subscribes and turns each into a message.
import type { IfAddr, Ifnet } from "./ifnet.ts";
import type { Route } from "./route.ts";

/** Who asked for a change: the process and the sequence number it wrote (0, 0: the stack itself). */
export interface RouteOrigin {
  readonly pid: number;
  readonly seq: number;
}

export const STACK_ORIGIN: RouteOrigin = { pid: 0, seq: 0 };

export type RouteChange = "add" | "delete" | "change";

export interface RouteEventSink {
  route(change: RouteChange, r: Route, origin: RouteOrigin): void;
  /** Interface flags or link state changed. */
  ifinfo(ifp: Ifnet): void;
  addr(change: "add" | "delete", ia: IfAddr, origin: RouteOrigin): void;
  /** A lookup for `dst` found no route (BSD's RTM_MISS). */
  miss(dst: number): void;
  /** `r` was made or changed by an ICMP redirect from `author` (RTM_REDIRECT). */
  redirect(r: Route, author: number): void;
}

export class RouteEvents {
  private readonly sinks: RouteEventSink[] = [];
  private origin: RouteOrigin = STACK_ORIGIN;
  /** Table changes made by a redirect are reported once, as the redirect. */
  private muted = false;

  subscribe(sink: RouteEventSink): void {
    this.sinks.push(sink);
  }

  unsubscribe(sink: RouteEventSink): void {
    const i = this.sinks.indexOf(sink);
    if (i >= 0) this.sinks.splice(i, 1);
  }

  /** Runs `fn` with the changes it makes attributed to `origin` (a routing-socket or control request). */
  as<T>(origin: RouteOrigin, fn: () => T): T {
    const prev = this.origin;
    this.origin = origin;
    try {
      return fn();
    } finally {
      this.origin = prev;
    }
  }

  route(change: RouteChange, r: Route): void {
    if (this.muted) return;
    for (const s of this.sinks) s.route(change, r, this.origin);
  }

  ifinfo(ifp: Ifnet): void {
    for (const s of this.sinks) s.ifinfo(ifp);
  }

  addr(change: "add" | "delete", ia: IfAddr): void {
    for (const s of this.sinks) s.addr(change, ia, this.origin);
  }

  miss(dst: number): void {
    for (const s of this.sinks) s.miss(dst);
  }

  /** Runs `apply` (which returns the route it made or changed) and reports it as a redirect. */
  redirect(author: number, apply: () => Route): void {
    this.muted = true;
    let r: Route;
    try {
      r = apply();
    } finally {
      this.muted = false;
    }
    for (const s of this.sinks) s.redirect(r, author);
  }
}
