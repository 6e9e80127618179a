/**
 * The soak's emulator, in its own process (forked by `soak.ts` with an IPC channel), so that the soak process's
 * heap and RSS are the bot's alone. Options arrive as JSON in argv[2]; it answers with its URLs and clock, then
 * serves `measure` requests (heap after a forced GC, RSS) until told to stop or the parent goes away.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";
import { type EmulatorOptions, start } from "@botmm/hl-emulator";

/** What the parent may ask. */
export type EmulatorRequest =
  | { type: "measure"; id: number }
  | { type: "snapshot"; id: number; path: string }
  | { type: "stop" };

/** What the child answers. */
export type EmulatorReply =
  | { type: "ready"; url: string; wsUrl: string; realMs: number; simMs: number; speed: number }
  | {
      type: "measured";
      id: number;
      heapMb: number;
      rssMb: number;
      externalMb: number;
      loopDelayMaxMs: number;
    }
  | { type: "snapshotted"; id: number; path: string }
  | { type: "stopped" };

if (process.send === undefined) {
  throw new Error("soak-emulator.ts: run me with child_process.fork (it needs an IPC channel)");
}
const send = (reply: EmulatorReply) => process.send?.(reply);
const gc = (globalThis as { gc?: () => void }).gc;
const options = JSON.parse(process.argv[2] ?? "{}") as EmulatorOptions;
const emulator = await start(options);
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

const stop = async () => {
  await emulator.stop();
  send({ type: "stopped" });
  process.disconnect?.();
};
process.on("disconnect", () => void emulator.stop().then(() => process.exit(0)));
process.on("message", (message: EmulatorRequest) => {
  if (message.type === "stop") {
    void stop();
    return;
  }
  if (message.type === "snapshot") {
    gc?.();
    send({ type: "snapshotted", id: message.id, path: writeHeapSnapshot(message.path) });
    return;
  }
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  send({
    type: "measured",
    id: message.id,
    heapMb: usage.heapUsed / 2 ** 20,
    rssMb: usage.rss / 2 ** 20,
    externalMb: usage.external / 2 ** 20,
    loopDelayMaxMs: loopDelay.max / 1e6,
  });
  loopDelay.reset();
});
// One reading of both clocks: the parent runs its copy of the simulated clock as simMs + (Date.now() − realMs) × speed.
const realMs = Date.now();
send({
  type: "ready",
  url: emulator.url,
  wsUrl: emulator.wsUrl,
  realMs,
  simMs: emulator.now(),
  speed: options.speed ?? 1,
});
