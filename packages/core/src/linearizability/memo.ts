/**
 * Lowe's memo of the configurations a linearizability search has entered,
 * with dominance: a configuration is (the returned operations linearized,
 * the pending ones linearized, the model), and one is not worth entering
 * when an entered one has the same returned operations and model and a
 * subset of its pending ones. A pending operation is optional (it may never
 * take effect) and never constrains real-time order, so whatever completes
 * the larger configuration completes the smaller one too.
 *
 * The returned operations linearized are kept as a frontier (every one
 * before it is linearized) and the bitset words from the frontier's word to
 * the highest one linearized, which in a real history is a few words however
 * long it is. Everything lives in growable typed arrays: one entry costs
 * about 36 bytes plus its words and a reference to its model.
 */

const NONE = -1
const INITIAL_CAPACITY = 16

/** The configuration to admit, as the search holds it. */
export interface Configuration<M> {
  hash: number
  frontier: number
  readonly returnedBits: Uint32Array
  /** The returned bitset's words [fromWord, fromWord + returnedWords) are stored. */
  fromWord: number
  returnedWords: number
  readonly pendingBits: Uint32Array
  /** Words of the pending bitset up to its highest non-zero one. */
  pendingWords: number
  model: M
}

export class DominanceMemo<M> {
  private heads = new Int32Array(INITIAL_CAPACITY).fill(NONE)
  private chain = new Int32Array(INITIAL_CAPACITY)
  private hashes = new Int32Array(INITIAL_CAPACITY)
  private frontiers = new Int32Array(INITIAL_CAPACITY)
  private offsets = new Int32Array(INITIAL_CAPACITY)
  private returnedLengths = new Int32Array(INITIAL_CAPACITY)
  private pendingLengths = new Int32Array(INITIAL_CAPACITY)
  private readonly models: Array<M> = []
  private words = new Uint32Array(INITIAL_CAPACITY * 4)
  private wordsUsed = 0
  size = 0

  constructor(private readonly equal: (a: M, b: M) => boolean) {}

  /** Records `c` and answers true, or answers false when an entry dominates it. */
  admit(c: Configuration<M>): boolean {
    const hash = c.hash | 0
    for (let e = this.heads[hash & (this.heads.length - 1)]!; e !== NONE; e = this.chain[e]!) {
      if (this.hashes[e] === hash && this.frontiers[e] === c.frontier && this.dominates(e, c)) return false
    }
    this.insert(hash, c)
    return true
  }

  /** Bytes the memo holds in its arrays (models are shared with the search and not counted). */
  bytes(): number {
    const perEntry = this.chain.length * 4 * 6 + this.models.length * 8
    return this.heads.length * 4 + perEntry + this.words.length * 4
  }

  private dominates(e: number, c: Configuration<M>): boolean {
    if (this.returnedLengths[e] !== c.returnedWords) return false
    const words = this.words
    let at = this.offsets[e]!
    for (let w = 0; w < c.returnedWords; w++) if (words[at++] !== c.returnedBits[c.fromWord + w]) return false
    const pendingLength = this.pendingLengths[e]!
    if (pendingLength > c.pendingWords) return false
    for (let w = 0; w < pendingLength; w++) if ((words[at++]! & ~c.pendingBits[w]!) !== 0) return false
    return this.equal(this.models[e]!, c.model)
  }

  private insert(hash: number, c: Configuration<M>): void {
    if (this.size === this.chain.length) this.growEntries()
    const need = this.wordsUsed + c.returnedWords + c.pendingWords
    if (need > this.words.length) this.words = grown(this.words, need, (n) => new Uint32Array(n))
    const e = this.size++
    this.hashes[e] = hash
    this.frontiers[e] = c.frontier
    this.offsets[e] = this.wordsUsed
    this.returnedLengths[e] = c.returnedWords
    this.pendingLengths[e] = c.pendingWords
    this.words.set(c.returnedBits.subarray(c.fromWord, c.fromWord + c.returnedWords), this.wordsUsed)
    this.words.set(c.pendingBits.subarray(0, c.pendingWords), this.wordsUsed + c.returnedWords)
    this.wordsUsed = need
    this.models.push(c.model)
    if (this.size > this.heads.length) this.rehash(this.heads.length * 2)
    else this.link(e)
  }

  private link(e: number): void {
    const bucket = this.hashes[e]! & (this.heads.length - 1)
    this.chain[e] = this.heads[bucket]!
    this.heads[bucket] = e
  }

  private rehash(buckets: number): void {
    this.heads = new Int32Array(buckets).fill(NONE)
    for (let e = 0; e < this.size; e++) this.link(e)
  }

  private growEntries(): void {
    const capacity = this.chain.length * 2
    const int32s = (n: number) => new Int32Array(n)
    this.chain = grown(this.chain, capacity, int32s)
    this.hashes = grown(this.hashes, capacity, int32s)
    this.frontiers = grown(this.frontiers, capacity, int32s)
    this.offsets = grown(this.offsets, capacity, int32s)
    this.returnedLengths = grown(this.returnedLengths, capacity, int32s)
    this.pendingLengths = grown(this.pendingLengths, capacity, int32s)
  }
}

/** A copy of `array` with room for at least `atLeast` elements, doubling. */
const grown = <A extends Int32Array | Uint32Array>(array: A, atLeast: number, make: (length: number) => A): A => {
  let length = array.length * 2
  while (length < atLeast) length *= 2
  const copy = make(length)
  copy.set(array)
  return copy
}
