import { type L2Book, ManualClock } from "@botmm/core";
import { HyperliquidVenue, loadWallet } from "@botmm/exchange-hl";
import { start, testAccount } from "@botmm/hl-emulator";

// A local Hyperliquid emulator on 127.0.0.1 (ephemeral port) with a funded, public TEST account.
const clock = new ManualClock(Date.now()); // the live app passes systemClock()
const emulator = await start({ clock, seed: 1 });
// Live: loadWallet({ env: process.env }) reads BOTMM_PRIVATE_KEY; here, the emulator's TEST key.
const wallet = loadWallet({ env: { BOTMM_PRIVATE_KEY: testAccount(1).privateKey } });

const venue = await HyperliquidVenue.connect({
  network: { apiUrl: emulator.url, wsUrl: emulator.wsUrl }, // or "mainnet" / "testnet"
  wallet,
  clock,
  clientIdPrefix: "b07a11ce00000001", // marks this bot's orders inside every cloid
});

// Streams: the first L2 book arrives as a snapshot right after subscribing.
let resolveBook: (book: L2Book) => void = () => {};
const firstBook = new Promise<L2Book>((resolve) => (resolveBook = resolve));
const stop = await venue.subscribe({ coins: ["BTC"], book: "l2", trades: false, account: true }, (event) => {
  if (event.type === "book") resolveBook(event.book);
  if (event.type === "connection") console.log("connection", event.state);
});
const book = await firstBook;
const bid = book.bids[0]!.price;
const ask = book.asks[0]!.price;

// One `order` action for the batch; ALO (post only); prices rounded exactly (bids down, asks up).
const quote = { coin: "BTC", size: 0.001, timeInForce: "alo", reduceOnly: false } as const;
const placed = await venue.placeOrders([
  { ...quote, clientId: "1", side: "buy", price: bid - 10.5 },
  { ...quote, clientId: "2", side: "sell", price: ask + 10.5 },
  { ...quote, clientId: "3", side: "buy", price: bid - 10, size: 0.00005 }, // ~$5: refused, nothing sent
]);
console.log(placed.map((r) => r.status)); // ["open","open","rejected"]
console.log(placed[2]!.reason?.startsWith("Order must have minimum value of $10.")); // true

// Move a quote with batchModify (never cancel + place); the order now carries client id 4.
const [moved] = await venue.modifyOrders([
  { ...quote, clientId: "1", newClientId: "4", side: "buy", price: bid - 20 },
]);
console.log(moved!.clientId, moved!.status); // 4 open
const open = await venue.openOrders("BTC");
console.log(open.map((o) => `${o.clientId} ${o.side} ${o.price}`).sort()); // ["2 sell <ask + 11>","4 buy <bid − 20>"]

// Cancel by cloid, one request; cancelling again gets the venue's own words.
const cancels = [
  { clientId: "4", coin: "BTC" },
  { clientId: "2", coin: "BTC" },
];
console.log((await venue.cancelOrders(cancels)).map((r) => r.status)); // ["cancelled","cancelled"]
const [again] = await venue.cancelOrders([{ clientId: "4", coin: "BTC" }]);
console.log(again!.reason); // Order was never placed, already canceled, or filled. asset=0
console.log(venue.requestStats().slowDown); // false

await stop();
await venue.close();
await emulator.stop();
