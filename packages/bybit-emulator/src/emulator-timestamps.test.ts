import { describe, expect, it } from "vitest";
import { signBybit, startBybitEmulator } from "./emulator.ts";

const account = { apiKey: "k", secret: "s" };

async function openOrdersStampedAt(ignore: boolean, timestamp: number): Promise<{ retCode: number }> {
  const emulator = await startBybitEmulator({
    clock: { now: () => 1_000_000_000 },
    accounts: [account],
    ...(ignore ? { ignoreRequestTimestamps: true } : {}),
  });
  try {
    const payload = "category=linear&symbol=BTCUSDT";
    const sign = signBybit({ timestamp, apiKey: account.apiKey, recvWindow: 5_000, payload }, account.secret);
    const res = await fetch(`${emulator.url}/v5/order/realtime?${payload}`, {
      headers: {
        "X-BAPI-API-KEY": account.apiKey,
        "X-BAPI-TIMESTAMP": String(timestamp),
        "X-BAPI-RECV-WINDOW": "5000",
        "X-BAPI-SIGN": sign,
      },
    });
    return (await res.json()) as { retCode: number };
  } finally {
    await emulator.close();
  }
}

describe("ignoreRequestTimestamps", () => {
  it("refuses a request stamped outside the receive window by default (10002), accepts it when told to", async () => {
    expect((await openOrdersStampedAt(false, 1_000_000_000 - 60_000)).retCode).toBe(10002);
    expect((await openOrdersStampedAt(false, 1_000_000_000 + 60_000)).retCode).toBe(10002);
    expect((await openOrdersStampedAt(true, 1_000_000_000 + 365 * 86_400_000)).retCode).toBe(0);
  });
});
