/**
 * The two-way map between core client ids and a venue's wire ids (Binance's `newClientOrderId`, Bybit's
 * `orderLinkId`, …). Ids follow the venue's default scheme (`toWire` / `fromWire`, usually `<prefix>-<id>`);
 * only the exceptions — orders adopted or placed under another wire id — are stored, so the map stays small.
 *
 * @example
 * ```ts
 * const ids = new ClientIdMap((id) => `botmm-${id}`, (wire) => (wire.startsWith("botmm-") ? wire.slice(6) : null));
 * ids.wire("7"); // "botmm-7"
 * ids.track("8", "manual-1");
 * ids.core("manual-1"); // "8"
 * ```
 */
export class ClientIdMap {
  readonly #wireOf = new Map<string, string>();
  readonly #coreOf = new Map<string, string>();
  readonly #toWire: (clientId: string) => string | null;
  readonly #fromWire: (wire: string) => string | null;

  constructor(toWire: (clientId: string) => string | null, fromWire: (wire: string) => string | null) {
    this.#toWire = toWire;
    this.#fromWire = fromWire;
  }

  /**
   * The wire id of a client id, or null when it cannot be sent.
   *
   * @example
   * ```ts
   * ids.wire("7"); // "botmm-7"
   * ```
   */
  wire(clientId: string): string | null {
    return this.#wireOf.get(clientId) ?? this.#toWire(clientId);
  }

  /**
   * The client id of a wire id, or null for another bot's or a manual order.
   *
   * @example
   * ```ts
   * ids.core("botmm-7"); // "7"
   * ```
   */
  core(wire: string): string | null {
    return this.#coreOf.get(wire) ?? this.#fromWire(wire);
  }

  /**
   * Remembers that a client id travels under this wire id (nothing to remember when it is the default one).
   *
   * @example
   * ```ts
   * ids.track("8", "manual-1");
   * ```
   */
  track(clientId: string, wire: string): void {
    if (this.#toWire(clientId) === wire) return;
    this.#wireOf.set(clientId, wire);
    this.#coreOf.set(wire, clientId);
  }

  /**
   * Forgets a client id's stored wire id, if it had one.
   *
   * @example
   * ```ts
   * ids.untrack("8");
   * ```
   */
  untrack(clientId: string): void {
    const wire = this.#wireOf.get(clientId);
    if (wire === undefined) return;
    this.#wireOf.delete(clientId);
    this.#coreOf.delete(wire);
  }
}
