/** A seeded source of pseudo-random numbers. The same seed always gives the same sequence. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  nextInt(maxExclusive: number): number;
  /** Standard normal N(0, 1). */
  nextNormal(): number;
  /** Exponential with the given rate (mean 1 / rate). */
  nextExponential(rate: number): number;
}

/**
 * Creates a seeded PRNG (sfc32, seeded through splitmix32 so that nearby seeds give unrelated streams).
 * Fast, 2^128 period, good statistical quality; not for cryptography.
 *
 * @example
 * ```ts
 * const random = createRandom(42);
 * random.next(); // same value on every run with seed 42
 * ```
 */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  let spareNormal: number | null = null;

  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextUint32();

  const next = (): number => nextUint32() / 4294967296;

  return {
    next,
    nextInt(maxExclusive: number): number {
      if (!Number.isInteger(maxExclusive) || maxExclusive <= 0) {
        throw new RangeError(`maxExclusive must be an integer > 0, got ${maxExclusive}`);
      }
      return Math.floor(next() * maxExclusive);
    },
    nextNormal(): number {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return value;
      }
      // Marsaglia polar method: exact normals without trig.
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * next() - 1;
        v = 2 * next() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const factor = Math.sqrt((-2 * Math.log(s)) / s);
      spareNormal = v * factor;
      return u * factor;
    },
    nextExponential(rate: number): number {
      if (!Number.isFinite(rate) || rate <= 0)
        throw new RangeError(`rate must be a finite number > 0, got ${rate}`);
      return -Math.log(1 - next()) / rate;
    },
  };
}
