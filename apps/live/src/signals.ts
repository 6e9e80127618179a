/** Where signal listeners go: `process`, or a stand-in in tests. */
export interface SignalTarget {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

const STOP_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(["SIGINT", "SIGTERM"]);

/**
 * A `LiveIo.onSignal` that treats a stop signal (SIGINT, SIGTERM) arriving within `windowMs` of the last one
 * acted on as the same request. When pnpm starts the app without a shell in between, one Ctrl-C arrives
 * twice — from the terminal (to the whole process group) and forwarded by pnpm — and the second copy must not
 * count as the "second Ctrl-C" that forces an exit without cancelling orders. On a loaded machine pnpm's copy
 * can lag the terminal's by more than a second, hence 3 s. A deliberate second Ctrl-C after that still forces it. Other signals (SIGUSR2) pass through untouched.
 *
 * @example
 * ```ts
 * const onSignal = coalescedSignals();
 * const remove = onSignal("SIGINT", () => void bot.stop("SIGINT"));
 * ```
 */
export function coalescedSignals(
  windowMs = 3_000,
  now: () => number = () => performance.now(),
  target: SignalTarget = process,
): (signal: NodeJS.Signals, handler: () => void) => () => void {
  let lastStopAt = Number.NEGATIVE_INFINITY;
  const handlers = new Map<NodeJS.Signals, Set<() => void>>();
  const dispatchers = new Map<NodeJS.Signals, () => void>();
  return (signal, handler) => {
    let set = handlers.get(signal);
    if (set === undefined) {
      const registered = new Set<() => void>();
      set = registered;
      handlers.set(signal, registered);
      const dispatch = () => {
        if (STOP_SIGNALS.has(signal)) {
          const at = now();
          if (at - lastStopAt < windowMs) return;
          lastStopAt = at;
        }
        for (const listener of [...registered]) listener();
      };
      dispatchers.set(signal, dispatch);
      target.on(signal, dispatch);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0) {
        target.off(signal, dispatchers.get(signal)!);
        handlers.delete(signal);
        dispatchers.delete(signal);
      }
    };
  };
}

/**
 * `target` (the process) as a {@link SignalTarget}, except that letting go of a stop signal's listener first
 * leaves a no-op one in its place, for good. A run removes its handlers when it is over; with no listener left,
 * a late copy of the Ctrl-C that stopped it (pnpm forwards its own, on a loaded machine after the bot has
 * finished) would meet the default action and turn a clean exit into death by SIGINT. The no-op goes in before
 * the handler comes out, so there is no moment without one.
 *
 * @example
 * ```ts
 * const onSignal = coalescedSignals(3_000, undefined, stopSignalsStayHandled());
 * ```
 */
export function stopSignalsStayHandled(target: SignalTarget = process): SignalTarget {
  const ignore = () => {};
  const kept = new Set<NodeJS.Signals>();
  return {
    on: (signal, listener) => target.on(signal, listener),
    off: (signal, listener) => {
      if (STOP_SIGNALS.has(signal) && !kept.has(signal)) {
        kept.add(signal);
        target.on(signal, ignore);
      }
      target.off(signal, listener);
    },
  };
}
