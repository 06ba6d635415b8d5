/**
 * The bitsets and hashes a linearizability search keeps: its sets of
 * operations as bits, the returned ones hashed incrementally (Zobrist), a
 * model hashed structurally unless its spec hashes it, and the pending
 * operations grouped by equal inputs.
 */
import { equals } from "../equals.ts"
import { fingerprintInto } from "../fingerprint.ts"

export const setBit = (bits: Uint32Array, i: number): void => {
  bits[i >>> 5]! |= 1 << (i & 31)
}

export const clearBit = (bits: Uint32Array, i: number): void => {
  bits[i >>> 5]! &= ~(1 << (i & 31))
}

export const hasBit = (bits: Uint32Array, i: number): boolean => (bits[i >>> 5]! & (1 << (i & 31))) !== 0

/** Zobrist keys: the set of returned operations linearized hashes as the xor of its members' keys, kept as it changes. */
export const zobristKeys = (count: number): Int32Array => {
  const keys = new Int32Array(count)
  let x = 0x2545f491
  for (let i = 0; i < count; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    keys[i] = x
  }
  return keys
}

/** murmur3's finaliser. */
export const mix = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

const fingerprintScratch = new Uint32Array(2)

export const structuralHash = (value: unknown): number => {
  fingerprintInto(value, fingerprintScratch, 0)
  return fingerprintScratch[0]! | 0
}

/** For each input, the index of the first input equal to it: its class. */
export const classesOfEqualInputs = (inputs: ReadonlyArray<unknown>): Int32Array => {
  const classes = new Int32Array(inputs.length)
  if (inputs.length < 2) return classes
  const byHash = new Map<number, Array<number>>()
  inputs.forEach((input, index) => {
    const hash = structuralHash(input)
    const members = byHash.get(hash) ?? []
    const same = members.find((member) => equals(inputs[member], input))
    classes[index] = same ?? index
    if (same === undefined) members.push(index)
    byHash.set(hash, members)
  })
  return classes
}
