import { redactedError, settleCcxtCall } from "@botmm/exchange-ccxt";
import ccxt from "ccxt";

// How an adapter answers a ccxt request: never a throw, always ok / rejected / unknown, secrets removed.
const secret = "my-api-secret";
const words = {
  describe: (error: unknown) => redactedError(error, [secret], [[/signature=\w+/g, "signature=[redacted]"]]),
  codeOf: (reason: string) => Number(/"code":(-?\d+)/.exec(reason)?.[1]) || null,
};

const refused = await settleCcxtCall(async () => {
  throw new ccxt.InvalidOrder('binanceusdm {"code":-5022,"msg":"Post Only order will be rejected."}');
}, words);
console.log(refused.kind, refused.kind === "rejected" ? refused.code : ""); // rejected -5022

const lost = await settleCcxtCall(async () => {
  throw new ccxt.RequestTimeout(`timed out: POST /order?signature=ab12cd with ${secret}`);
}, words);
console.log(lost.kind, lost.kind === "unknown" ? lost.reason : ""); // unknown RequestTimeout: timed out: POST /order?signature=[redacted] with [redacted]
