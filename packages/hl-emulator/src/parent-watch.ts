import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Options of {@link watchParent}. */
export interface WatchParentOptions {
  /** Called once, when a launcher process has exited. */
  onExit: (event: { pid: number }) => void;
  /** How often the launchers are checked (real time). Default 1000 ms. */
  intervalMs?: number;
}

interface ProcessInfo {
  ppid: number;
  pgid: number;
}

/**
 * Calls `onExit` when the process that launched this one dies — for CLIs that must not outlive their
 * parent (a standalone emulator left holding its port, a bot left trading).
 *
 * "Launcher" means every ancestor in this process's own process group: under `pnpm run` that is pnpm and the
 * shells it puts in between (`sh -c`, a `node_modules/.bin` shim), which do not die, or do not pass the signal
 * on, when pnpm is killed. An ancestor outside the group — the interactive shell a job was started from — is
 * not watched, so `nohup … &` keeps working. Each tick re-reads the chain (Linux `/proc`, elsewhere `ps`): a
 * launcher has died when it is gone or its child in the chain has a new parent (which also catches a zombie).
 * An IPC channel's `disconnect` counts too. The timer is unref'd: it never keeps the process alive. Without
 * `/proc` and `ps` (Windows) only the IPC channel is watched.
 *
 * @returns a function that stops watching.
 * @example
 * ```ts
 * const stopWatching = watchParent({ onExit: () => void emulator.stop().then(() => process.exit(0)) });
 * ```
 */
export function watchParent(options: WatchParentOptions): () => void {
  let done = false;
  const fire = (pid: number) => {
    if (done) return;
    stop();
    options.onExit({ pid });
  };
  const chain = launcherChain();
  const timer =
    chain.length === 0
      ? null
      : setInterval(() => {
          const dead = deadLauncher(chain);
          if (dead !== null) fire(dead);
        }, options.intervalMs ?? 1_000);
  timer?.unref();
  const onDisconnect = () => fire(process.ppid);
  if (process.channel) process.once("disconnect", onDisconnect);
  function stop() {
    done = true;
    if (timer !== null) clearInterval(timer);
    process.off("disconnect", onDisconnect);
  }
  return stop;
}

/** This process's ancestors in its own process group, nearest first (empty when it cannot tell). */
function launcherChain(): number[] {
  const self = processInfo(process.pid);
  if (typeof self === "string") return [];
  const chain: number[] = [];
  let pid = process.ppid;
  while (pid > 1 && chain.length < 16) {
    const info = processInfo(pid);
    if (typeof info === "string" || info.pgid !== self.pgid) break;
    chain.push(pid);
    pid = info.ppid;
  }
  return chain;
}

/** The first launcher of `chain` that has died, or null. */
function deadLauncher(chain: readonly number[]): number | null {
  let childPpid = process.ppid;
  for (const pid of chain) {
    if (childPpid !== pid) return pid;
    const info = processInfo(pid);
    if (info === "gone") return pid;
    // Cannot tell this time (ps failed to start): look again at the next tick.
    if (info === "unknown") return null;
    childPpid = info.ppid;
  }
  return null;
}

/** A process's parent and group; "gone" when it has exited (or is a zombie); "unknown" when it cannot tell. */
function processInfo(pid: number): ProcessInfo | "gone" | "unknown" {
  if (process.platform === "linux") {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : "unknown";
    }
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return "gone";
    return { ppid: Number(fields[1]), pgid: Number(fields[2]) };
  }
  if (process.platform === "win32") return "unknown";
  let out: string;
  try {
    out = execFileSync("ps", ["-o", "ppid=,pgid=,stat=", "-p", String(pid)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch (error) {
    // ps exits 1 when no such process exists.
    return (error as { status?: number }).status === 1 ? "gone" : "unknown";
  }
  const [ppid, pgid, state] = out.split(/\s+/);
  if (ppid === undefined || pgid === undefined || state?.startsWith("Z")) return "gone";
  return { ppid: Number(ppid), pgid: Number(pgid) };
}
