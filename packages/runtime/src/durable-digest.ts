/**
 * Digests of a node's durable state, one after another, for the event log
 * (a batch's last step) and `parley validate` (which recomputes them). Both
 * digests are 64 bits, printed as 16 hex digits, and depend on the state
 * alone: each field by its own digest, remembered by identity, combined
 * whatever the fields' order; a top-level array (Raft's log, in chunks) as
 * a chain over its items, a chunk by its entries, kept from one state to
 * the next. Reducers keep what a step did not change, so a step costs what
 * it touched: appending an entry hashes that entry and one link, whatever
 * the log's length.
 *
 * Version 4 of the log's format (`durableDigester`) keeps each digest and
 * link as two 32-bit words, made by core's fingerprint into a buffer, and
 * prints hex once, at the end. Versions 2 and 3 (`hexDigester`, read
 * still) made a bigint and its hex text of every entry and every link,
 * and a link hashed the two texts: about a microsecond and a half a step
 * at a leader under load, and garbage for every entry.
 */
import { fingerprint, fingerprintInto, fingerprintWordsInto } from "@parley/core"
import { unchangedPrefix } from "./unchanged-prefix.ts"

/** A function from durable states to their digests, one state after another. */
export type Digester = (durable: unknown) => string

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Each byte's two hex digits. */
const hexBytes = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"))
const hex32 = (x: number): string => hexBytes[(x >>> 24) & 255]! + hexBytes[(x >>> 16) & 255]! + hexBytes[(x >>> 8) & 255]! + hexBytes[x & 255]!
/** Two words in, 16 hex digits out, by table: a number's `toString(16)` and `padStart` took seven times as long. */
const hex = (a: number, b: number): string => hex32(a) + hex32(b)

/** What ends an inner array in a chain, as a link's item: the words of no value's fingerprint but by chance. */
const innerEndA = 0x5d5d5d5d
const innerEndB = 0x7d7d7d7d
/** What a field's digest is combined with before the fields are summed. */
const fieldTag = 0x6c1e1d5a
const summaryTag = 0x2d16e57f

/**
 * A chain of links over a top-level array: each item that is an array (a
 * log chunk) linked by its elements one by one and then a mark for its end,
 * any other item by its digest; `starts[i]` is the link that covers every
 * item before item `i`. Kept and cut back in place for the next state,
 * which shares most of it. The two formats differ only in what a link is.
 */
interface Chain {
  items: ReadonlyArray<unknown>
  readonly starts: Array<number>
  /** How many links the chain has. */
  count(): number
  /** Keeps the first `links` links. */
  cutTo(links: number): void
  /** Appends the link over one item (or one entry of an array item). */
  linkItem(item: unknown): void
  /** Appends the link that ends an array item. */
  linkEnd(): void
}

/** Brings `chain` from the items it last covered to `items`: cut back to what did not change, then linked on from there. */
const advance = (chain: Chain, items: ReadonlyArray<unknown>): void => {
  const { starts } = chain
  const keep = unchangedPrefix(chain.items, items)
  const before = chain.items[keep]
  const after = items[keep]
  const kept = Array.isArray(before) && Array.isArray(after) ? unchangedPrefix(before, after) : 0
  starts.length = keep + 1
  chain.cutTo(starts[keep]! + kept + 1)
  for (let index = keep; index < items.length; index++) {
    const item = items[index]
    if (Array.isArray(item)) {
      for (let inner = index === keep ? kept : 0; inner < item.length; inner++) chain.linkItem(item[inner])
      chain.linkEnd()
    } else {
      chain.linkItem(item)
    }
    starts.push(chain.count() - 1)
  }
  chain.items = items
}

/** The version-4 chain: link `k` as two 32-bit words at `words[2k]`, the fingerprint of the previous link's words and the item's. */
class WordChain implements Chain {
  items: ReadonlyArray<unknown> = []
  readonly starts: Array<number> = [0]
  words = new Uint32Array(64)
  links = 1
  private readonly linkWords = new Uint32Array(4)
  private readonly itemWords = new Uint32Array(2)

  constructor() {
    fingerprintInto([], this.words, 0)
  }

  count(): number {
    return this.links
  }

  cutTo(links: number): void {
    this.links = links
  }

  linkItem(item: unknown): void {
    fingerprintInto(item, this.itemWords, 0)
    this.link(this.itemWords[0]!, this.itemWords[1]!)
  }

  linkEnd(): void {
    this.link(innerEndA, innerEndB)
  }

  /** Writes the last link's words in `out`. */
  lastInto(out: Uint32Array): void {
    const last = 2 * (this.links - 1)
    out[0] = this.words[last]!
    out[1] = this.words[last + 1]!
  }

  private link(a: number, b: number): void {
    const last = 2 * (this.links - 1)
    this.linkWords[0] = this.words[last]!
    this.linkWords[1] = this.words[last + 1]!
    this.linkWords[2] = a
    this.linkWords[3] = b
    if (2 * this.links + 2 > this.words.length) {
      const grown = new Uint32Array(this.words.length * 2)
      grown.set(this.words)
      this.words = grown
    }
    fingerprintWordsInto(this.linkWords, 0, 4, this.words, 2 * this.links)
    this.links++
  }
}

/** The `parley-events/4` digester. */
export const durableDigester = (): Digester => {
  const chains = new Map<string, WordChain>()
  /** Fields other than arrays by identity: Raft's snapshot holds the whole store and changes once in a thousand steps. */
  const fields = new WeakMap<object, Uint32Array>()
  const out = new Uint32Array(2)

  /** Leaves the chain's digest of `items` in `out`. */
  const chainOf = (field: string, items: ReadonlyArray<unknown>): void => {
    let chain = chains.get(field)
    if (chain === undefined) {
      chain = new WordChain()
      chains.set(field, chain)
    }
    advance(chain, items)
    chain.lastInto(out)
  }

  /** Leaves the digest of a field other than an array in `out`. */
  const fieldOf = (value: unknown): void => {
    if (typeof value !== "object" || value === null) return fingerprintInto(value, out, 0)
    const known = fields.get(value)
    if (known !== undefined) {
      out[0] = known[0]!
      out[1] = known[1]!
      return
    }
    fingerprintInto(value, out, 0)
    fields.set(value, Uint32Array.of(out[0]!, out[1]!))
  }

  const combined = new Uint32Array(5)
  return (durable) => {
    if (!isRecord(durable)) {
      fingerprintInto(durable, out, 0)
      return hex(out[0]!, out[1]!)
    }
    // Each field's name and digest hashed together, and the fields summed: the same whatever their order.
    let sumA = 0
    let sumB = 0
    let count = 0
    for (const key in durable) {
      const value = durable[key]
      if (value === undefined) continue
      if (Array.isArray(value)) chainOf(key, value)
      else fieldOf(value)
      combined[2] = out[0]!
      combined[3] = out[1]!
      fingerprintInto(key, out, 0)
      combined[0] = out[0]!
      combined[1] = out[1]!
      combined[4] = fieldTag
      fingerprintWordsInto(combined, 0, 5, out, 0)
      sumA = (sumA + out[0]!) | 0
      sumB = (sumB + out[1]!) | 0
      count++
    }
    combined[0] = summaryTag
    combined[1] = sumA
    combined[2] = sumB
    combined[3] = count
    fingerprintWordsInto(combined, 0, 4, out, 0)
    return hex(out[0]!, out[1]!)
  }
}

const digests = new WeakMap<object, string>()

/** A value's version-3 digest, remembered by identity: an array's is made of its items'. */
const hexDigestOf = (value: unknown, depth: number): string => {
  if (typeof value !== "object" || value === null) return fingerprint(value).toString(16)
  let digest = digests.get(value)
  if (digest === undefined) {
    digest = Array.isArray(value) && depth > 0 ? fingerprint(value.map((item) => hexDigestOf(item, depth - 1))).toString(16) : fingerprint(value).toString(16)
    digests.set(value, digest)
  }
  return digest
}

const hexLink = (previous: string, digest: string): string => fingerprint([previous, digest]).toString(16)
/** What ends an inner array in a version-3 chain: no digest (hex digits) reads so. */
const hexInnerEnd = "]"

/** The version-3 chain: each link the hex text of the fingerprint of the previous link's text and the item's digest. */
class HexChain implements Chain {
  items: ReadonlyArray<unknown> = []
  readonly starts: Array<number> = [0]
  readonly links: Array<string> = [fingerprint([]).toString(16)]

  count(): number {
    return this.links.length
  }

  cutTo(links: number): void {
    this.links.length = links
  }

  linkItem(item: unknown): void {
    this.links.push(hexLink(this.last(), hexDigestOf(item, 0)))
  }

  linkEnd(): void {
    this.links.push(hexLink(this.last(), hexInnerEnd))
  }

  last(): string {
    return this.links[this.links.length - 1]!
  }
}

/** The digester of `parley-events/2` and `/3`, which `parley validate` still reads. */
export const hexDigester = (): Digester => {
  const chains = new Map<string, HexChain>()
  const chainOf = (field: string, items: ReadonlyArray<unknown>): string => {
    let chain = chains.get(field)
    if (chain === undefined) {
      chain = new HexChain()
      chains.set(field, chain)
    }
    advance(chain, items)
    return chain.last()
  }
  return (durable) => {
    if (!isRecord(durable)) return hexDigestOf(durable, 2)
    const summary: Record<string, unknown> = {}
    for (const key in durable) {
      const value = durable[key]
      summary[key] = Array.isArray(value) ? chainOf(key, value) : hexDigestOf(value, 0)
    }
    return fingerprint(summary).toString(16)
  }
}

/** Whether two durable states hold the very same values in every field (reducers keep what a step left alone). */
export const sameFields = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return false
  const left = a as Readonly<Record<string, unknown>>
  const right = b as Readonly<Record<string, unknown>>
  let count = 0
  for (const key in left) {
    if (left[key] !== right[key]) return false
    count++
  }
  return count === Object.keys(right).length
}
