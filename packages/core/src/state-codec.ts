/**
 * A state as a fixed number of 32-bit words, as SPIN keeps its state vector.
 *
 * The encoding must be canonical: two states encode to the same words
 * exactly when they are equal as plain data (when their fingerprints are
 * equal), because the checker identifies a state by its words' hash, unless
 * the codec gives its own `fingerprint`, canonical where the words are not. And
 * `decode` must give back a state equal to the one encoded, because the
 * checker expands what it decodes.
 */
export interface StateCodec<S> {
  /** Words per state. */
  readonly words: number
  encode(state: S, out: Uint32Array, offset: number): void
  decode(words: Uint32Array, offset: number): S
  /**
   * The state's 64-bit fingerprint from its words, for a codec whose words
   * are not canonical by themselves (ids handed out in the order one thread
   * met values); a hash of the words when absent.
   */
  fingerprint?(words: Uint32Array, offset: number, out: Uint32Array): void
  /**
   * The words mean something only in the thread that wrote them: another
   * thread rebuilds such a state from its path instead of decoding it.
   */
  readonly threadLocal?: boolean
}
