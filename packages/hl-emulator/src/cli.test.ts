import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { loadCandleFile, parseCliArgs, USAGE } from "./cli.ts";
import { EmulatorError } from "./errors.ts";

const PACKAGE = dirname(dirname(fileURLToPath(import.meta.url)));
const CLI = [process.execPath, "--conditions=@botmm/source", "src/cli.ts", "--port", "0", "--coins", "BTC"];

describe("parseCliArgs", () => {
  it("parses the documented flags with node:util parseArgs", () => {
    const options = parseCliArgs([
      "--",
      "--port",
      "8787",
      "--coins",
      "BTC,ETH",
      "--seed",
      "3",
      "--speed=10",
      "--candles",
      "ETH=e.csv",
      "--no-rate-limits",
    ]);
    expect(options).toMatchObject({
      port: 8787,
      coins: ["BTC", "ETH"],
      seed: 3,
      speed: 10,
      candles: { ETH: "e.csv" },
      rateLimits: false,
    });
    expect(parseCliArgs(["--candles", "b.csv"]).candles).toEqual({ BTC: "b.csv" });
  });

  it("reports every bad value at once, naming each flag", () => {
    let error: unknown;
    try {
      parseCliArgs(["--port", "x", "--speed", "0", "--coins", ","]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EmulatorError);
    const message = (error as Error).message;
    expect(message).toContain('--port: expected a port 0–65535, got "x"');
    expect(message).toContain('--speed: expected a number > 0, got "0"');
    expect(message).toContain("--coins: expected at least one coin");
  });

  it("refuses unknown flags and answers --help with a usage that lists every flag", () => {
    expect(() => parseCliArgs(["--bogus"])).toThrow(/Unknown option '--bogus'/);
    expect(() => parseCliArgs(["--help"])).toThrow(expect.objectContaining({ code: "HELP" }));
    for (const flag of ["--port", "--host", "--coins", "--seed", "--candles", "--speed", "--usdc"])
      expect(USAGE).toContain(flag);
    expect(USAGE).toContain("--dms-min-volume");
    expect(USAGE).toContain("--no-rate-limits");
    expect(USAGE).toContain("launcher");
  });
});

describe("loadCandleFile (@botmm/core's parser)", () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-emulator-cli-"));

  it("loads plain and gzip files alike (detected by content)", () => {
    const text = "open_time,open,high,low,close,volume\n1700000000000,1,2,0.5,1.5,10\n";
    writeFileSync(join(dir, "a.csv"), text);
    writeFileSync(join(dir, "b.csv.gz"), gzipSync(text));
    expect(loadCandleFile(join(dir, "a.csv"))).toEqual([
      { openTime: 1_700_000_000_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
    ]);
    expect(loadCandleFile(join(dir, "a.csv"))).toEqual(loadCandleFile(join(dir, "b.csv.gz")));
  });

  it("names the file and line of a bad row, as core's parser does", () => {
    const file = join(dir, "bad.csv");
    writeFileSync(file, "open_time,open,high,low,close,volume\n1700000000000,1,2,oops,1.5,10\n");
    expect(() => loadCandleFile(file)).toThrow(/bad\.csv: row 2 .*low "oops" is not a number/);
  });
});

/** The emulator CLI as a real child process, started through a launcher as pnpm starts it. */
describe("the emulator CLI process", () => {
  const started: ChildProcess[] = [];
  const pids: number[] = [];

  afterEach(() => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });

  /** Waits for `predicate` (checked every 100 ms) up to `timeoutMs`; generous, for a loaded machine. */
  async function waitFor(predicate: () => boolean, timeoutMs = 60_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (predicate()) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return predicate();
  }

  /** Spawns `command`; resolves once the emulator printed its URL and pid. */
  async function launch(command: string[]) {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: PACKAGE,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "" },
    });
    started.push(child);
    let output = "";
    let outputClosed = false;
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stdout?.on("close", () => {
      outputClosed = true;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    const ready = await waitFor(
      () => /pid (\d+); stops/.test(output) && /HTTP \(apiUrl\): +(\S+)/.test(output),
    );
    if (!ready) throw new Error(`the emulator did not start; its output:\n${output}`);
    const pid = Number(/pid (\d+); stops/.exec(output)?.[1]);
    pids.push(pid);
    const port = Number(new URL(/HTTP \(apiUrl\): +(\S+)/.exec(output)![1]!).port);
    return { child, pid, port, exited, output: () => output, outputClosed: () => outputClosed };
  }

  const portOpen = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "stops on %s and exits with code 0",
    async (signal) => {
      const emulator = await launch(CLI);
      expect(await portOpen(emulator.port)).toBe(true);
      emulator.child.kill(signal);
      expect(await emulator.exited).toEqual({ code: 0, signal: null });
      expect(emulator.output()).toContain(`${signal}: stopping`);
      expect(await portOpen(emulator.port)).toBe(false);
    },
    90_000,
  );

  it("exits when its launcher is killed, even behind a shell that stays alive (pnpm's sh -c)", async () => {
    // The launcher stands in for pnpm: it starts `sh -c "node cli.ts …; true"` (the shell cannot exec the
    // command away) and is then killed with SIGKILL, which it cannot pass on. The shell lives on.
    const inner = CLI.map((arg) => `'${arg}'`).join(" ");
    const launcherScript = `const { spawn } = require("node:child_process");
      spawn("sh", ["-c", ${JSON.stringify(`${inner}; true`)}], { stdio: "inherit" });
      setInterval(() => {}, 1 << 30);`;
    const launcher = await launch([process.execPath, "-e", launcherScript]);
    expect(await portOpen(launcher.port)).toBe(true);
    launcher.child.kill("SIGKILL");
    await launcher.exited;
    // Our end of the pipe closes only when every process holding it (the shell, the emulator) is gone.
    expect(await waitFor(launcher.outputClosed)).toBe(true);
    expect(launcher.output()).toMatch(/its launcher \(pid \d+\) exited: stopping/);
    expect(await portOpen(launcher.port)).toBe(false);
  }, 120_000);
});
