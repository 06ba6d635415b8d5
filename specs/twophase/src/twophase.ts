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
import { always, configInt, configString, CorrectVariant, fingerprintInto, SetOf, sometimes, withFingerprintMemo } from "@parley/core"
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

const hasPrepared = (msgs: SetOf<TwoPhaseMessage>, rm: RM): boolean => {
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]!
    if (m.type === "Prepared" && m.rm === rm) return true
  }
  return false
}

const RMStates: ReadonlyArray<RMState> = ["working", "prepared", "committed", "aborted"]

/** Interning every `rmState` costs one record per combination: 4^N of them. */
const MaxInternedRMs = 10

/**
 * The `rmState` records one model builds, interned by a base-4 code (digit
 * `i` is RM `i`'s state), for the same reasons as `SetInterner`: a step
 * allocates no record, and the checker hashes each record once. A record
 * built elsewhere (a test's, one with an RM too many) is copied instead.
 */
class RMStateInterner {
  private readonly byCode = new Map<number, Readonly<Record<RM, RMState>>>()
  private readonly codes = new WeakMap<object, number>()

  constructor(private readonly RMs: ReadonlyArray<RM>) {}

  of(code: number): Readonly<Record<RM, RMState>> {
    const known = this.byCode.get(code)
    if (known !== undefined) return known
    const record: Record<RM, RMState> = {}
    let rest = code
    for (const rm of this.RMs) {
      record[rm] = RMStates[rest & 3]!
      rest >>>= 2
    }
    const interned = withFingerprintMemo(record)
    this.byCode.set(code, interned)
    this.codes.set(interned, code)
    return interned
  }

  /** The record's code, or undefined for a record this interner did not build. */
  codeOf(record: Readonly<Record<RM, RMState>>): number | undefined {
    return this.codes.get(record)
  }

  with(record: Readonly<Record<RM, RMState>>, rmIndex: number, value: RMState): Readonly<Record<RM, RMState>> {
    const code = this.codes.get(record)
    const rm = this.RMs[rmIndex]!
    if (code === undefined) return { ...record, [rm]: value }
    const shift = 2 * rmIndex
    return this.of((code & ~(3 << shift)) | (RMStates.indexOf(value) << shift))
  }
}

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

  /** Whether this interner built `set`: then its elements are from the universe, by construction. */
  built(set: SetOf<T>): boolean {
    return this.masks.has(set)
  }

  /** The set as a bitmask; an element outside the universe throws, or with `skipForeign` is left out. */
  mask(set: SetOf<T>, skipForeign = false): number {
    const known = this.masks.get(set)
    if (known !== undefined) return known
    let mask = 0
    for (const item of set) {
      const bit = this.bitOf(item)
      if (bit === 0 && !skipForeign) throw new RangeError(`${JSON.stringify(item)} is not an element this model's sets can hold`)
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
  const rmIndex = new Map<RM, number>(RMs.map((rm, i) => [rm, i]))
  const rmRecords = rms <= MaxInternedRMs ? new RMStateInterner(RMs) : undefined
  const withRM = (s: TwoPhaseState, rm: RM, value: RMState): TwoPhaseState => ({
    rmState: rmRecords !== undefined ? rmRecords.with(s.rmState, rmIndex.get(rm)!, value) : { ...s.rmState, [rm]: value },
    tmState: s.tmState,
    tmPrepared: s.tmPrepared,
    msgs: s.msgs
  })
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

  const allRMsMask = (1 << rms) - 1
  const commitBit = 1 << rms
  const abortBit = 1 << (rms + 1)

  /** Each action's RM as an index into `RMs`, or -1 for the TM's actions. */
  const actionRM: ReadonlyArray<number> = allActions.map((a) => ("rm" in a ? rmIndex.get(a.rm)! : -1))

  /**
   * The state last asked about, read once: its two sets as bitmasks and each
   * RM's state. The checker asks about one state once per action, and a
   * record read by a varying key is a slow lookup.
   */
  let readOf: TwoPhaseState | undefined
  let msgsMask = 0
  let preparedMask = 0
  const rmValues: Array<RMState | undefined> = new Array(rms)
  const read = (s: TwoPhaseState): void => {
    if (s === readOf) return
    // A foreign element (in a corrupted state that TypeOK rejects) enables no action.
    msgsMask = messageSets.mask(s.msgs, true)
    preparedMask = rmSets.mask(s.tmPrepared, true)
    const code = rmRecords?.codeOf(s.rmState)
    for (let i = 0; i < rms; i++) rmValues[i] = code === undefined ? s.rmState[RMs[i]!] : RMStates[(code >>> (2 * i)) & 3]
    readOf = s
  }

  /** The action's TLA+ guard, and that the step changes the state; `rm` is the action's RM's state. */
  const guard = (s: TwoPhaseState, a: TwoPhaseAction, rm: RMState | undefined): boolean => {
    switch (a.name) {
      case "TMRcvPrepared": {
        const bit = rmBit.get(a.rm) ?? 0
        return s.tmState === "init" && (msgsMask & bit) !== 0 && (preparedMask & bit) === 0
      }
      case "TMCommit":
        return s.tmState === "init" && (commitWithoutVotes || preparedMask === allRMsMask)
      case "TMAbort":
        return s.tmState === "init" || (abortAfterCommit && (msgsMask & abortBit) === 0)
      case "RMPrepare":
        return rm === "working"
      case "RMChooseToAbort":
        return rm === "working" || (abortWhenPrepared && rm === "prepared")
      case "RMRcvCommitMsg":
        return (msgsMask & commitBit) !== 0 && rm !== "committed"
      case "RMRcvAbortMsg":
        return (msgsMask & abortBit) !== 0 && rm !== "aborted"
    }
  }

  const enabled = (s: TwoPhaseState, a: TwoPhaseAction): boolean => {
    read(s)
    return guard(s, a, "rm" in a ? s.rmState[a.rm] : undefined)
  }

  const enabledActions = (s: TwoPhaseState): ReadonlyArray<TwoPhaseAction> => {
    read(s)
    const out: Array<TwoPhaseAction> = []
    for (let i = 0; i < allActions.length; i++) {
      const a = allActions[i]!
      const rm = actionRM[i]!
      if (guard(s, a, rm < 0 ? undefined : rmValues[rm])) out.push(a)
    }
    return out
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
          rmState: withRM(s, a.rm, "prepared").rmState,
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


  const isMessage = (m: TwoPhaseMessage): boolean =>
    m.type === "Prepared"
      ? isRM(m.rm) && keyCount(m) === 2
      : (m.type === "Commit" || m.type === "Abort") && keyCount(m) === 1

  /** TPTypeOK. */
  const typeOK = (s: TwoPhaseState): boolean =>
    rmStateOK(s.rmState) &&
    (s.tmState === "init" || s.tmState === "done") &&
    (rmSets.built(s.tmPrepared) || s.tmPrepared.every(isRM)) &&
    (messageSets.built(s.msgs) || s.msgs.every(isMessage))

  /** Interned records are well-typed by construction; any other is read key by key. */
  const rmStateOK = (rmState: Readonly<Record<RM, RMState>>): boolean => {
    if (rmRecords?.codeOf(rmState) !== undefined) return true
    if (keyCount(rmState) !== rms) return false
    for (const rm of RMs) if (!(RMStates as ReadonlyArray<string>).includes(rmState[rm] ?? "")) return false
    return true
  }

  /** TCConsistent: no RM has aborted while another has committed. */
  const tcConsistent = (s: TwoPhaseState): boolean => {
    read(s)
    let aborted = false
    let committed = false
    for (let i = 0; i < rms; i++) {
      const r = rmValues[i]
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

  const working: Readonly<Record<RM, RMState>> = rmRecords?.of(0) ?? Object.fromEntries(RMs.map((rm) => [rm, "working"]))
  const initial: TwoPhaseState = {
    rmState: working,
    tmState: "init",
    tmPrepared: rmSets.of(0),
    msgs: messageSets.of(0)
  }

  /**
   * RMs are interchangeable (TLC's SYMMETRY): a state's orbit is known by the
   * TM's state, whether Commit and Abort were sent, and the multiset of the
   * RMs' (state, in tmPrepared, Prepared sent) triples, sorted.
   */
  const canonical = new Array<number>(rms + 1)
  const symmetryFingerprint = (s: TwoPhaseState, out: Uint32Array): void => {
    read(s)
    for (let i = 0; i < rms; i++) {
      const bit = 1 << i
      canonical[i] = RMStates.indexOf(rmValues[i]!) * 4 + ((preparedMask & bit) !== 0 ? 2 : 0) + ((msgsMask & bit) !== 0 ? 1 : 0)
    }
    canonical.length = rms
    canonical.sort((a, b) => a - b)
    canonical.push((s.tmState === "init" ? 0 : 4) + ((msgsMask & commitBit) !== 0 ? 2 : 0) + ((msgsMask & abortBit) !== 0 ? 1 : 0))
    fingerprintInto(canonical, out, 0)
  }

  return {
    init: () => [initial],
    actions: enabledActions,
    symmetryFingerprint,
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

/** `twoPhaseModel` from one plain argument, as a worker thread of a parallel search builds its model. */
export const twoPhaseModelFrom = (input: { readonly rms: number; readonly variant?: TwoPhaseVariant }): Model<TwoPhaseState, TwoPhaseAction> =>
  twoPhaseModel(input.rms, input.variant ?? CorrectVariant)
