import type { StateCodec } from "@parley/core/model"

/**
 * One BFS level: the states still to expand, each with its id in the state
 * table. With a codec the states are kept as words in a typed array (a few
 * bytes each instead of a graph of objects) and decoded when expanded;
 * without one they are kept live.
 *
 * The ids, and the words, live in growable buffers; given shared ones
 * (`LevelBuffers`), other threads can read the level a worker wrote, which
 * is how workers take over each other's states.
 */
export interface LevelBuffers {
  readonly ids: SharedArrayBuffer
  readonly words: SharedArrayBuffer | undefined
}

const INITIAL_STATES = 1024
/** A level of more states than this does not fit in memory anyway. */
const MAX_STATES = 1 << 28
const MAX_WORDS_BYTES = 2 ** 32

export class Level<S> {
  private idsBuffer: ArrayBuffer | SharedArrayBuffer
  private ids: Int32Array
  private wordsBuffer: ArrayBuffer | SharedArrayBuffer | undefined
  private words: Uint32Array
  private readonly states: Array<S> = []
  private readonly width: number
  private count = 0
  /** Written by another thread (see `filledTo`): its words, if thread-local, cannot be decoded here. */
  private foreign = false

  /**
   * `rebuild` gives back a state of a level another thread wrote without a
   * codec, from its id (by replaying its path): there the states themselves
   * stayed in the writer's thread.
   */
  constructor(
    private readonly codec: StateCodec<S> | undefined,
    shared?: LevelBuffers,
    private readonly rebuild?: (id: number) => S
  ) {
    this.width = codec?.words ?? 0
    this.idsBuffer = shared?.ids ?? new ArrayBuffer(INITIAL_STATES * 4, { maxByteLength: MAX_STATES * 4 })
    this.wordsBuffer = codec === undefined ? undefined : shared?.words ?? new ArrayBuffer(INITIAL_STATES * this.width * 4, { maxByteLength: MAX_WORDS_BYTES })
    this.ids = this.words = new Uint32Array(0) as never
    this.view()
  }

  /** Fresh shared buffers for a level one thread writes and others read. */
  static sharedBuffers(codec: StateCodec<unknown> | undefined): LevelBuffers {
    return {
      ids: new SharedArrayBuffer(INITIAL_STATES * 4, { maxByteLength: MAX_STATES * 4 }),
      words: codec === undefined ? undefined : new SharedArrayBuffer(INITIAL_STATES * codec.words * 4, { maxByteLength: MAX_WORDS_BYTES })
    }
  }

  get size(): number {
    return this.count
  }

  /** Queues a state; `encoded` holds its words when the caller has them already. */
  push(state: S, id: number, _depth?: number, encoded?: Uint32Array): void {
    if (this.count === this.ids.length) this.grow()
    const i = this.count++
    this.ids[i] = id
    const codec = this.codec
    if (codec === undefined) {
      this.states.push(state)
    } else if (encoded !== undefined) {
      for (let w = 0, at = i * this.width; w < this.width; w++) this.words[at + w] = encoded[w]!
    } else {
      codec.encode(state, this.words, i * this.width)
    }
  }

  idAt(i: number): number {
    return this.ids[i]!
  }

  /** The state at `i`: decoded from its words, as kept, or rebuilt from its id. */
  stateAt(i: number): S {
    if (this.codec !== undefined && !(this.foreign && this.codec.threadLocal === true)) return this.codec.decode(this.words, i * this.width)
    if (i < this.states.length) return this.states[i]!
    if (this.rebuild === undefined) throw new RangeError("a level written by another thread, without a codec it can decode, needs a way to rebuild its states")
    return this.rebuild(this.ids[i]!)
  }

  idsFrom(from: number): Array<number> {
    return Array.from(this.ids.subarray(from, this.count))
  }

  /** Empties the level, keeping its buffers, for a thread that writes it again. */
  clear(): void {
    this.count = 0
    this.foreign = false
    this.states.length = 0
  }

  /** Sets the size of a level another thread wrote, whose states this thread can only read as ids and words. */
  filledTo(count: number): void {
    this.count = count
    this.foreign = true
    this.states.length = 0
    this.view()
  }

  /** Bytes of the buffers holding the level. */
  get bytes(): number {
    return this.idsBuffer.byteLength + (this.wordsBuffer?.byteLength ?? 0)
  }

  private grow(): void {
    const states = Math.min(MAX_STATES, this.ids.length * 2)
    if (states === this.ids.length) throw new RangeError(`a BFS level holds at most ${MAX_STATES} states`)
    growTo(this.idsBuffer, states * 4)
    if (this.wordsBuffer !== undefined) growTo(this.wordsBuffer, states * this.width * 4)
    this.view()
  }

  /**
   * Views of the buffers' whole length, made anew whenever they may have
   * grown: V8 reads and writes through a view of fixed length much faster
   * than through one that tracks a growable buffer.
   */
  private view(): void {
    this.ids = new Int32Array(this.idsBuffer, 0, this.idsBuffer.byteLength / 4)
    this.words = this.wordsBuffer === undefined ? new Uint32Array(0) : new Uint32Array(this.wordsBuffer, 0, this.wordsBuffer.byteLength / 4)
  }
}

const growTo = (buffer: ArrayBuffer | SharedArrayBuffer, bytes: number): void => {
  if (buffer instanceof SharedArrayBuffer) buffer.grow(bytes)
  else buffer.resize(bytes)
}
