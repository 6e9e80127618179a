import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { coalescedSignals, stopSignalsStayHandled } from "./signals.ts";
import { waitFor } from "./test-support.ts";

const APP = dirname(dirname(fileURLToPath(import.meta.url)));

describe("signals", () => {
  it("counts a stop signal repeated within a second once (pnpm forwards the terminal's Ctrl-C)", () => {
    const listeners = new Map<string, () => void>();
    const target = {
      on: (signal: string, listener: () => void) => listeners.set(signal, listener),
      off: (signal: string) => listeners.delete(signal),
    };
    let now = 0;
    const onSignal = coalescedSignals(1_000, () => now, target);
    const calls: string[] = [];
    const removeInt = onSignal("SIGINT", () => calls.push("INT"));
    onSignal("SIGTERM", () => calls.push("TERM"));
    onSignal("SIGUSR2", () => calls.push("USR2"));
    listeners.get("SIGINT")!();
    now = 5;
    listeners.get("SIGINT")!(); // the forwarded copy
    listeners.get("SIGTERM")!();
    listeners.get("SIGUSR2")!();
    listeners.get("SIGUSR2")!();
    expect(calls).toEqual(["INT", "USR2", "USR2"]);
    now = 1_500;
    listeners.get("SIGINT")!(); // a deliberate second Ctrl-C
    expect(calls).toEqual(["INT", "USR2", "USR2", "INT"]);
    removeInt();
    expect(listeners.has("SIGINT")).toBe(false);
  });

  it("leaves a no-op listener for a stop signal before letting go of its last handler, and only one", () => {
    const listeners = new Map<string, Array<() => void>>();
    const log: string[] = [];
    const target = {
      on: (signal: string, listener: () => void) => {
        log.push(`on ${signal}`);
        listeners.set(signal, [...(listeners.get(signal) ?? []), listener]);
      },
      off: (signal: string, listener: () => void) => {
        log.push(`off ${signal}`);
        listeners.set(
          signal,
          (listeners.get(signal) ?? []).filter((candidate) => candidate !== listener),
        );
      },
    };
    const onSignal = coalescedSignals(1_000, () => 0, stopSignalsStayHandled(target));
    const calls: string[] = [];
    for (let run = 0; run < 2; run++) {
      const removers = [
        onSignal("SIGINT", () => calls.push("INT")),
        onSignal("SIGUSR2", () => calls.push("USR2")),
      ];
      for (const remove of removers) remove();
    }
    // The no-op goes in before the run's dispatcher comes out, once; SIGUSR2 keeps its default.
    expect(log).toEqual([
      "on SIGINT",
      "on SIGUSR2",
      "on SIGINT",
      "off SIGINT",
      "off SIGUSR2",
      "on SIGINT",
      "on SIGUSR2",
      "off SIGINT",
      "off SIGUSR2",
    ]);
    expect(listeners.get("SIGINT")).toHaveLength(1);
    expect(listeners.get("SIGUSR2")).toHaveLength(0);
    listeners.get("SIGINT")![0]!(); // a late copy: nothing happens
    expect(calls).toEqual([]);
  });

  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const child of started.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  function spawnWatched(command: string, args: string[], options: { detached?: boolean } = {}) {
    const child = spawn(command, args, {
      cwd: APP,
      env: { ...process.env, INIT_CWD: APP },
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.detached ?? false,
    });
    started.push(child);
    let output = "";
    let closed = false;
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stdout?.on("close", () => {
      closed = true;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    return { child, exited, output: () => output, closed: () => closed };
  }

  const SIM = [
    "--conditions=@botmm/source",
    "src/cli.ts",
    "--sim",
    "--status-interval-ms",
    "0",
    "--log-level",
    "warn",
  ];

  it("a Ctrl-C delivered twice at once (terminal + pnpm) stops gracefully with exit code 0", async () => {
    const bot = spawnWatched(process.execPath, SIM);
    expect(await waitFor(() => /running as pid \d+/.test(bot.output()), 60_000, 50)).toBe(true);
    bot.child.kill("SIGINT");
    bot.child.kill("SIGINT");
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(bot.output()).not.toContain("forcing exit");
    expect(bot.output()).toContain("botmm live summary");
  }, 90_000);

  it("stops gracefully when its launcher is killed, even behind a shell that stays alive", async () => {
    const inner = [process.execPath, ...SIM].map((arg) => `'${arg}'`).join(" ");
    const launcher = spawnWatched(process.execPath, [
      "-e",
      `require("node:child_process").spawn("sh", ["-c", ${JSON.stringify(`${inner}; true`)}], { stdio: "inherit" }); setInterval(() => {}, 1 << 30);`,
    ]);
    expect(await waitFor(() => /running as pid \d+/.test(launcher.output()), 60_000, 50)).toBe(true);
    launcher.child.kill("SIGKILL");
    // Our end of the pipe closes once the shell and the bot have both exited.
    expect(await waitFor(launcher.closed, 60_000, 100)).toBe(true);
    expect(launcher.output()).toMatch(/its launcher \(pid \d+\) exited: stopping as on SIGTERM/);
    expect(launcher.output()).toContain("stop: SIGTERM");
    expect(launcher.output()).toContain("open orders at exit 0");
  }, 120_000);

  const pnpm = whichPnpm();
  it.skipIf(pnpm === null)(
    "Ctrl-C under `pnpm --filter live start -- --sim` ends with exit code 0, not ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL",
    async () => {
      // A terminal's Ctrl-C goes to the whole foreground process group: pnpm, any shell, the bot.
      const run = spawnWatched(
        pnpm!,
        ["--filter", "live", "start", "--", "--sim", "--status-interval-ms", "0"],
        {
          detached: true,
        },
      );
      expect(await waitFor(() => /running as pid \d+/.test(run.output()), 90_000, 100)).toBe(true);
      process.kill(-run.child.pid!, "SIGINT");
      const exit = await run.exited;
      expect(exit, run.output()).toEqual({ code: 0, signal: null });
      expect(run.output()).not.toContain("ERR_PNPM");
      expect(run.output()).toContain("botmm live summary");
    },
    150_000,
  );
});

function whichPnpm(): string | null {
  try {
    return execFileSync("sh", ["-c", "command -v pnpm"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}
