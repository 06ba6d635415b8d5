/**
 * Lamport's TwoPhase.tla — two-phase commit as Gray and Lamport specify it in
 * "Consensus on Transaction Commit" — transcribed as a Model. The TLA+ text is
 * the one in the TLA+ Examples repository (specifications/transaction_commit):
 * the variables `rmState`, `tmState`, `tmPrepared` and `msgs`, the actions of
 * `TPNext`, and the invariants `TPTypeOK` and `TCConsistent`.
 *
 * Messages are never removed from `msgs`: a message, once sent, may be
 * received any number of times, exactly as in the TLA+ spec.
 *
 * Two departures of form, neither of which changes the reachable states:
 * - `actions(state)` lists only the actions that are enabled and change the
 *   state. TLA+ also allows steps that leave the state as it was (say
 *   `RMRcvCommitMsg(r)` for an `r` already committed); TLC counts their target
 *   as a state already seen, so dropping them changes no count.
 * - `tmPrepared = RM` is compared element by element, not by size, so it stays
 *   exact even for a state that breaks TypeOK.
 */
import { always, configInt, configString, CorrectVariant, SetOf, sometimes } from "@parley/core"
import type { Model, Property, SpecDefinition, SpecVariant, StepEvent } from "@parley/core"

/** A resource manager: `rm1` … `rmN`. */
export type RM = `rm${number}`
export type RMState = "working" | "prepared" | "committed" | "aborted"
export type TMState = "init" | "done"

export type TwoPhaseMessage =
  | { readonly type: "Prepared"; readonly rm: RM }
  | { readonly type: "Commit" }
  | { readonly type: "Abort" }

/** The four variables of TwoPhase.tla, nothing more. */
export interface TwoPhaseState {
  readonly rmState: Readonly<Record<RM, RMState>>
  readonly tmState: TMState
  readonly tmPrepared: SetOf<RM>
  readonly msgs: SetOf<TwoPhaseMessage>
}

export type TwoPhaseAction =
  | { readonly name: "TMCommit" | "TMAbort" }
  | {
    readonly name: "TMRcvPrepared" | "RMPrepare" | "RMChooseToAbort" | "RMRcvCommitMsg" | "RMRcvAbortMsg"
    readonly rm: RM
  }

/** Known-buggy variants; each lets the checker reach a state that breaks TCConsistent (with two or more RMs). */
export const twoPhaseVariants = [
  {
    name: "commit-without-votes",
    description: "TMCommit does not wait until every RM has said Prepared, so an RM that chose to abort meets a Commit"
  },
  {
    name: "abort-after-commit",
    description: "TMAbort does not check that the TM is still undecided, so it can send Abort after Commit"
  },
  {
    name: "abort-when-prepared",
    description: "RMChooseToAbort is allowed after the RM has said Prepared, so it can abort while the TM commits"
  }
] as const satisfies ReadonlyArray<SpecVariant>

export type TwoPhaseVariant = typeof CorrectVariant | (typeof twoPhaseVariants)[number]["name"]

const variantNames: ReadonlyArray<string> = [CorrectVariant, ...twoPhaseVariants.map((v) => v.name)]

export const isTwoPhaseVariant = (name: string): name is TwoPhaseVariant => variantNames.includes(name)

/** The variant named `name`, or a TypeError that lists the variants there are. */
export const parseTwoPhaseVariant = (name: string): TwoPhaseVariant => {
  if (!isTwoPhaseVariant(name)) {
    throw new TypeError(`twophase has no variant "${name}"; its variants: ${variantNames.join(", ")}`)
  }
  return name
}

/** One line per message, as traces show it: `Prepared(rm2)`, `Commit`, `Abort`. */
export const formatTwoPhaseMessage = (message: TwoPhaseMessage): string =>
  message.type === "Prepared" ? `Prepared(${message.rm})` : message.type

/** The action as TwoPhase.tla names it: `TMCommit`, `TMRcvPrepared(rm2)`. */
export const twoPhaseActionLabel = (action: TwoPhaseAction): string =>
  "rm" in action ? `${action.name}(${action.rm})` : action.name

const COMMIT: TwoPhaseMessage = Object.freeze({ type: "Commit" })
const ABORT: TwoPhaseMessage = Object.freeze({ type: "Abort" })

const hasType = (msgs: SetOf<TwoPhaseMessage>, type: "Commit" | "Abort"): boolean => {
  for (let i = 0; i < msgs.length; i++) if (msgs[i]!.type === type) return true
  return false
}

const hasPrepared = (msgs: SetOf<TwoPhaseMessage>, rm: RM): boolean => {
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]!
    if (m.type === "Prepared" && m.rm === rm) return true
  }
  return false
}

const withRM = (state: TwoPhaseState, rm: RM, value: RMState): TwoPhaseState => ({
  rmState: { ...state.rmState, [rm]: value },
  tmState: state.tmState,
  tmPrepared: state.tmPrepared,
  msgs: state.msgs
})

/**
 * The sets one model builds, interned by bitmask over a fixed universe: a
 * step allocates no set, compares no elements, and equal sets are one object
 * whose elements are in universe order. A set built elsewhere (a test's, say)
 * is read element by element instead.
 */
class SetInterner<T> {
  private readonly byMask = new Map<number, SetOf<T>>()
  private readonly masks = new WeakMap<SetOf<T>, number>()

  constructor(private readonly universe: ReadonlyArray<T>, private readonly bitOf: (item: T) => number) {
    if (universe.length > 30) throw new RangeError(`a set interner holds at most 30 elements, got ${universe.length}`)
  }

  of(mask: number): SetOf<T> {
    const known = this.byMask.get(mask)
    if (known !== undefined) return known
    const set = SetOf.from(this.universe.filter((_, i) => (mask & (1 << i)) !== 0))
    this.byMask.set(mask, set)
    this.masks.set(set, mask)
    return set
  }

  mask(set: SetOf<T>): number {
    const known = this.masks.get(set)
    if (known !== undefined) return known
    let mask = 0
    for (const item of set) {
      const bit = this.bitOf(item)
      if (bit === 0) throw new RangeError(`${JSON.stringify(item)} is not an element this model's sets can hold`)
      mask |= bit
    }
    return mask
  }

  add(set: SetOf<T>, item: T): SetOf<T> {
    const mask = this.mask(set)
    const bit = this.bitOf(item)
    return (mask & bit) !== 0 ? set : this.of(mask | bit)
  }
}

/** Counts an object's own keys without allocating. */
const keyCount = (record: object): number => {
  let n = 0
  for (const _ in record) n++
  return n
}

/** Sets of messages are bitmasks of `rms + 2` bits. */
const MaxRMs = 28

/**
 * TwoPhase with `rms` resource managers. `variant` is `"correct"` (the TLA+
 * text) or one of `twoPhaseVariants`.
 */
export const twoPhaseModel = (
  rms: number,
  variant: TwoPhaseVariant = CorrectVariant
): Model<TwoPhaseState, TwoPhaseAction> => {
  if (!Number.isInteger(rms) || rms < 1 || rms > MaxRMs) {
    throw new RangeError(`twophase needs a whole number of RMs from 1 to ${MaxRMs}, got ${rms}`)
  }
  parseTwoPhaseVariant(variant)

  const RMs: ReadonlyArray<RM> = Array.from({ length: rms }, (_, i): RM => `rm${i + 1}`)
  const preparedMessages = new Map<RM, TwoPhaseMessage>(RMs.map((rm) => [rm, Object.freeze({ type: "Prepared", rm })]))
  const preparedMessage = (rm: RM): TwoPhaseMessage => preparedMessages.get(rm) ?? { type: "Prepared", rm }
  const isRM = (value: unknown): boolean => typeof value === "string" && preparedMessages.has(value as RM)

  const rmBit = new Map<RM, number>(RMs.map((rm, i) => [rm, 1 << i]))
  /** Bits of the message universe: each RM's Prepared, then Commit, then Abort. */
  const messageBit = (m: TwoPhaseMessage): number =>
    m.type === "Prepared" ? rmBit.get(m.rm) ?? 0 : m.type === "Commit" ? 1 << rms : m.type === "Abort" ? 1 << (rms + 1) : 0
  /** Messages in the order sets and traces list them: each RM's Prepared, then Commit, then Abort. */
  const messageOrder: ReadonlyArray<TwoPhaseMessage> = [...RMs.map(preparedMessage), COMMIT, ABORT]
  const rmSets = new SetInterner<RM>(RMs, (rm) => rmBit.get(rm) ?? 0)
  const messageSets = new SetInterner<TwoPhaseMessage>(messageOrder, messageBit)

  const commitWithoutVotes = variant === "commit-without-votes"
  const abortAfterCommit = variant === "abort-after-commit"
  const abortWhenPrepared = variant === "abort-when-prepared"

  /** Every action of TPNext, in a fixed order: the TM's two, then per RM its five. */
  const allActions: ReadonlyArray<TwoPhaseAction> = Object.freeze([
    Object.freeze({ name: "TMCommit" as const }),
    Object.freeze({ name: "TMAbort" as const }),
    ...RMs.flatMap((rm) =>
      (["TMRcvPrepared", "RMPrepare", "RMChooseToAbort", "RMRcvCommitMsg", "RMRcvAbortMsg"] as const).map((name) =>
        Object.freeze({ name, rm })
      )
    )
  ])

  const allPrepared = (tmPrepared: SetOf<RM>): boolean => {
    for (const rm of RMs) if (!tmPrepared.includes(rm)) return false
    return true
  }

  /** The action's TLA+ guard, and that the step changes the state. */
  const enabled = (s: TwoPhaseState, a: TwoPhaseAction): boolean => {
    switch (a.name) {
      case "TMRcvPrepared":
        return s.tmState === "init" && hasPrepared(s.msgs, a.rm) && !s.tmPrepared.includes(a.rm)
      case "TMCommit":
        return s.tmState === "init" && (commitWithoutVotes || allPrepared(s.tmPrepared))
      case "TMAbort":
        return s.tmState === "init" || (abortAfterCommit && !hasType(s.msgs, "Abort"))
      case "RMPrepare":
        return s.rmState[a.rm] === "working"
      case "RMChooseToAbort": {
        const r = s.rmState[a.rm]
        return r === "working" || (abortWhenPrepared && r === "prepared")
      }
      case "RMRcvCommitMsg":
        return hasType(s.msgs, "Commit") && s.rmState[a.rm] !== "committed"
      case "RMRcvAbortMsg":
        return hasType(s.msgs, "Abort") && s.rmState[a.rm] !== "aborted"
    }
  }

  /** The primed variables; UNCHANGED ones are shared with `s`. */
  const apply = (s: TwoPhaseState, a: TwoPhaseAction): TwoPhaseState => {
    switch (a.name) {
      case "TMRcvPrepared":
        return { rmState: s.rmState, tmState: s.tmState, tmPrepared: rmSets.add(s.tmPrepared, a.rm), msgs: s.msgs }
      case "TMCommit":
        return { rmState: s.rmState, tmState: "done", tmPrepared: s.tmPrepared, msgs: messageSets.add(s.msgs, COMMIT) }
      case "TMAbort":
        return { rmState: s.rmState, tmState: "done", tmPrepared: s.tmPrepared, msgs: messageSets.add(s.msgs, ABORT) }
      case "RMPrepare":
        return {
          rmState: { ...s.rmState, [a.rm]: "prepared" },
          tmState: s.tmState,
          tmPrepared: s.tmPrepared,
          msgs: messageSets.add(s.msgs, preparedMessage(a.rm))
        }
      case "RMChooseToAbort":
        return withRM(s, a.rm, "aborted")
      case "RMRcvCommitMsg":
        return withRM(s, a.rm, "committed")
      case "RMRcvAbortMsg":
        return withRM(s, a.rm, "aborted")
    }
  }

  const rmStates: ReadonlyArray<string> = ["working", "prepared", "committed", "aborted"]

  const isMessage = (m: TwoPhaseMessage): boolean =>
    m.type === "Prepared"
      ? isRM(m.rm) && keyCount(m) === 2
      : (m.type === "Commit" || m.type === "Abort") && keyCount(m) === 1

  /** TPTypeOK. */
  const typeOK = (s: TwoPhaseState): boolean => {
    if (keyCount(s.rmState) !== rms) return false
    for (const rm of RMs) if (!rmStates.includes(s.rmState[rm] ?? "")) return false
    return (s.tmState === "init" || s.tmState === "done") &&
      s.tmPrepared.every(isRM) &&
      s.msgs.every(isMessage)
  }

  /** TCConsistent: no RM has aborted while another has committed. */
  const tcConsistent = (s: TwoPhaseState): boolean => {
    let aborted = false
    let committed = false
    for (const rm of RMs) {
      const r = s.rmState[rm]
      if (r === "aborted") aborted = true
      else if (r === "committed") committed = true
    }
    return !(aborted && committed)
  }

  const every = (s: TwoPhaseState, value: RMState): boolean => {
    for (const rm of RMs) if (s.rmState[rm] !== value) return false
    return true
  }

  const abortedAfterPrepare = (s: TwoPhaseState): boolean => {
    for (const rm of RMs) if (s.rmState[rm] === "aborted" && hasPrepared(s.msgs, rm)) return true
    return false
  }

  const properties: ReadonlyArray<Property<TwoPhaseState>> = [
    always("TypeOK", typeOK),
    always("TCConsistent", tcConsistent),
    sometimes("AllCommitted", (s) => every(s, "committed")),
    sometimes("AllAborted", (s) => every(s, "aborted")),
    /** An RM said Prepared and still ended aborted: the TM may abort whatever the votes. */
    sometimes("AbortedAfterPrepare", abortedAfterPrepare)
  ]

  const working: Record<RM, RMState> = {}
  for (const rm of RMs) working[rm] = "working"
  const initial: TwoPhaseState = {
    rmState: working,
    tmState: "init",
    tmPrepared: rmSets.of(0),
    msgs: messageSets.of(0)
  }

  return {
    init: () => [initial],
    actions: (s) => allActions.filter((a) => enabled(s, a)),
    next: (s, a) => (enabled(s, a) ? apply(s, a) : undefined),
    properties,
    /** The TM has decided and every RM has learnt it: only steps that change nothing remain. */
    terminal: (s) => s.tmState === "done" && RMs.every((rm) => s.rmState[rm] === "committed" || s.rmState[rm] === "aborted"),
    actionName: (_s, a) => twoPhaseActionLabel(a),
    describe: (_s, a): StepEvent => {
      switch (a.name) {
        case "TMCommit":
        case "TMAbort": {
          const message = a.name === "TMCommit" ? "Commit" : "Abort"
          return { _tag: "Local", node: "tm", label: a.name, sent: RMs.map((to) => ({ to, message })) }
        }
        case "TMRcvPrepared":
          return { _tag: "Deliver", from: a.rm, to: "tm", message: formatTwoPhaseMessage(preparedMessage(a.rm)) }
        case "RMPrepare":
          return {
            _tag: "Local",
            node: a.rm,
            label: twoPhaseActionLabel(a),
            sent: [{ to: "tm", message: formatTwoPhaseMessage(preparedMessage(a.rm)) }]
          }
        case "RMChooseToAbort":
          return { _tag: "Local", node: a.rm, label: twoPhaseActionLabel(a) }
        case "RMRcvCommitMsg":
          return { _tag: "Deliver", from: "tm", to: a.rm, message: "Commit" }
        case "RMRcvAbortMsg":
          return { _tag: "Deliver", from: "tm", to: a.rm, message: "Abort" }
      }
    },
    lanes: (s) => {
      const lanes: Record<string, unknown> = {
        tm: { tmState: s.tmState, tmPrepared: RMs.filter((rm) => s.tmPrepared.includes(rm)) }
      }
      for (const rm of RMs) lanes[rm] = s.rmState[rm]
      lanes.msgs = messageOrder.filter((m) => SetOf.has(s.msgs, m)).map(formatTwoPhaseMessage)
      return lanes
    }
  }
}

export const twoPhaseSpec: SpecDefinition = {
  name: "twophase",
  description: "Lamport's TwoPhase.tla: a transaction manager and resource managers agree to commit or abort",
  options: [{ kind: "int", name: "rms", description: "number of resource managers", default: 3, min: 1, max: 12 }],
  variants: twoPhaseVariants,
  build: (config) => ({
    _tag: "Model",
    model: twoPhaseModel(configInt(config, "rms"), parseTwoPhaseVariant(configString(config, "variant")))
  })
}
