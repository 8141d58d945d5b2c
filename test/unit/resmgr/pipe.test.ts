import { describe, expect, it } from "vitest";
import { settle } from "../../helpers/wait.ts";
import * as client from "../../../firmware/resmgr/client.ts";
import { pipe, startPipeManager } from "../../../firmware/resmgr/pipe.ts";
import { inThread, newKernel, runAs, str, text } from "./harness.ts";

const ROOT = { uid: 0, gid: 0 };

describe("pipes", () => {
  it("carries data, and the reader sees EOF once the writer closes", async () => {
    const k = newKernel();
    await startPipeManager(k);
    const got = await runAs(k, ROOT, async (t) => {
      const [r, w] = await pipe(t);
      const reading = inThread(t, async (t2) => {
        const parts: string[] = [];
        for (;;) {
          const b = await client.read(t2, r, 3);
          if (b.byteLength === 0) return parts;
          parts.push(str(b));
        }
      });
      await client.write(t, w, text("hello"));
      await client.close(t, w);
      return reading;
    });
    expect(got.join("")).toBe("hello");
  });

  it("a reader blocks until data arrives", async () => {
    const k = newKernel();
    await startPipeManager(k);
    const order: string[] = [];
    await runAs(k, ROOT, async (t) => {
      const [r, w] = await pipe(t);
      const p = inThread(t, async (t2) => order.push(`read ${str(await client.read(t2, r, 10))}`));
      // The reader is blocked in its read (sent to the pipe manager, no reply yet).
      await settle(
        () => [...t.process.threads.values()].some((x) => x !== t && x.state === "REPLY"),
        "the reader to block",
      );
      order.push("write");
      await client.write(t, w, text("x"));
      await p;
    });
    expect(order).toEqual(["write", "read x"]);
  });

  it("writing with no reader is EPIPE and raises SIGPIPE", async () => {
    const k = newKernel();
    await startPipeManager(k);
    const sigs: string[] = [];
    await runAs(k, ROOT, async (t) => {
      t.process.onSignal("SIGPIPE", (s) => sigs.push(s));
      const [r, w] = await pipe(t);
      await client.close(t, r);
      await expect(client.write(t, w, text("x"))).rejects.toMatchObject({ errno: "EPIPE" });
      await settle(() => sigs.length > 0, "SIGPIPE");
    });
    expect(sigs).toEqual(["SIGPIPE"]);
  });

  it("a writer blocks when the buffer is full and goes on as the reader drains it", async () => {
    const k = newKernel();
    await startPipeManager(k, { capacity: 4096 });
    const total = await runAs(k, ROOT, async (t) => {
      const [r, w] = await pipe(t);
      const big = new Uint8Array(20000).fill(7);
      const writing = inThread(t, async (t2) => {
        const n = await client.write(t2, w, big);
        await client.close(t2, w);
        return n;
      });
      let got = 0;
      for (;;) {
        const b = await client.read(t, r, 1000);
        if (b.byteLength === 0) break;
        got += b.byteLength;
      }
      expect(await writing).toBe(20000);
      return got;
    });
    expect(total).toBe(20000);
  });

  it("the pipe goes away when a process holding both ends dies", async () => {
    const k = newKernel();
    const { rm } = await startPipeManager(k);
    await runAs(k, ROOT, async (t) => {
      await pipe(t);
      expect(rm.openCount).toBe(2);
    });
    await settle(() => rm.openCount === 0, "the pipe's opens to be closed");
  });
});
