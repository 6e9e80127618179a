/**
 * `pnpm --filter live start -- [--sim | --paper | --testnet | --mainnet …] [options]`: the live bot.
 * Node 24 runs this TypeScript directly (type stripping, `--conditions=@botmm/source`).
 */
import { runRecordCli } from "./record/record-cli.ts";
import { runLiveCli } from "./run.ts";

let unhandled = 0;
process.on("unhandledRejection", (reason) => {
  unhandled++;
  process.stderr.write(`botmm live: unhandled rejection #${unhandled}: ${String(reason)}\n`);
});

const args = process.argv.slice(2);
// pnpm passes a literal "--" through when the user separates script arguments with it.
const argv = args[0] === "--" ? args.slice(1) : args;
const io = { env: process.env, stdout: process.stdout, stderr: process.stderr };
process.exitCode = argv[0] === "record" ? await runRecordCli(argv.slice(1), io) : await runLiveCli(argv, io);
