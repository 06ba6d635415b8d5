/**
 * A small seeded generator (Marsaglia's xorshift32) for random walks: the
 * same seed gives the same walks on every machine, which `Math.random` does
 * not. Statistical quality is ample for choosing among a state's successors.
 */
export const seededRandom = (seed: number): (() => number) => {
  // Spread the seed so that 0, 1, 2... start far apart; xorshift must not start at 0.
  let state = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) | 0
  if (state === 0) state = 0x2545f491
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x1_0000_0000
  }
}
