import { describe, expect, it } from "vitest";
import { signQuery, startBinanceEmulator } from "./emulator.ts";

const account = { apiKey: "k", secret: "s" };

async function openOrdersStampedAt(
  ignore: boolean,
  timestamp: number,
): Promise<{ status: number; body: unknown }> {
  const emulator = await startBinanceEmulator({
    clock: { now: () => 1_000_000_000 },
    accounts: [account],
    ...(ignore ? { ignoreRequestTimestamps: true } : {}),
  });
  try {
    const query = `symbol=BTCUSDT&timestamp=${timestamp}`;
    const res = await fetch(
      `${emulator.url}/fapi/v1/openOrders?${query}&signature=${signQuery(query, account.secret)}`,
      {
        headers: { "X-MBX-APIKEY": account.apiKey },
      },
    );
    return { status: res.status, body: await res.json() };
  } finally {
    await emulator.close();
  }
}

describe("ignoreRequestTimestamps", () => {
  it("refuses a request stamped outside recvWindow by default (-1021), accepts it when told to", async () => {
    const stale = await openOrdersStampedAt(false, 1_000_000_000 - 60_000);
    expect(stale.body).toMatchObject({ code: -1021 });
    const future = await openOrdersStampedAt(false, 1_000_000_000 + 60_000);
    expect(future.body).toMatchObject({ code: -1021 });
    const accepted = await openOrdersStampedAt(true, 1_000_000_000 + 365 * 86_400_000);
    expect([accepted.status, accepted.body]).toEqual([200, []]);
  });
});
