import { defaultConfig } from "@parley/core"
import type { NodeContext, Output, Step } from "@parley/core"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  clientWrites,
  formatTwoPcMessage,
  formatTwoPcResponse,
  formatTwoPcTimer,
  ownerOf,
  participantIds,
  twoPcActor,
  twoPcClient,
  TwoPcLog,
  TwoPcMessage,
  twoPhaseCommitSpec,
  twoPhaseCommitSystem,
  TwoPcRequest,
  TwoPcResponse,
  TwoPcTimer
} from "../../src/index.ts"
import type { TwoPcNodeState } from "../../src/index.ts"

/**
 * Reducer scenarios in the manner of etcd/raft's testdata: each scenario
 * drives one node through a script of events, and each event lists every
 * output of its step as one line (`p1 <- Prepare t1 k2=v`, `set VoteTimeout
 * t1`, `client <- #1 Outcome t1 commit`), and where it matters the state
 * after it and the durable log the host would write before the outputs.
 * With participants p1 and p2, the hash gives k2 to p1 and k1 to p2.
 */
const participants = participantIds(2)
const nodes = ["coordinator", ...participants]
const context = (self: string): NodeContext => ({ self, nodes })

type Event =
  | { readonly init: string }
  | { readonly recover: string; readonly log: TwoPcLog }
  | { readonly request: TwoPcRequest; readonly client?: string }
  | { readonly from: string; readonly message: TwoPcMessage }
  | { readonly timer: TwoPcTimer }

interface Expectation {
  readonly on: Event
  readonly out: ReadonlyArray<string>
  readonly state?: Partial<Record<string, unknown>>
  readonly durable?: TwoPcLog
}

interface Scenario {
  readonly name: string
  readonly lazyLog?: boolean
  readonly inquire?: boolean
  readonly script: ReadonlyArray<Expectation>
}

const line = (output: Output<TwoPcMessage, TwoPcTimer, TwoPcResponse>): string => {
  switch (output._tag) {
    case "Send":
      return `${output.to} <- ${formatTwoPcMessage(output.message)}`
    case "SetTimer":
      return `set ${formatTwoPcTimer(output.timer)}`
    case "CancelTimer":
      return `cancel ${formatTwoPcTimer(output.timer)}`
    case "Reply":
      return `${output.client} <- ${formatTwoPcResponse(output.response)}`
  }
}

const run = (scenario: Scenario): void => {
  const actor = twoPcActor({ participants, lazyLog: scenario.lazyLog ?? false, inquire: scenario.inquire ?? false })
  let state: TwoPcNodeState | undefined
  for (const [index, expected] of scenario.script.entries()) {
    const on = expected.on
    let result: Step<TwoPcNodeState, TwoPcMessage, TwoPcTimer, TwoPcResponse>
    if ("init" in on) result = actor.init(context(on.init))
    else if ("recover" in on) result = actor.recover(context(on.recover), on.log)
    else if (state === undefined) throw new Error(`step ${index + 1}: the script must start with init or recover`)
    else if ("request" in on) result = actor.onRequest(state, on.client ?? "client", on.request)
    else if ("from" in on) result = actor.onMessage(state, on.from, on.message)
    else result = actor.onTimer(state, on.timer)
    const at = `${scenario.name}, step ${index + 1}`
    expect(result.out.map(line), at).toEqual(expected.out)
    if (expected.state !== undefined) expect(result.state, at).toMatchObject(expected.state)
    if (expected.durable !== undefined) expect(actor.durable(result.state), at).toEqual(expected.durable)
    state = result.state
  }
}

const writes = [{ key: "k1", value: "a" }, { key: "k2", value: "b" }]
const begin: TwoPcRequest = { _tag: "Begin", seq: 1, writes }
const vote = (tx: string, v: "yes" | "no"): TwoPcMessage => ({ _tag: "Vote", tx, vote: v })
const decision = (tx: string, d: "commit" | "abort"): TwoPcMessage => ({ _tag: "Decision", tx, decision: d })
const prepare = (tx: string, key: string, value: string): TwoPcMessage => ({ _tag: "Prepare", tx, writes: [{ key, value }] })
const castVote = (tx: string, v: "yes" | "no"): TwoPcTimer => ({ _tag: "CastVote", tx, vote: v })

const begun: ReadonlyArray<Expectation> = [
  { on: { init: "coordinator" }, out: [], durable: { role: "coordinator", next: 1, txs: [] } },
  {
    on: { request: begin },
    out: ["p1 <- Prepare t1 k2=b", "p2 <- Prepare t1 k1=a", "set VoteTimeout t1"],
    // Logged as begun, with whom to tell, before any Prepare leaves.
    durable: { role: "coordinator", next: 2, txs: [{ id: "t1", participants: ["p1", "p2"], decision: null, votes: [null, null] }] }
  }
]

const coordinatorScenarios: ReadonlyArray<Scenario> = [
  {
    name: "every participant votes yes: commit, in the log in the step that sends it and answers the client",
    script: [
      ...begun,
      { on: { from: "p2", message: vote("t1", "yes") }, out: [] },
      // A duplicate yes is one vote, not two.
      { on: { from: "p2", message: vote("t1", "yes") }, out: [] },
      {
        on: { from: "p1", message: vote("t1", "yes") },
        out: ["cancel VoteTimeout t1", "p1 <- Commit t1", "p2 <- Commit t1", "client <- #1 Outcome t1 commit"],
        durable: { role: "coordinator", next: 2, txs: [{ id: "t1", participants: ["p1", "p2"], decision: "commit", votes: ["yes", "yes"] }] }
      },
      // The host's retry of the same Begin is the same transaction, answered again.
      { on: { request: begin }, out: ["client <- #1 Outcome t1 commit"] },
      // Late events change nothing once decided; an Inquire gets the decision.
      { on: { timer: { _tag: "VoteTimeout", tx: "t1" } }, out: [] },
      { on: { from: "p1", message: { _tag: "Inquire", tx: "t1" } }, out: ["p1 <- Commit t1"] }
    ]
  },
  {
    name: "a no aborts at once; a timeout aborts too; a second transaction gets the next id",
    script: [
      ...begun,
      { on: { from: "p1", message: vote("t1", "no") }, out: ["cancel VoteTimeout t1", "p1 <- Abort t1", "p2 <- Abort t1", "client <- #1 Outcome t1 abort"] },
      { on: { request: { _tag: "Begin", seq: 2, writes: [{ key: "k1", value: "c" }] } }, out: ["p2 <- Prepare t2 k1=c", "set VoteTimeout t2"] },
      { on: { timer: { _tag: "VoteTimeout", tx: "t2" } }, out: ["cancel VoteTimeout t2", "p2 <- Abort t2", "client <- #2 Outcome t2 abort"] }
    ]
  },
  {
    name: "a late yes, from a participant that lost its work and took a stale Prepare, gets the decision",
    script: [
      ...begun,
      { on: { timer: { _tag: "VoteTimeout", tx: "t1" } }, out: ["cancel VoteTimeout t1", "p1 <- Abort t1", "p2 <- Abort t1", "client <- #1 Outcome t1 abort"] },
      { on: { from: "p2", message: vote("t1", "yes") }, out: ["p2 <- Abort t1"] },
      // Presumed abort: a transaction never logged was never prepared here.
      { on: { from: "p2", message: { _tag: "Inquire", tx: "t9" } }, out: ["p2 <- Abort t9"] }
    ]
  },
  {
    name: "recovery: a logged decision is sent again; a transaction logged without one is aborted and told",
    script: [
      {
        on: {
          recover: "coordinator",
          log: {
            role: "coordinator",
            next: 3,
            txs: [
              { id: "t1", participants: ["p1", "p2"], decision: "commit", votes: ["yes", "yes"] },
              { id: "t2", participants: ["p2"], decision: null, votes: ["yes"] }
            ]
          }
        },
        out: ["p1 <- Commit t1", "p2 <- Commit t1", "p2 <- Abort t2"],
        state: { recovered: true, next: 3 },
        durable: {
          role: "coordinator",
          next: 3,
          txs: [
            { id: "t1", participants: ["p1", "p2"], decision: "commit", votes: ["yes", "yes"] },
            { id: "t2", participants: ["p2"], decision: "abort", votes: ["yes"] }
          ]
        }
      },
      { on: { request: { _tag: "TxQuery", seq: 4, tx: "t2" } }, out: ["client <- #4 TxView t2 coordinator aborted"] }
    ]
  },
  {
    name: "no-durable-decision: the decision leaves before its log write, which a FlushLog completes",
    lazyLog: true,
    script: [
      ...begun,
      { on: { from: "p1", message: vote("t1", "yes") }, out: [] },
      {
        on: { from: "p2", message: vote("t1", "yes") },
        out: ["cancel VoteTimeout t1", "p1 <- Commit t1", "p2 <- Commit t1", "client <- #1 Outcome t1 commit", "set FlushLog t1"],
        durable: { role: "coordinator", next: 2, txs: [{ id: "t1", participants: ["p1", "p2"], decision: null, votes: ["yes", "yes"] }] }
      },
      {
        on: { timer: { _tag: "FlushLog", tx: "t1" } },
        out: [],
        durable: { role: "coordinator", next: 2, txs: [{ id: "t1", participants: ["p1", "p2"], decision: "commit", votes: ["yes", "yes"] }] }
      }
    ]
  },
  {
    name: "reads and transactions belong elsewhere: a key's owner, and what the coordinator knows",
    script: [
      { on: { init: "coordinator" }, out: [] },
      { on: { request: { _tag: "Read", seq: 1, key: "k1" } }, out: ["client <- #1 Elsewhere p2"] },
      { on: { request: { _tag: "TxQuery", seq: 2, tx: "t1" } }, out: ["client <- #2 TxView t1 coordinator unknown"] }
    ]
  }
]

const participantScenarios: ReadonlyArray<Scenario> = [
  {
    name: "prepares, votes yes durably, commits and applies the writes",
    script: [
      { on: { init: "p2" }, out: [] },
      { on: { from: "coordinator", message: prepare("t1", "k1", "a") }, out: ["set CastVote t1 yes", "set CastVote t1 no"] },
      {
        on: { timer: castVote("t1", "yes") },
        out: ["cancel CastVote t1 no", "coordinator <- Vote t1 yes"],
        durable: { role: "participant", txs: [{ id: "t1", phase: "prepared", voted: "yes", writes: [{ key: "k1", value: "a" }] }], store: { entries: {} } }
      },
      { on: { request: { _tag: "TxQuery", seq: 1, tx: "t1" } }, out: ["client <- #1 TxView t1 p2 prepared"] },
      { on: { from: "coordinator", message: decision("t1", "commit") }, out: [], state: { store: { entries: { k1: "a" } } } },
      { on: { request: { _tag: "Read", seq: 2, key: "k1" } }, out: ["client <- #2 Value k1=a"] },
      { on: { request: { _tag: "Read", seq: 3, key: "k2" } }, out: ["client <- #3 Elsewhere p1"] },
      { on: { request: { _tag: "Begin", seq: 4, writes } }, out: ["client <- #4 Elsewhere coordinator"] }
    ]
  },
  {
    name: "a key locked by a prepared transaction: the next one is refused at once, and a yes drawn later finds the lock too",
    script: [
      { on: { init: "p2" }, out: [] },
      { on: { from: "coordinator", message: prepare("t1", "k1", "a") }, out: ["set CastVote t1 yes", "set CastVote t1 no"] },
      { on: { from: "coordinator", message: prepare("t2", "k1", "b") }, out: ["set CastVote t2 yes", "set CastVote t2 no"] },
      { on: { timer: castVote("t1", "yes") }, out: ["cancel CastVote t1 no", "coordinator <- Vote t1 yes"] },
      // t2 wanted its yes after t1 took the lock: it must say no.
      { on: { timer: castVote("t2", "yes") }, out: ["cancel CastVote t2 no", "coordinator <- Vote t2 no"] },
      { on: { from: "coordinator", message: prepare("t3", "k1", "c") }, out: ["coordinator <- Vote t3 no"] },
      // The decision releases the lock.
      { on: { from: "coordinator", message: decision("t1", "abort") }, out: [] },
      { on: { from: "coordinator", message: prepare("t4", "k1", "d") }, out: ["set CastVote t4 yes", "set CastVote t4 no"] }
    ]
  },
  {
    name: "an Abort that overtakes its Prepare: the Prepare gets a no",
    script: [
      { on: { init: "p1" }, out: [] },
      { on: { from: "coordinator", message: decision("t1", "abort") }, out: [] },
      { on: { from: "coordinator", message: prepare("t1", "k2", "a") }, out: ["coordinator <- Vote t1 no"] }
    ]
  },
  {
    name: "with InDoubt: an overdue decision is asked for, and the transaction reports blocked",
    inquire: true,
    script: [
      { on: { init: "p2" }, out: [] },
      { on: { from: "coordinator", message: prepare("t1", "k1", "a") }, out: ["set CastVote t1 yes", "set CastVote t1 no"] },
      { on: { timer: castVote("t1", "yes") }, out: ["cancel CastVote t1 no", "set InDoubt t1", "coordinator <- Vote t1 yes"] },
      { on: { timer: { _tag: "InDoubt", tx: "t1" } }, out: ["coordinator <- Inquire t1"] },
      { on: { request: { _tag: "TxQuery", seq: 1, tx: "t1" } }, out: ["client <- #1 TxView t1 p2 blocked"] },
      { on: { from: "coordinator", message: decision("t1", "commit") }, out: ["cancel InDoubt t1"] },
      { on: { request: { _tag: "TxQuery", seq: 2, tx: "t1" } }, out: ["client <- #2 TxView t1 p2 committed"] }
    ]
  },
  {
    name: "recovery: a prepared transaction is still in doubt and asks; working ones were never logged",
    script: [
      {
        on: {
          recover: "p2",
          log: { role: "participant", txs: [{ id: "t1", phase: "prepared", voted: "yes", writes: [{ key: "k1", value: "a" }] }], store: { entries: { k3: "x" } } }
        },
        out: ["coordinator <- Inquire t1"],
        state: { self: "p2", store: { entries: { k3: "x" } } }
      },
      // Its lock survived the crash.
      { on: { from: "coordinator", message: prepare("t2", "k1", "b") }, out: ["coordinator <- Vote t2 no"] }
    ]
  }
]

describe("2pc coordinator", () => {
  it.each(coordinatorScenarios.map((s) => [s.name, s] as const))("%s", (_name, scenario) => run(scenario))
})

describe("2pc participant", () => {
  it.each(participantScenarios.map((s) => [s.name, s] as const))("%s", (_name, scenario) => run(scenario))
})

describe("2pc keys and clients", () => {
  it("gives each key one owner among the participants, the same on every node", () => {
    expect([ownerOf(participants, "k1"), ownerOf(participants, "k2")]).toEqual(["p2", "p1"])
    const owners = new Set(Array.from({ length: 100 }, (_, i) => ownerOf(participantIds(3), `key-${i}`)))
    expect(owners).toEqual(new Set(["p1", "p2", "p3"]))
  })

  it("the first client writes a key on every participant, the others the first participant's key", () => {
    expect(clientWrites(participants, 0)).toEqual([{ key: "k2", value: "v1" }, { key: "k1", value: "v1" }])
    expect(clientWrites(participants, 1)).toEqual([{ key: "k2", value: "v2" }])
    const client = twoPcClient(clientWrites(participants, 1))
    expect(client.init({ self: "client2", nodes })).toEqual({
      state: null,
      out: [{ _tag: "Request", to: "coordinator", request: { _tag: "Begin", seq: 1, writes: [{ key: "k2", value: "v2" }] } }]
    })
    expect(client.onResponse(null, "coordinator", { _tag: "Outcome", seq: 1, tx: "t1", decision: "commit", votes: [] })).toEqual({ state: "commit", out: [] })
  })
})

describe("2pc Schemas", () => {
  const decodeMessage = Schema.decodeUnknownSync(TwoPcMessage)

  it("decode what the reducers send, as it comes off the wire", () => {
    const frames: ReadonlyArray<unknown> = [prepare("t1", "k1", "a"), vote("t1", "yes"), decision("t1", "abort"), { _tag: "Inquire", tx: "t1" }]
    for (const frame of frames) expect(decodeMessage(JSON.parse(JSON.stringify(frame)))).toEqual(frame)
    expect(Schema.decodeUnknownSync(TwoPcRequest)(begin)).toEqual(begin)
    expect(Schema.decodeUnknownSync(TwoPcTimer)(castVote("t1", "no"))).toEqual(castVote("t1", "no"))
    const log = { role: "coordinator", next: 2, txs: [{ id: "t1", participants: ["p1"], decision: null, votes: [null] }] }
    expect(Schema.decodeUnknownSync(TwoPcLog)(log)).toEqual(log)
  })

  it.each([
    ["an unknown tag", { _tag: "Promise", tx: "t1" }, /Expected .*"Prepare".*"Vote".*"Decision".*"Inquire"/s],
    ["a vote that is neither yes nor no", { _tag: "Vote", tx: "t1", vote: "maybe" }, /Expected "yes" \| "no"[\s\S]*at \["vote"\]/],
    ["a decision without its transaction", { _tag: "Decision", decision: "commit" }, /Missing key[\s\S]*at \["tx"\]/],
    ["a bare string", "Prepare", /Expected/]
  ] as const)("reject %s, saying what is wrong", (_name, frame, message) => {
    expect(() => decodeMessage(frame)).toThrow(message)
  })

  it("reject a response or a log that does not fit", () => {
    expect(() => Schema.decodeUnknownSync(TwoPcResponse)({ _tag: "Outcome", seq: 1, tx: "t1", decision: "maybe", votes: [] })).toThrow(/Expected "commit" \| "abort"/)
    expect(() => Schema.decodeUnknownSync(TwoPcLog)({ role: "participant", txs: [{ id: "t1", phase: "in-doubt", voted: null, writes: [] }], store: { entries: {} } })).toThrow(/Expected/)
  })
})

describe("2pc spec definition", () => {
  it("builds the system its defaults describe: a coordinator, three participants, one client", () => {
    const built = twoPhaseCommitSpec.build(defaultConfig(twoPhaseCommitSpec))
    expect(built._tag).toBe("System")
    if (built._tag !== "System") return
    expect(built.system.nodes.map((n) => n.id)).toEqual(["coordinator", "p1", "p2", "p3"])
    expect(built.system.clients.map((c) => c.id)).toEqual(["client"])
    expect(built.system).toMatchObject({ network: "unordered", lossy: false, maxCrashes: 1 })
  })

  it("lists every property: crash witnesses only when crashes can happen, conflict witnesses only with two transactions", () => {
    const names = (crashes: number, transactions: number) =>
      twoPhaseCommitSystem(twoPhaseCommitSpec.resolve({ participants: 2, crashes, transactions })).properties.map((p) => `${p.kind} ${p.name}`)
    const always = ["always Agreement", "always CoordinatorAgrees", "always CommitNeedsAllYes", "always ClientOutcomeMatches",
      "always LocksExclusive", "leadsTo PreparedDecides", "eventually LiveParticipantsDecide"]
    const witnesses = ["sometimes Committed", "sometimes Aborted", "sometimes AbortedAfterYes", "sometimes ClientToldCommit", "sometimes ClientToldAbort"]
    const crashWitnesses = ["sometimes CoordinatorRecovered", "sometimes CoordinatorRecoveredCommit", "sometimes BlockedWhileCoordinatorDown"]
    expect(names(0, 1)).toEqual([...always, ...witnesses])
    expect(names(1, 1)).toEqual([...always, ...witnesses, ...crashWitnesses])
    expect(names(1, 2)).toEqual([...always, ...witnesses, "sometimes ConflictRefused", "sometimes BothCommittedInTurn", ...crashWitnesses])
  })

  it.each([
    [{ variant: "lazy" }, /2pc has no variant "lazy"; its variants: correct, no-durable-decision/],
    [{ participants: 0 }, "2pc needs participants to be an integer from 1 to 6, got 0"],
    [{ transactions: 4 }, "2pc needs transactions to be an integer from 1 to 3, got 4"],
    [{ crashes: -1 }, "2pc needs crashes to be an integer from 0 to 3, got -1"],
    [{ network: "carrier-pigeon" }, "2pc needs network to be one of unordered, duplicating, ordered, got \"carrier-pigeon\""]
  ])("refuses %o, saying why", (override, message) => {
    expect(() => twoPhaseCommitSpec.build({ ...defaultConfig(twoPhaseCommitSpec), ...override })).toThrow(message)
  })
})
