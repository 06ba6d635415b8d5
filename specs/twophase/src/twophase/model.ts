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
import { always, fingerprintInto, SetOf, sometimes } from "@parley/core/model"
import type { Model, Property, StateCodec, StepEvent } from "@parley/core/model"
import { formatTwoPhaseMessage, twoPhaseActionLabel } from "./format.ts"
import { MaxInternedRMs, RMStateInterner, RMStates, SetInterner } from "./interners.ts"
import type { RM, RMState, TwoPhaseAction, TwoPhaseMessage, TwoPhaseState } from "./state.ts"

export type { RM, RMState, TMState, TwoPhaseAction, TwoPhaseMessage, TwoPhaseState } from "./state.ts"

/**
 * The known bugs, each a flag the correct spec leaves off (`twoPhaseSpec`
 * describes them); each lets the checker reach a state that breaks
 * TCConsistent, with two or more RMs.
 */
export interface TwoPhaseBugs {
  /** TMCommit does not wait until every RM has said Prepared. */
  readonly commitWithoutVotes: boolean
  /** TMAbort does not check that the TM is still undecided. */
  readonly abortAfterCommit: boolean
  /** RMChooseToAbort is allowed after the RM has said Prepared. */
  readonly abortWhenPrepared: boolean
}

/** TwoPhase.tla as written. */
export const twoPhaseCorrect: TwoPhaseBugs = { commitWithoutVotes: false, abortAfterCommit: false, abortWhenPrepared: false }

const COMMIT: TwoPhaseMessage = Object.freeze({ type: "Commit" })
const ABORT: TwoPhaseMessage = Object.freeze({ type: "Abort" })

const hasPrepared = (msgs: SetOf<TwoPhaseMessage>, rm: RM): boolean => {
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]!
    if (m.type === "Prepared" && m.rm === rm) return true
  }
  return false
}

/** Counts an object's own keys without allocating. */
const keyCount = (record: object): number => {
  let n = 0
  for (const _ in record) n++
  return n
}

/** The low bit of each 2-bit digit of an `rmState` code. */
const LowBits = 0x55555555

const popCount = (mask: number): number => {
  let n = 0
  for (let m = mask; m !== 0; m &= m - 1) n++
  return n
}

/** Sets of messages are bitmasks of `rms + 2` bits. */
const MaxRMs = 28

/** TwoPhase with `rms` resource managers, with the bugs `bugs` turns on. */
export const twoPhaseModel = (rms: number, bugs: TwoPhaseBugs = twoPhaseCorrect): Model<TwoPhaseState, TwoPhaseAction> => {
  if (!Number.isInteger(rms) || rms < 1 || rms > MaxRMs) {
    throw new RangeError(`twophase needs a whole number of RMs from 1 to ${MaxRMs}, got ${rms}`)
  }

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
  const rmSets = new SetInterner<RM>(RMs, (rm) => rmBit.get(rm) ?? 0)
  const messageSets = new SetInterner<TwoPhaseMessage>(messageOrder, messageBit)

  const { commitWithoutVotes, abortAfterCommit, abortWhenPrepared } = bugs

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
   * The state last asked about, read once: its two sets as bitmasks, its
   * `rmState` code when interned, and each RM's state. The checker asks
   * about one state once per action, and a record read by a varying key, or
   * a set's mask looked up, is slow.
   */
  let readOf: TwoPhaseState | undefined
  let msgsMask = 0
  let preparedMask = 0
  let rmCode: number | undefined
  /** A set with an element outside its universe, or an RM state TLA+ does not have: TypeOK fails, and no action is enabled. */
  let corrupt = false
  const rmValues: Array<RMState | undefined> = new Array(rms)

  /** What `read` would find in the state `apply` built last, which the checker encodes and checks next. */
  let builtState: TwoPhaseState | undefined
  let builtCode: number | undefined
  let builtPrepared = 0
  let builtMsgs = 0
  const built = (state: TwoPhaseState, code: number | undefined, prepared: number, msgs: number): TwoPhaseState => {
    builtState = state
    builtCode = code
    builtPrepared = prepared
    builtMsgs = msgs
    return state
  }

  const read = (s: TwoPhaseState): void => {
    if (s === readOf) return
    if (s === builtState) return load(s, builtCode, builtPrepared, builtMsgs)
    load(s, rmRecords?.codeOf(s.rmState), rmSets.mask(s.tmPrepared, true), messageSets.mask(s.msgs, true))
    corrupt ||= popCount(msgsMask) !== s.msgs.length || popCount(preparedMask) !== s.tmPrepared.length
  }

  const load = (s: TwoPhaseState, code: number | undefined, prepared: number, msgs: number): void => {
    readOf = s
    rmCode = code
    preparedMask = prepared
    msgsMask = msgs
    corrupt = false
    for (let i = 0; i < rms; i++) {
      const value = code === undefined ? s.rmState[RMs[i]!] : RMStates[(code >>> (2 * i)) & 3]
      if (code === undefined && !RMStates.includes(value!)) corrupt = true
      rmValues[i] = value
    }
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
    return !corrupt && guard(s, a, "rm" in a ? rmValues[rmIndex.get(a.rm)!] : undefined)
  }

  const enabledActions = (s: TwoPhaseState): ReadonlyArray<TwoPhaseAction> => {
    read(s)
    const out: Array<TwoPhaseAction> = []
    if (corrupt) return out
    for (let i = 0; i < allActions.length; i++) {
      const a = allActions[i]!
      const rm = actionRM[i]!
      if (guard(s, a, rm < 0 ? undefined : rmValues[rm])) out.push(a)
    }
    return out
  }

  /** `s` with RM `i` in state `value`; `s` was `read`. */
  const withRM = (s: TwoPhaseState, i: number, value: RMState, prepared: number, msgs: number): TwoPhaseState => {
    const tmPrepared = prepared === preparedMask ? s.tmPrepared : rmSets.of(prepared)
    const sent = msgs === msgsMask ? s.msgs : messageSets.of(msgs)
    if (rmCode === undefined) return built({ rmState: { ...s.rmState, [RMs[i]!]: value }, tmState: s.tmState, tmPrepared, msgs: sent }, undefined, prepared, msgs)
    const shift = 2 * i
    const code = (rmCode & ~(3 << shift)) | (RMStates.indexOf(value) << shift)
    return built({ rmState: rmRecords!.of(code), tmState: s.tmState, tmPrepared, msgs: sent }, code, prepared, msgs)
  }

  /** The primed variables; UNCHANGED ones are shared with `s`, which `enabled` has just read. */
  const apply = (s: TwoPhaseState, a: TwoPhaseAction): TwoPhaseState => {
    const i = "rm" in a ? rmIndex.get(a.rm)! : -1
    switch (a.name) {
      case "TMRcvPrepared": {
        const prepared = preparedMask | (1 << i)
        return built({ rmState: s.rmState, tmState: s.tmState, tmPrepared: rmSets.of(prepared), msgs: s.msgs }, rmCode, prepared, msgsMask)
      }
      case "TMCommit":
      case "TMAbort": {
        const msgs = msgsMask | (a.name === "TMCommit" ? commitBit : abortBit)
        return built({ rmState: s.rmState, tmState: "done", tmPrepared: s.tmPrepared, msgs: messageSets.of(msgs) }, rmCode, preparedMask, msgs)
      }
      case "RMPrepare":
        return withRM(s, i, "prepared", preparedMask, msgsMask | (1 << i))
      case "RMChooseToAbort":
        return withRM(s, i, "aborted", preparedMask, msgsMask)
      case "RMRcvCommitMsg":
        return withRM(s, i, "committed", preparedMask, msgsMask)
      case "RMRcvAbortMsg":
        return withRM(s, i, "aborted", preparedMask, msgsMask)
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
    const code = s === builtState ? builtCode : s === readOf ? rmCode : rmRecords?.codeOf(s.rmState)
    // In base 4, committed is 2 and aborted 3: both high bits set, the low bit clear in one and set in the other.
    if (code !== undefined) return (code & (code >>> 1) & LowBits) === 0 || (~code & (code >>> 1) & LowBits) === 0
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

  /**
   * Two words: the `rmState` code with the TM's state above it, then
   * `tmPrepared`'s mask with the mask of `msgs` above it. Interned records
   * and sets make decoding a few lookups; encoding the state `apply` just
   * built reads nothing from it.
   */
  const doneBit = 2 * rms
  const codec: StateCodec<TwoPhaseState> | undefined = rmRecords === undefined ? undefined : {
    words: 2,
    encode: (s, out, at) => {
      let code: number | undefined
      let prepared: number
      let msgs: number
      if (s === builtState) [code, prepared, msgs] = [builtCode, builtPrepared, builtMsgs]
      else [code, prepared, msgs] = [rmRecords.codeOf(s.rmState) ?? rmRecords.codeOfValues(s.rmState), rmSets.mask(s.tmPrepared), messageSets.mask(s.msgs)]
      if (code === undefined) throw new RangeError(`twophase cannot encode the rmState ${JSON.stringify(s.rmState)}`)
      if (s.tmState !== "init" && s.tmState !== "done") throw new RangeError(`twophase cannot encode the tmState ${JSON.stringify(s.tmState)}`)
      out[at] = code | (s.tmState === "done" ? 1 << doneBit : 0)
      out[at + 1] = prepared | (msgs << rms)
    },
    decode: (words, at) => {
      const head = words[at]!
      const tail = words[at + 1]!
      const code = head & ((1 << doneBit) - 1)
      const prepared = tail & allRMsMask
      const msgs = tail >>> rms
      const s: TwoPhaseState = {
        rmState: rmRecords.of(code),
        tmState: (head >>> doneBit) & 1 ? "done" : "init",
        tmPrepared: rmSets.of(prepared),
        msgs: messageSets.of(msgs)
      }
      load(s, code, prepared, msgs)
      return s
    }
  }

  return {
    init: () => [initial],
    actions: enabledActions,
    symmetryFingerprint,
    ...(codec === undefined ? {} : { codec }),
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
