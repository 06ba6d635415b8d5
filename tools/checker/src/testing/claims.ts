/**
 * What a spec's check tests claim of one configuration, said once, as a row
 * of the TLA+ Examples' manifest or Stateright's `assert_properties` says
 * it: every property holds in so many states, or a variant is caught with
 * this property at this depth. A false claim throws one error that names
 * the spec, the overrides, and every figure that differed.
 */
import type { SpecDefinition } from "@parley/core"
import type { CheckResult, Violation } from "../types.ts"
import { explore } from "./explore.ts"
import type { Explored, ExploreOptions, Overrides } from "./explore.ts"

/** Which `sometimes` properties a search must reach. */
interface SometimesClaim {
  /** Each of these is reached; others may be too, unless `reachedOnly`. */
  readonly reached?: ReadonlyArray<string>
  /** `reached` names every `sometimes` property reached, no more. */
  readonly reachedOnly?: boolean
}

/** An exhaustive search in which every property holds. */
export interface Holds extends ExploreOptions, SometimesClaim {
  /** The distinct states of the whole search. */
  readonly states: number
  /** The `sometimes` properties these bounds cannot reach; none unless named. */
  readonly unreached?: ReadonlyArray<string>
}

/** A search that finds a counterexample. */
export interface Caught extends ExploreOptions, SometimesClaim {
  readonly property: string
  /** `always` unless named. */
  readonly kind?: Violation["kind"]
  /** The counterexample's steps: BFS finds a shortest one. */
  readonly depth: number
  /** The distinct states stored when the search stopped. */
  readonly states?: number
  /** Checked only when named: a search that stops early leaves most of them unreached. */
  readonly unreached?: ReadonlyArray<string>
}

const list = (names: ReadonlyArray<string>): string => (names.length === 0 ? "none" : names.join(", "))

const figure = (what: string, actual: number, expected: number | undefined): ReadonlyArray<string> =>
  expected === undefined || actual === expected ? [] : [`${what}: ${actual.toLocaleString("en")}, expected ${expected.toLocaleString("en")}`]

const sameNames = (actual: ReadonlyArray<string>, expected: ReadonlyArray<string>): boolean => {
  const sorted = [...expected].sort()
  return actual.length === expected.length && [...actual].sort().every((name, i) => name === sorted[i])
}

const unreachedDiffers = (result: CheckResult, expected: ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  expected === undefined || sameNames(result.unreached, expected)
    ? []
    : [`sometimes unreached: ${list(result.unreached)}, expected ${list(expected)}`]

const reachedDiffers = (result: CheckResult, claim: SometimesClaim): ReadonlyArray<string> => {
  const reached = result.reached.map((r) => r.property)
  const expected = claim.reached ?? []
  const missing = expected.filter((name) => !reached.includes(name))
  const extra = claim.reachedOnly === true ? reached.filter((name) => !expected.includes(name)) : []
  return [
    ...(missing.length === 0 ? [] : [`sometimes not reached: ${list(missing)} (reached: ${list(reached)})`]),
    ...(extra.length === 0 ? [] : [`sometimes reached beyond those named: ${list(extra)}`])
  ]
}

const describeViolation = (violation: Violation): string =>
  `${violation.kind} ${violation.property} after ${violation.path.actionIndices.length} steps`

const label = (spec: SpecDefinition, overrides: Overrides, options: ExploreOptions): string =>
  [
    spec.name,
    JSON.stringify(overrides),
    ...(options.liveness === true ? ["with liveness"] : []),
    ...(options.deadlock === true ? ["with deadlock"] : []),
    ...(options.adjust === undefined ? [] : ["adjusted"])
  ].join(" ")

const verdict = (what: string, differences: ReadonlyArray<string>, explored: Explored): Explored => {
  if (differences.length > 0) throw new Error(`${what}, but\n${differences.map((d) => `  - ${d}`).join("\n")}`)
  return explored
}

/**
 * Explores `spec` with `overrides` and asserts an exhaustive search with no
 * violation, `claim.states` distinct states, no `sometimes` left unreached
 * but those named, the named ones reached, and with liveness, no liveness
 * property left unchecked. Returns what `explore` returns.
 */
export const expectHolds = (spec: SpecDefinition, overrides: Overrides, claim: Holds): Explored => {
  const explored = explore(spec, overrides, claim)
  const { result } = explored
  const outcome = result.violation !== undefined
    ? [`violated: ${describeViolation(result.violation)}`]
    : result.result === "ok" ? [] : [`the search was ${result.result}, not exhaustive`]
  const liveness = claim.liveness === true && result.livenessUnchecked.length > 0
    ? [`liveness unchecked: ${list(result.livenessUnchecked)}`]
    : []
  return verdict(`${label(spec, overrides, claim)}: expected every property to hold`, [
    ...outcome,
    ...figure("distinct states", result.distinctStates, claim.states),
    ...unreachedDiffers(result, claim.unreached ?? []),
    ...reachedDiffers(result, claim),
    ...liveness
  ], explored)
}

/**
 * Explores `spec` with `overrides` and asserts that the search breaks
 * `claim.property` (of `claim.kind`, `always` unless named) with a
 * counterexample of `claim.depth` steps, and the other figures named.
 * Returns what `explore` returns, so a test goes on to read the trace.
 */
export const expectCaught = (spec: SpecDefinition, overrides: Overrides, claim: Caught): Explored => {
  const explored = explore(spec, overrides, claim)
  const { result } = explored
  const what = `${label(spec, overrides, claim)}: expected ${claim.kind ?? "always"} ${claim.property} broken in ${claim.depth} steps`
  const violation = result.violation
  if (violation === undefined) {
    return verdict(what, [`no violation: the search was ${result.result} in ${result.distinctStates.toLocaleString("en")} states`], explored)
  }
  const broken = violation.property === claim.property && violation.kind === (claim.kind ?? "always")
  return verdict(what, [
    ...(broken ? [] : [`violated instead: ${describeViolation(violation)}`]),
    ...figure("steps", violation.path.actionIndices.length, claim.depth),
    ...figure("distinct states", result.distinctStates, claim.states),
    ...unreachedDiffers(result, claim.unreached),
    ...reachedDiffers(result, claim)
  ], explored)
}
