/**
 * Violations the tree had when the rules were written, kept in
 * known-violations.json so the rules could hold from the start. The file
 * only shrinks: a new violation fails the test, and so does an entry that no
 * longer occurs (it was fixed, so its entry must go before the violation can
 * sneak back). `npm run known-violations --workspace @parley/deps` rewrites
 * it from the tree, for a person to read in the diff.
 */
import { Schema } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { Violation } from "./cruise.ts"

const KnownViolation = Schema.Struct({
  rule: Schema.String,
  from: Schema.String,
  to: Schema.String,
  cycle: Schema.Array(Schema.String)
})
type KnownViolation = typeof KnownViolation.Type

const KnownViolations = Schema.Array(KnownViolation)

export const knownViolationsPath = join(import.meta.dirname, "..", "known-violations.json")

export const readKnownViolations = (path: string = knownViolationsPath): ReadonlyArray<KnownViolation> =>
  Schema.decodeUnknownSync(KnownViolations)(JSON.parse(readFileSync(path, "utf8")))

export const writeKnownViolations = (violations: ReadonlyArray<Violation>, path: string = knownViolationsPath): void => {
  const entries = violations.map(({ rule, from, to, cycle }): KnownViolation => ({ rule, from, to, cycle })).sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
  writeFileSync(path, `${JSON.stringify(entries, null, 2)}\n`)
}

const keyOf = (violation: KnownViolation): string => [violation.rule, violation.from, violation.to, ...violation.cycle].join("\n")

export interface Comparison {
  /** Violations the known list does not hold: each one fails the check. */
  readonly fresh: ReadonlyArray<Violation>
  /** Violations the known list holds, still to fix. */
  readonly known: ReadonlyArray<Violation>
  /** Entries of the known list that no longer occur. */
  readonly stale: ReadonlyArray<KnownViolation>
}

export const compareWithKnown = (violations: ReadonlyArray<Violation>, knownList: ReadonlyArray<KnownViolation>): Comparison => {
  const knownKeys = new Set(knownList.map(keyOf))
  const currentKeys = new Set(violations.map(keyOf))
  return {
    fresh: violations.filter((violation) => !knownKeys.has(keyOf(violation))),
    known: violations.filter((violation) => knownKeys.has(keyOf(violation))),
    stale: knownList.filter((entry) => !currentKeys.has(keyOf(entry)))
  }
}
