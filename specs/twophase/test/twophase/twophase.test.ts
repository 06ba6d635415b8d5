import { check, replay } from "@parley/checker"
import { expectCaught, expectHolds } from "@parley/checker/testing"
import { CorrectVariant, defaultConfig, fingerprint, SetOf } from "@parley/core"
import type { Model, Property, StepEvent } from "@parley/core"
import { describe, expect, it } from "vitest"
import { twoPhaseActionLabel } from "../../src/twophase/format.ts"
import { twoPhaseModel } from "../../src/twophase/model.ts"
import type { RM, TwoPhaseAction, TwoPhaseState } from "../../src/twophase/model.ts"
import { twoPhaseSpec } from "../../src/twophase/spec.ts"

/** The model with `n` RMs and the bugs of the variant named `variant`. */
const modelOf = (n: number, variant: string = CorrectVariant) => twoPhaseModel(n, twoPhaseSpec.bugsOf(variant))

/**
 * TwoPhase.tla enumerated a second time, sharing nothing with the model: a
 * state is a string `rmChars|tm|tmPreparedMask|msgsMask`, with one character
 * per RM (w, p, c, a), `i` or `d` for the TM, bit i of the masks for rm(i+1),
 * and in `msgs` bit n for Commit and bit n+1 for Abort. Every TLA+ step is
 * generated, steps that change nothing included, as TLC does.
 */
const bruteForce = (n: number, variant: string = CorrectVariant) => {
  const COMMIT = 1 << n
  const ABORT = 1 << (n + 1)
  const ALL = (1 << n) - 1
  const key = (rm: string, tm: string, tmp: number, msgs: number): string => `${rm}|${tm}|${tmp}|${msgs}`
  const set = (rm: string, i: number, c: string): string => rm.slice(0, i) + c + rm.slice(i + 1)

  const successors = (state: string): Array<string> => {
    const [rm = "", tm = "", tmpText = "", msgsText = ""] = state.split("|")
    const tmp = Number(tmpText)
    const msgs = Number(msgsText)
    const out: Array<string> = []
    // TMCommit, TMAbort
    if (tm === "i" && (tmp === ALL || variant === "commit-without-votes")) out.push(key(rm, "d", tmp, msgs | COMMIT))
    if (tm === "i" || variant === "abort-after-commit") out.push(key(rm, "d", tmp, msgs | ABORT))
    for (let i = 0; i < n; i++) {
      const bit = 1 << i
      // TMRcvPrepared(r)
      if (tm === "i" && (msgs & bit) !== 0) out.push(key(rm, tm, tmp | bit, msgs))
      // RMPrepare(r)
      if (rm[i] === "w") out.push(key(set(rm, i, "p"), tm, tmp, msgs | bit))
      // RMChooseToAbort(r)
      if (rm[i] === "w" || (variant === "abort-when-prepared" && rm[i] === "p")) out.push(key(set(rm, i, "a"), tm, tmp, msgs))
      // RMRcvCommitMsg(r), RMRcvAbortMsg(r)
      if ((msgs & COMMIT) !== 0) out.push(key(set(rm, i, "c"), tm, tmp, msgs))
      if ((msgs & ABORT) !== 0) out.push(key(set(rm, i, "a"), tm, tmp, msgs))
    }
    return out
  }

  const initial = key("w".repeat(n), "i", 0, 0)
  const seen = new Set<string>([initial])
  const queue = [initial]
  for (let head = 0; head < queue.length; head++) {
    for (const next of successors(queue[head]!)) {
      if (!seen.has(next)) {
        seen.add(next)
        queue.push(next)
      }
    }
  }
  return { states: seen, successors }
}

/** A model state in the brute force's encoding. */
const encode = (n: number, s: TwoPhaseState): string => {
  const index = (rm: RM): number => Number(rm.slice(2)) - 1
  let rm = ""
  for (let i = 1; i <= n; i++) rm += (s.rmState[`rm${i}`] ?? "?")[0]
  let tmp = 0
  for (const r of s.tmPrepared) tmp |= 1 << index(r)
  let msgs = 0
  for (const m of s.msgs) msgs |= m.type === "Prepared" ? 1 << index(m.rm) : m.type === "Commit" ? 1 << n : 1 << (n + 1)
  return `${rm}|${s.tmState[0]}|${tmp}|${msgs}`
}

interface Reached {
  readonly state: TwoPhaseState
  readonly depth: number
}

/** Every reachable state of a model, breadth first, told apart by fingerprint, with no checker in between. */
const reachable = <A>(model: Model<TwoPhaseState, A>): Array<Reached> => {
  const seen = new Set<bigint>()
  const reached: Array<Reached> = []
  for (const state of model.init()) {
    if (seen.has(fingerprint(state))) continue
    seen.add(fingerprint(state))
    reached.push({ state, depth: 0 })
  }
  for (let head = 0; head < reached.length; head++) {
    const { state, depth } = reached[head]!
    for (const action of model.actions(state)) {
      const next = model.next(state, action)
      if (next === undefined) throw new Error(`actions() listed ${JSON.stringify(action)}, which next() refuses`)
      const id = fingerprint(next)
      if (seen.has(id)) continue
      seen.add(id)
      reached.push({ state: next, depth: depth + 1 })
    }
  }
  return reached
}

const property = (model: Model<TwoPhaseState, TwoPhaseAction>, name: string): Property<TwoPhaseState> => {
  const found = model.properties.find((p) => p.name === name)
  if (found === undefined) throw new Error(`no property ${name}`)
  return found
}

/**
 * The reachable states, counted by hand. Before the TM decides, each RM is
 * working, prepared, prepared and in tmPrepared, or aborted by choice: 4^n.
 * After Commit every RM is in tmPrepared and is prepared or committed: 2^n.
 * After Abort tmPrepared is frozen and each RM is one of working, prepared,
 * prepared and in tmPrepared, aborted without voting, aborted after voting,
 * aborted after voting and being heard: 6^n.
 */
const closedForm = (n: number): number => 2 ** n + 4 ** n + 6 ** n

const buggy: ReadonlyArray<string> = twoPhaseSpec.variants.map((v) => v.name)

/**
 * The length of the shortest behaviour to a state that breaks TCConsistent,
 * with two and with three RMs. A commit needs every RM's Prepared first, so
 * the two variants that break TCConsistent only after a commit need two more
 * steps per RM.
 */
const shortest: ReadonlyArray<readonly [string, number, number]> = [
  ["commit-without-votes", 3, 3], // TMCommit, RMChooseToAbort(rm1), RMRcvCommitMsg(rm2)
  ["abort-after-commit", 8, 10], // prepare and hear each RM, TMCommit, TMAbort, one RM learns each
  ["abort-when-prepared", 7, 9] // prepare and hear each RM, TMCommit, RMChooseToAbort(rm1), RMRcvCommitMsg(rm2)
]

describe("twoPhaseModel against an independent enumeration of TwoPhase.tla", () => {
  it.each([1, 2, 3, 4])("has the same states and the same steps with %i RMs", (n) => {
    const variants: ReadonlyArray<string> = [CorrectVariant, ...buggy]
    for (const variant of variants) {
      const model = modelOf(n, variant)
      const brute = bruteForce(n, variant)
      const reached = reachable(model)
      const keys = new Set(reached.map(({ state }) => encode(n, state)))
      expect(keys.size, `${variant}: no two fingerprints for one state, no fingerprint for two`).toBe(reached.length)
      expect(keys, variant).toEqual(brute.states)
      for (const { state } of reached) {
        const self = encode(n, state)
        const steps = new Set(model.actions(state).map((a) => encode(n, model.next(state, a)!)))
        const expected = new Set(brute.successors(self).filter((k) => k !== self))
        expect(steps, `${variant}: steps from ${self}`).toEqual(expected)
        expect(steps.has(self), `${variant}: actions() lists no step that changes nothing`).toBe(false)
      }
    }
  })

  it.each([[1, 12], [2, 56], [3, 288], [4, 1568], [5, 8832]])("with %i RMs reaches %i distinct states", (n, count) => {
    expect(reachable(twoPhaseModel(n)).length).toBe(count)
    expect(bruteForce(n).states.size).toBe(count)
    expect(closedForm(n)).toBe(count)
  })

  it.each([1, 3, 5])("keeps each of the states with %i RMs as two words that tell it apart and give it back", (n) => {
    const model = twoPhaseModel(n)
    const codec = model.codec!
    const words = new Uint32Array(codec.words)
    const seen = new Map<string, bigint>()
    for (const { state } of reachable(model)) {
      codec.encode(state, words, 0)
      const decoded = codec.decode(words, 0)
      expect(fingerprint(decoded)).toBe(fingerprint(state))
      expect(model.lanes(decoded)).toEqual(model.lanes(state))
      seen.set(words.join(","), fingerprint(state))
    }
    expect(seen.size, "one encoding per state").toBe(reachable(model).length)
  })

  it("encodes a state it did not build, and refuses one it cannot", () => {
    const model = twoPhaseModel(2)
    const codec = model.codec!
    const [init] = model.init()
    const foreign: TwoPhaseState = {
      rmState: { rm1: "prepared", rm2: "working" },
      tmState: "init",
      tmPrepared: SetOf.from<RM>(["rm1"]),
      msgs: SetOf.from([{ type: "Prepared" as const, rm: "rm1" as RM }])
    }
    const words = new Uint32Array(2)
    codec.encode(foreign, words, 0)
    expect(fingerprint(codec.decode(words, 0))).toBe(fingerprint(foreign))
    expect(() => codec.encode({ ...init!, rmState: { rm1: "working", rm2: "undecided" as "working" } }, words, 0)).toThrow(/cannot encode the rmState/)
    expect(() => codec.encode({ ...init!, msgs: SetOf.from([{ type: "Prepared" as const, rm: "rm9" as RM }]) }, words, 0)).toThrow(/not an element/)
  })

  it("has no codec beyond ten RMs, where its records are not interned", () => {
    expect(twoPhaseModel(10).codec?.words).toBe(2)
    expect(twoPhaseModel(11).codec).toBeUndefined()
  })

  it("the brute force agrees with the closed form 2^n + 4^n + 6^n up to 6 RMs", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => bruteForce(n).states.size)).toEqual([1, 2, 3, 4, 5, 6].map(closedForm))
    expect(closedForm(6)).toBe(50_816)
  })
})

describe("properties", () => {
  it.each([1, 2, 3, 4])("TypeOK and TCConsistent hold in every reachable state with %i RMs", (n) => {
    const model = twoPhaseModel(n)
    const invariants = model.properties.filter((p) => p.kind === "always")
    expect(invariants.map((p) => p.name)).toEqual(["TypeOK", "TCConsistent"])
    for (const { state } of reachable(model)) {
      for (const p of invariants) expect(p.holds(state), `${p.name} in ${encode(n, state)}`).toBe(true)
    }
  })

  it.each([1, 2, 3])("every sometimes property is reached with %i RMs", (n) => {
    const model = twoPhaseModel(n)
    const states = reachable(model).map((r) => r.state)
    const reachability = model.properties.filter((p) => p.kind === "sometimes")
    expect(reachability.map((p) => p.name)).toEqual(["AllCommitted", "AllAborted", "AbortedAfterPrepare"])
    for (const p of reachability) expect(states.some((s) => p.holds(s)), p.name).toBe(true)
  })

  it("TypeOK and TCConsistent reject states that break them", () => {
    const model = twoPhaseModel(2)
    const [init] = model.init()
    if (init === undefined) throw new Error("no initial state")
    const typeOK = property(model, "TypeOK")
    const consistent = property(model, "TCConsistent")
    const states: ReadonlyArray<[string, TwoPhaseState, boolean, boolean]> = [
      ["the initial state", init, true, true],
      ["an RM too many", { ...init, rmState: { ...init.rmState, rm3: "working" } }, false, true],
      ["an RM missing", { ...init, rmState: { rm1: "working" } }, false, true],
      // The cast builds on purpose a state the types forbid, as a corrupted one would be.
      ["an RM state TLA+ does not have", { ...init, rmState: { rm1: "working", rm2: "undecided" as "working" } }, false, true],
      ["a Prepared from an unknown RM", { ...init, msgs: SetOf.from([{ type: "Prepared" as const, rm: "rm9" as const }]) }, false, true],
      ["an unknown RM in tmPrepared", { ...init, tmPrepared: SetOf.from<RM>(["rm0"]) }, false, true],
      ["a committed and an aborted RM", { ...init, rmState: { rm1: "committed", rm2: "aborted" } }, true, false],
      ["two committed RMs", { ...init, rmState: { rm1: "committed", rm2: "committed" } }, true, true]
    ]
    for (const [what, state, typeOk, tc] of states) {
      expect(typeOK.holds(state), `TypeOK: ${what}`).toBe(typeOk)
      expect(consistent.holds(state), `TCConsistent: ${what}`).toBe(tc)
    }
  })
})

describe("known-buggy variants", () => {
  it("are the variants the spec lists", () => {
    expect(shortest.map(([v]) => v)).toEqual(buggy)
  })

  it.each(shortest)("%s breaks TCConsistent after %i steps with 2 RMs, %i with 3, and keeps TypeOK", (variant, two, three) => {
    for (const [n, steps] of [[2, two], [3, three]] as const) {
      const model = modelOf(n, variant)
      const reached = reachable(model)
      const broken = reached.filter(({ state }) => !property(model, "TCConsistent").holds(state))
      expect(broken.length).toBeGreaterThan(0)
      expect(Math.min(...broken.map((r) => r.depth))).toBe(steps)
      expect(reached.every(({ state }) => property(model, "TypeOK").holds(state))).toBe(true)
    }
  })

  it.each(buggy)("%s cannot break TCConsistent with a single RM", (variant) => {
    const model = modelOf(1, variant)
    expect(reachable(model).every(({ state }) => property(model, "TCConsistent").holds(state))).toBe(true)
  })
})

/** A step as one line: `rm1 RMPrepare(rm1) => tm:Prepared(rm1)`, or `tm->rm2 Commit` for a delivery. */
const eventLine = (event: StepEvent): string => {
  const sent = "sent" in event && event.sent !== undefined && event.sent.length > 0
    ? ` => ${event.sent.map((s) => `${s.to}:${s.message}`).join(" ")}`
    : ""
  switch (event._tag) {
    case "Local":
      return `${event.node} ${event.label}${sent}`
    case "Deliver":
      return `${event.from}->${event.to} ${event.message}${sent}`
    default:
      return `unexpected ${event._tag}`
  }
}

/** Runs the actions named by `labels` from the initial state; each must be enabled. */
const run = (model: Model<TwoPhaseState, TwoPhaseAction>, labels: ReadonlyArray<string>) => {
  let [state] = model.init()
  if (state === undefined) throw new Error("no initial state")
  const lines: Array<string> = []
  for (const label of labels) {
    const action = model.actions(state).find((a) => twoPhaseActionLabel(a) === label)
    if (action === undefined) throw new Error(`${label} is not enabled in ${JSON.stringify(model.lanes(state))}`)
    lines.push(`${label.padEnd(20)}${eventLine(model.describe(state, action))}`)
    const next = model.next(state, action)
    if (next === undefined) throw new Error(`${label}: next() refuses an action actions() lists`)
    state = next
  }
  return { state, lines, lanes: model.lanes(state) }
}

describe("scenarios", () => {
  it("commits when both RMs prepare and the TM has heard them", () => {
    const model = twoPhaseModel(2)
    const { lines, lanes, state } = run(model, [
      "RMPrepare(rm1)",
      "TMRcvPrepared(rm1)",
      "RMPrepare(rm2)",
      "TMRcvPrepared(rm2)",
      "TMCommit",
      "RMRcvCommitMsg(rm2)",
      "RMRcvCommitMsg(rm1)"
    ])
    expect(lines.join("\n")).toBe(
      [
        "RMPrepare(rm1)      rm1 RMPrepare(rm1) => tm:Prepared(rm1)",
        "TMRcvPrepared(rm1)  rm1->tm Prepared(rm1)",
        "RMPrepare(rm2)      rm2 RMPrepare(rm2) => tm:Prepared(rm2)",
        "TMRcvPrepared(rm2)  rm2->tm Prepared(rm2)",
        "TMCommit            tm TMCommit => rm1:Commit rm2:Commit",
        "RMRcvCommitMsg(rm2) tm->rm2 Commit",
        "RMRcvCommitMsg(rm1) tm->rm1 Commit"
      ].join("\n")
    )
    expect(lanes).toEqual({
      tm: { tmState: "done", tmPrepared: ["rm1", "rm2"] },
      rm1: "committed",
      rm2: "committed",
      msgs: ["Prepared(rm1)", "Prepared(rm2)", "Commit"]
    })
    expect(Object.keys(lanes)).toEqual(["tm", "rm1", "rm2", "msgs"])
    expect(model.actions(state)).toEqual([])
    expect(model.terminal?.(state)).toBe(true)
  })

  it("aborts a prepared RM when another chooses to abort and the TM gives up", () => {
    const model = twoPhaseModel(2)
    const { lines, lanes } = run(model, [
      "RMPrepare(rm1)",
      "RMChooseToAbort(rm2)",
      "TMRcvPrepared(rm1)",
      "TMAbort",
      "RMRcvAbortMsg(rm1)"
    ])
    expect(lines.join("\n")).toBe(
      [
        "RMPrepare(rm1)      rm1 RMPrepare(rm1) => tm:Prepared(rm1)",
        "RMChooseToAbort(rm2)rm2 RMChooseToAbort(rm2)",
        "TMRcvPrepared(rm1)  rm1->tm Prepared(rm1)",
        "TMAbort             tm TMAbort => rm1:Abort rm2:Abort",
        "RMRcvAbortMsg(rm1)  tm->rm1 Abort"
      ].join("\n")
    )
    expect(lanes).toEqual({
      tm: { tmState: "done", tmPrepared: ["rm1"] },
      rm1: "aborted",
      rm2: "aborted",
      msgs: ["Prepared(rm1)", "Abort"]
    })
  })

  it("refuses actions whose guard is false and steps that would change nothing", () => {
    const model = twoPhaseModel(2)
    const { state } = run(model, ["RMPrepare(rm1)", "TMRcvPrepared(rm1)"])
    const refused: ReadonlyArray<TwoPhaseAction> = [
      { name: "TMCommit" }, // rm2 has not prepared
      { name: "TMRcvPrepared", rm: "rm1" }, // already in tmPrepared: the state would not change
      { name: "TMRcvPrepared", rm: "rm2" }, // no Prepared from rm2
      { name: "RMPrepare", rm: "rm1" }, // rm1 is no longer working
      { name: "RMChooseToAbort", rm: "rm1" }, // a prepared RM may not abort on its own
      { name: "RMRcvCommitMsg", rm: "rm2" }, // no Commit sent
      { name: "RMRcvAbortMsg", rm: "rm2" } // no Abort sent
    ]
    for (const action of refused) expect(model.next(state, action), twoPhaseActionLabel(action)).toBeUndefined()
    expect(model.actions(state).map(twoPhaseActionLabel)).toEqual(["TMAbort", "RMPrepare(rm2)", "RMChooseToAbort(rm2)"])
  })

  it("lists actions in the same order for equal states however they were reached", () => {
    const model = twoPhaseModel(3)
    const a = run(model, ["RMPrepare(rm1)", "RMPrepare(rm2)", "TMRcvPrepared(rm2)", "TMRcvPrepared(rm1)"]).state
    const b = run(model, ["RMPrepare(rm2)", "TMRcvPrepared(rm2)", "RMPrepare(rm1)", "TMRcvPrepared(rm1)"]).state
    expect(fingerprint(a)).toBe(fingerprint(b))
    expect(model.actions(a)).toEqual(model.actions(b))
    expect(model.lanes(a)).toEqual(model.lanes(b))
  })
})

describe("twoPhaseSpec", () => {
  it("builds the model for its default configuration: three RMs, the correct variant", () => {
    const built = twoPhaseSpec.build(defaultConfig(twoPhaseSpec))
    if (built._tag !== "Model") throw new Error("twophase is a Model spec")
    expect(built.model.init().map((s) => built.model.lanes(s))).toEqual([
      { tm: { tmState: "init", tmPrepared: [] }, rm1: "working", rm2: "working", rm3: "working", msgs: [] }
    ])
    expect(buggy).toEqual(shortest.map(([v]) => v))
  })

  it("refuses an unknown variant and a number of RMs that is not a positive whole number", () => {
    expect(() => twoPhaseSpec.build({ rms: 3, variant: "bogus" })).toThrow(/no variant "bogus".*commit-without-votes/)
    expect(() => twoPhaseSpec.build({ rms: 0, variant: CorrectVariant })).toThrow(new RangeError("twophase needs rms to be an integer from 1 to 12, got 0"))
    expect(() => twoPhaseModel(0)).toThrow(RangeError)
    expect(() => twoPhaseModel(1.5)).toThrow(RangeError)
  })
})

describe("checked by @parley/checker", () => {
  it.each([[1, 12], [2, 56], [3, 288], [4, 1568], [5, 8832]])("with %i RMs: ok, %i distinct states, every sometimes reached", (n, count) => {
    expectHolds(twoPhaseSpec, { rms: n }, { states: count, reached: ["AbortedAfterPrepare", "AllAborted", "AllCommitted"], reachedOnly: true })
  })

  it("finds no deadlock: every state without successors is terminal", () => {
    expectHolds(twoPhaseSpec, { rms: 3 }, { states: 288, deadlock: true })
  })

  it.each(shortest)(
    "%s: with 3 RMs, a shortest counterexample to TCConsistent (%i steps with 2 RMs, %i with 3) that replays",
    (variant, _two, steps) => {
      const { model, result } = expectCaught(twoPhaseSpec, { rms: 3, variant }, { property: "TCConsistent", depth: steps })
      const path = result.violation?.path
      if (path === undefined) throw new Error("no path")
      const replayed = replay(model, path)
      const last = replayed.steps.at(-1)?.state
      if (last === undefined) throw new Error("empty counterexample")
      expect(model.properties.find((p) => p.name === "TCConsistent")?.holds(last)).toBe(false)
    }
  )
})

describe("symmetry reduction (--symmetry): RMs are interchangeable", () => {
  /** The brute force's states up to renaming the RMs: each state's least encoding over every permutation of positions. */
  const orbits = (n: number, variant: string = CorrectVariant): number => {
    const permutations: Array<Array<number>> = [[]]
    for (let k = 0; k < n; k++) {
      const longer: Array<Array<number>> = []
      for (const p of permutations) for (let at = 0; at <= p.length; at++) longer.push([...p.slice(0, at), k, ...p.slice(at)])
      permutations.splice(0, permutations.length, ...longer)
    }
    const permuteBits = (bits: number, p: ReadonlyArray<number>): number => {
      let out = bits & ~((1 << n) - 1)
      for (let i = 0; i < n; i++) if ((bits & (1 << i)) !== 0) out |= 1 << p[i]!
      return out
    }
    const classes = new Set<string>()
    for (const state of bruteForce(n, variant).states) {
      const [rm = "", tm = "", tmp = "", msgs = ""] = state.split("|")
      let least: string | undefined
      for (const p of permutations) {
        const chars = new Array<string>(n)
        for (let i = 0; i < n; i++) chars[p[i]!] = rm[i]!
        const key = `${chars.join("")}|${tm}|${permuteBits(Number(tmp), p)}|${permuteBits(Number(msgs), p)}`
        if (least === undefined || key < least) least = key
      }
      classes.add(least!)
    }
    return classes.size
  }

  it.each([1, 2, 3, 4, 5])("with %i RMs stores one state per orbit, as many as the brute force's orbits", (n) => {
    const full = check(twoPhaseModel(n), { strategy: "bfs" })
    const reduced = check(twoPhaseModel(n), { strategy: "bfs", symmetry: true })
    expect(reduced.result).toBe("ok")
    expect(reduced.distinctStates).toBe(orbits(n))
    expect(reduced.unreached).toEqual([])
    if (n > 1) expect(reduced.distinctStates).toBeLessThan(full.distinctStates)
  })

  it.each(buggy)("%s: the same violation at the same depth with and without it", (variant) => {
    const full = check(modelOf(3, variant), { strategy: "bfs" })
    const reduced = check(modelOf(3, variant), { strategy: "bfs", symmetry: true })
    expect(reduced.violation?.property).toBe(full.violation?.property)
    expect(reduced.violation?.path.actionIndices.length).toBe(full.violation?.path.actionIndices.length)
  })
})
