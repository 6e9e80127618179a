/**
 * `pnpm --filter live start -- [--sim | --paper | --testnet | --mainnet …] [options]`: the live bot.
 * Node 24 runs this TypeScript directly (type stripping, `--conditions=@botmm/source`).
 */
import { watchParent } from "@botmm/hl-emulator";
import { runRecordCli } from "./record/record-cli.ts";
import { runLiveCli } from "./run.ts";
import { coalescedSignals, stopSignalsStayHandled } from "./signals.ts";

let unhandled = 0;
process.on("unhandledRejection", (reason) => {
  unhandled++;
  process.stderr.write(`botmm live: unhandled rejection #${unhandled}: ${String(reason)}\n`);
});

const args = process.argv.slice(2);
// pnpm passes a literal "--" through when the user separates script arguments with it.
const argv = args[0] === "--" ? args.slice(1) : args;
// A stop signal's last handler leaves a no-op behind: a late copy of the Ctrl-C that stopped the run must not
// find the default action (death by SIGINT) in the instant between the run's handlers going and the end.
const io = {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  onSignal: coalescedSignals(undefined, undefined, stopSignalsStayHandled()),
};
// Killing pnpm (SIGTERM or SIGKILL) does not reach this process: pnpm passes SIGTERM only to its `sh -c`, which
// dies without passing it on. When a launcher in our process group exits, stop as on SIGTERM: orders cancelled.
const stopWatching = watchParent({
  onExit: ({ pid }) => {
    process.stderr.write(`botmm live: its launcher (pid ${pid}) exited: stopping as on SIGTERM\n`);
    process.kill(process.pid, "SIGTERM");
  },
});
process.exitCode = argv[0] === "record" ? await runRecordCli(argv.slice(1), io) : await runLiveCli(argv, io);
stopWatching();
