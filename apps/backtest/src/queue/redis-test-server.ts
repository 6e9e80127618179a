// Tests only: a throwaway redis-server (Debian's `redis-server` package) on a free 127.0.0.1 port, without
// persistence, in a temporary directory; stopped by the test.
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** The redis-server binary on PATH (or /usr/bin, /usr/sbin), or undefined when it is not installed. */
export function redisServerBinary(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/sbin", "/usr/local/bin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const path = join(dir, "redis-server");
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  return undefined;
}

const flag = (name: string) => `--${name}`;

const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address !== null ? address.port : 0));
    });
  });

const ping = (port: number): Promise<boolean> =>
  new Promise((resolvePing) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let answer = "";
    socket.setTimeout(1_000);
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => {
      answer += data.toString();
      if (answer.includes("\r\n")) {
        socket.destroy();
        resolvePing(answer.startsWith("+PONG"));
      }
    });
    socket.on("error", () => resolvePing(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolvePing(false);
    });
  });

/** A running test Redis. */
export interface TestRedis {
  port: number;
  url: string;
  /** SIGKILL: Redis vanishes as if its machine died (no snapshots: nothing survives). */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts redis-server on a free loopback port, without snapshots or an append-only file, in a temp directory, and
 * waits until it answers PING (up to 20 s).
 */
export async function startTestRedis(binary: string): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "botmm-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = "";
  const launch = async () => {
    log = "";
    child = spawn(
      binary,
      // redis-server's own options (written so that the CLI's flag check does not take them for ours).
      [
        flag("port"),
        String(port),
        flag("bind"),
        "127.0.0.1",
        flag("save"),
        "",
        flag("appendonly"),
        "no",
        flag("dir"),
        dir,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (data) => (log += data));
    child.stderr?.on("data", (data) => (log += data));
    for (let i = 0; i < 200; i++) {
      if (await ping(port)) return;
      if (child.exitCode !== null) break;
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    child.kill("SIGKILL");
    throw new Error(`redis-server on 127.0.0.1:${port} did not answer PING:\n${log}`);
  };
  const exit = async (signal: NodeJS.Signals) => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolveExit) => running.once("exit", resolveExit));
    running.kill(signal);
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: () => exit("SIGKILL"),
    restart: launch,
    stop: async () => {
      await exit("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
