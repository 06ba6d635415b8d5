/**
 * How the worker threads of a parallel search share out one BFS level. The
 * level is in segments, one per thread that wrote part of it; each has a
 * counter in shared memory, and a thread takes the next chunk of a segment
 * by adding to its counter. A worker starts on its own segment (its states
 * are at hand, and its cache is warm with them) and then takes chunks of
 * the others' until none is left, so no worker idles while another has a
 * backlog, and nothing needs rebalancing between levels.
 */
export const CHUNK = 256

/** `fields` of the coordination buffer, ahead of one claim counter per segment. */
const STOP = 0
const READY = 1
const CLAIMS = 2

export class LevelClaims {
  private readonly fields: Int32Array

  constructor(readonly buffer: SharedArrayBuffer) {
    this.fields = new Int32Array(buffer)
  }

  static create(segments: number): LevelClaims {
    return new LevelClaims(new SharedArrayBuffer((CLAIMS + segments) * 4))
  }

  /** Before a level: every segment from its start. Only while no worker is expanding. */
  reset(): void {
    this.fields.fill(0, CLAIMS)
  }

  /** The first index of the next chunk of `segment` (of `size` states), or -1 once it is all taken. */
  claim(segment: number, size: number): number {
    const counter = CLAIMS + segment
    if (Atomics.load(this.fields, counter) >= size) return -1
    const start = Atomics.add(this.fields, counter, CHUNK)
    return start < size ? start : -1
  }

  /** How many states of `segment` (of `size`) the chunks taken so far cover: every one taken is expanded whole, unless its thread was stopped inside it. */
  taken(segment: number, size: number): number {
    return Math.min(Atomics.load(this.fields, CLAIMS + segment), size)
  }

  /** A worker found a violation or reached the state bound: the others stop taking chunks. */
  stop(): void {
    Atomics.store(this.fields, STOP, 1)
  }

  get stopped(): boolean {
    return Atomics.load(this.fields, STOP) !== 0
  }

  /** A worker has its model loaded. */
  ready(): void {
    Atomics.add(this.fields, READY, 1)
  }

  get readyWorkers(): number {
    return Atomics.load(this.fields, READY)
  }
}
