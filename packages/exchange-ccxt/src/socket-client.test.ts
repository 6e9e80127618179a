import ccxt from "ccxt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { withSocketHooks } from "./socket-client.ts";

class Client extends withSocketHooks(ccxt.pro.bybit) {
  readonly ran: string[] = [];
  keepAlive = async (): Promise<void> => {
    this.ran.push("keepAlive");
  };
  other = async (label: string): Promise<void> => {
    this.ran.push(label);
  };
  override replacesPendingRun(method: (...args: unknown[]) => unknown): boolean {
    return method === this.keepAlive;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("withSocketHooks", () => {
  it("tells the hooks of socket opens, failures and closes, with the close code", async () => {
    const client = new Client({});
    const seen: string[] = [];
    client.hooks = {
      opened: (url) => seen.push(`opened ${url}`),
      closed: (url, reason) => seen.push(`closed ${url}: ${reason}`),
    };
    client.onConnected({ url: "ws://a" });
    client.onError({ url: "ws://a" }, new Error("pong missed"));
    client.onClose({ url: "ws://a" }, { code: 1006 });
    client.onClose({ url: "ws://b" }, undefined);
    expect(seen).toEqual([
      "opened ws://a",
      "closed ws://a: pong missed",
      "closed ws://a: WebSocket closed (code 1006)",
      "closed ws://b: WebSocket closed",
    ]);
    await client.close();
    expect(client.hooks).toBeNull();
  });

  it("runs deferred tasks once, keeps only the newest run of a method that replaces, and close cancels the rest", async () => {
    vi.useFakeTimers();
    const client = new Client({});
    client.delay(1_000, client.keepAlive);
    client.delay(2_000, client.keepAlive); // replaces the first
    client.delay(500, client.other, "a");
    client.delay(600, client.other, "b");
    await vi.advanceTimersByTimeAsync(2_100);
    expect(client.ran).toEqual(["a", "b", "keepAlive"]);
    client.delay(1_000, client.other, "never");
    await client.close();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.ran).toEqual(["a", "b", "keepAlive"]);
  });
});
