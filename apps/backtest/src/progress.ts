/** Where progress goes: a terminal gets a redrawn bar; anything else gets nothing. */
export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A one-line progress bar redrawn in place, shown only when the output is a terminal (pipes and files stay
 * clean). Redraws at most every 100 ms.
 */
export class ProgressBar {
  readonly #output: ProgressOutput;
  readonly #label: string;
  readonly #enabled: boolean;
  #lastDraw = 0;
  #drawn = false;

  constructor(output: ProgressOutput, label: string, enabled = true) {
    this.#output = output;
    this.#label = label;
    this.#enabled = enabled && output.isTTY === true;
  }

  update(done: number, total: number, detail = ""): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (done < total && now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    this.#output.write(
      `\r${this.#label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${detail}\u001b[K`,
    );
    this.#drawn = true;
  }

  finish(): void {
    if (this.#enabled && this.#drawn) this.#output.write("\r\u001b[K");
    this.#drawn = false;
  }
}
