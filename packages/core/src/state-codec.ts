/**
 * A state as a fixed number of 32-bit words, as SPIN keeps its state vector.
 *
 * The encoding must be canonical: two states encode to the same words
 * exactly when they are equal as plain data (when their fingerprints are
 * equal), because the checker identifies a state by its words' hash. And
 * `decode` must give back a state equal to the one encoded, because the
 * checker expands what it decodes.
 */
export interface StateCodec<S> {
  /** Words per state. */
  readonly words: number
  encode(state: S, out: Uint32Array, offset: number): void
  decode(words: Uint32Array, offset: number): S
}
