import { OrderQueue, postOnlyCrosses, type QueueLevel } from "@botmm/sim-exchange";

// A recorded book, best first: bids 99 (10 displayed), 98; asks 101, 102.
const bids: QueueLevel[] = [
  [99, 10],
  [98, 20],
];
const asks: QueueLevel[] = [
  [101, 10],
  [102, 20],
];

// Post-only: a bid at the best ask would take liquidity (refused); one at the best bid rests.
console.log(postOnlyCrosses("buy", 101, 99, 101), postOnlyCrosses("buy", 99, 99, 101)); // true false

const queue = new OrderQueue<string>({ model: { type: "risk-averse" }, lotStep: 0.1 });
queue.add({ id: "bid-1", side: "buy", price: 99, size: 1 }, bids, asks); // joins behind the 10 at 99
console.log(queue.onTrade({ side: "sell", price: 99, size: 6 })); // [] (4 still ahead)
queue.onBook([[99, 3], ...bids.slice(1)], asks); // the level shrank to 3: at most 3 ahead now
// 3.45 sold at 99: 3 clear the queue ahead, the 0.45 left fills the order, rounded down to the lot.
console.log(queue.onTrade({ side: "sell", price: 99, size: 3.45 })); // [{"id":"bid-1","side":"buy","price":99,"size":0.4,"remaining":0.6,"source":"trade"}]
// The ask drops to 99: a book that could not exist with the bid resting, so the rest of it was taken.
console.log(queue.onBook(bids.slice(1), [[99, 5], ...asks])); // [{"id":"bid-1","side":"buy","price":99,"size":0.6,"remaining":0,"source":"book-cross"}]
