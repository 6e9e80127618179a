import { test } from "vitest";
import { createLatencyLoop } from "../scripts/latency-loop.ts";

// One iteration = one emulator push interval: the l2Book push, the venue's book event, the batchModify request
// and its answer. `pnpm latency` measures push → request arrival percentiles over 10,000 updates.
test("book push → batchModify (in-process emulator, real SDK over WS + HTTP)", async ({ bench }) => {
  const loop = await createLatencyLoop();
  try {
    await bench("advance one push interval and requote", async () => {
      await loop.step();
    }).run();
  } finally {
    await loop.stop();
  }
});
