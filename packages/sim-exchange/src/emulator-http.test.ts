import { afterEach, describe, expect, it } from "vitest";
import {
  closeEmulatorServer,
  createEmulatorServer,
  FaultQueue,
  LostAnswers,
  listenEmulator,
  sendJson,
  signatureMatches,
} from "./emulator-http.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function start(handle: Parameters<typeof createEmulatorServer>[0]) {
  const server = createEmulatorServer(handle, (res, error) => sendJson(res, 500, { msg: String(error) }));
  const port = await listenEmulator(server, "127.0.0.1", 0);
  closers.push(() => closeEmulatorServer(server));
  return `http://127.0.0.1:${port}`;
}

describe("emulator HTTP plumbing", () => {
  it("hands the whole body to the handler and answers JSON", async () => {
    const url = await start(async (req, res, body) => sendJson(res, 201, { method: req.method, body }));
    const res = await fetch(url, { method: "POST", body: "a=1&b=2" });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ method: "POST", body: "a=1&b=2" });
  });

  it("answers a handler's error with the venue's own words", async () => {
    const url = await start(async () => {
      throw new Error("boom");
    });
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ msg: "Error: boom" });
  });

  it("loses answers: reset at once, hang until closed", async () => {
    const lost = new LostAnswers();
    const url = await start(async (req, res) => lost.lose(res, req.url === "/reset" ? "reset" : "hang"));
    await expect(fetch(`${url}/reset`)).rejects.toThrow();
    const hanging = fetch(`${url}/hang`);
    let settled = false;
    void hanging.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    lost.close();
    await expect(hanging).rejects.toThrow();
  });

  it("applies each queued fault to its count of requests, in order", () => {
    const faults = new FaultQueue<{ kind: string; count?: number }>();
    const first = { kind: "delay", count: 2 };
    faults.push(first);
    faults.push({ kind: "drop" });
    expect([faults.next()?.kind, faults.next()?.kind, faults.next()?.kind, faults.next()]).toEqual([
      "delay",
      "delay",
      "drop",
      undefined,
    ]);
    expect(first.count).toBe(2); // queued as a copy
  });

  it("compares signatures exactly", () => {
    expect(signatureMatches("abc", "abc")).toBe(true);
    expect(signatureMatches("abc", "abd")).toBe(false);
    expect(signatureMatches("abc", "ab")).toBe(false);
    expect(signatureMatches("abc", "")).toBe(false);
  });
});
