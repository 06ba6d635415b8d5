import type { Model } from "@parley/core/model"

/**
 * A model that can take a step as words (its codec's), building the live
 * successor only when asked: the search looks a successor up by the
 * fingerprint of its words, and most successors are states it has met
 * before, whose live state nothing needs when no step property reads it.
 * An actor system's, through `CachedSteps`.
 */
export interface EncodedSteps<S, A> {
  /**
   * Writes the codec's words of the state after `action` in `out`; false
   * when the action changes nothing (where `Model.next` gives undefined).
   * The words may name a part that has no id yet, valid until the next
   * call: the codec's fingerprint reads it, and `live` and `commit` keep it.
   */
  nextInto(state: S, action: A, out: Uint32Array): boolean
  /** The live state of words `nextInto` just wrote; it stays valid after later steps. */
  live(words: Uint32Array): S
  /** Gives every part of words `nextInto` just wrote its id, in place, so that the words can be kept (in a BFS level). */
  commit(words: Uint32Array): void
}

/** Where a model keeps its `EncodedSteps`; the checker's own, never a spec's. */
export const ENCODED_STEPS: unique symbol = Symbol("parley.encodedSteps")

export type WithEncodedSteps<S, A> = Model<S, A> & { readonly [ENCODED_STEPS]?: EncodedSteps<S, A> }

export const encodedStepsOf = <S, A>(model: Model<S, A>): EncodedSteps<S, A> | undefined => (model as WithEncodedSteps<S, A>)[ENCODED_STEPS]
