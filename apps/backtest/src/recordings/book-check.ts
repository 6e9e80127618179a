import {
  type BookEvent,
  type BookProblem,
  bookProblem,
  bookViewProblem,
  levelsProblem,
  RecordingError,
} from "@botmm/backtest";

/** What to do with a crossed or locked book: stop with an error naming it (default) or skip it and count it. */
export type BadBookPolicy = "error" | "skip";

/** Crossed and locked books skipped under the `skip` policy. */
export interface BooksSkipped {
  crossed: number;
  locked: number;
}

/**
 * The check every reader applies to each book it yields, where the file and line are known: levels sorted best
 * first with prices and sizes > 0 (always an error), and a book whose best bid reaches its best ask — an error,
 * or with the `skip` policy ({@link BadBookPolicy}) dropped and counted in {@link BookCheck.skipped}.
 *
 * @example
 * ```ts
 * const check = new BookCheck("skip");
 * if (check.accept(book, "capture.gz", 12)) yield book;
 * check.skipped; // { crossed: 0, locked: 1 }
 * ```
 */
export class BookCheck {
  readonly policy: BadBookPolicy;
  readonly skipped: BooksSkipped = { crossed: 0, locked: 0 };

  constructor(policy: BadBookPolicy = "error") {
    this.policy = policy;
  }

  /**
   * Whether to replay `book`, read at `line` of `file` (a number, or a range such as `"12-15"` for a book built
   * from several rows). `levels: false` skips the level-order check for a book the reader built itself.
   *
   * @throws RecordingError (`BAD_BOOK`) naming the file, line and best prices.
   */
  accept(book: BookEvent, file: string, line: number | string, levels = true): boolean {
    if (levels) {
      const wrong = levelsProblem(book.bids, "bids") ?? levelsProblem(book.asks, "asks");
      if (wrong !== null) throw this.#error(file, line, `bad book: ${wrong}`);
    }
    // A full-depth book's view gives its best prices without building its level arrays.
    const view = book.view;
    const problem: BookProblem | null =
      view === undefined ? bookProblem(book.bids, book.asks) : bookViewProblem(view);
    if (problem === null) return true;
    if (this.policy === "skip") {
      this.skipped[problem]++;
      return false;
    }
    throw this.#error(
      file,
      line,
      `${problem} book: best bid ${view === undefined ? book.bids[0]![0] : view.bids.price(0)} ${problem === "crossed" ? ">" : "="} best ask ${view === undefined ? book.asks[0]![0] : view.asks.price(0)} (a stale or corrupt level; --skip-bad-books skips such books and counts them in the report)`,
    );
  }

  #error(file: string, line: number | string, message: string): RecordingError {
    const error = new RecordingError("BAD_BOOK", file, typeof line === "number" ? line : 0, message);
    if (typeof line === "string") error.message = `${file}:${line}: ${message}`;
    return error;
  }
}
