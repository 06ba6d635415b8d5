import { defaultConfig } from "@parley/core"
import type { NodeContext, Output, Step } from "@parley/core"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  formatTwoPcMessage,
  formatTwoPcResponse,
  formatTwoPcTimer,
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
 * output of its step as one line (`p1 <- Prepare`, `set VoteTimeout`,
 * `client <- Outcome(commit)`), the state after it where it matters, and
 * the durable log the host would write before performing the outputs.
 */
const participants = participantIds(2)
const nodes = ["coordinator", ...participants]
const context = (self: string): NodeContext => ({ self, nodes })

type Event =
  | { readonly init: string }
  | { readonly recover: string; readonly log: TwoPcLog }
  | { readonly request: string }
  | { readonly from: string; readonly message: TwoPcMessage }
  | { readonly timer: TwoPcTimer }

interface Expectation {
  readonly on: Event
  readonly out: ReadonlyArray<string>
  readonly state?: TwoPcNodeState
  readonly durable?: TwoPcLog
}

interface Scenario {
  readonly name: string
  readonly lazyLog?: boolean
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
  const actor = twoPcActor({ participants, lazyLog: scenario.lazyLog ?? false })
  let state: TwoPcNodeState | undefined
  for (const [index, expected] of scenario.script.entries()) {
    const on = expected.on
    let result: Step<TwoPcNodeState, TwoPcMessage, TwoPcTimer, TwoPcResponse>
    if ("init" in on) result = actor.init(context(on.init))
    else if ("recover" in on) result = actor.recover(context(on.recover), on.log)
    else if (state === undefined) throw new Error(`step ${index + 1}: the script must start with init or recover`)
    else if ("request" in on) result = actor.onRequest(state, on.request, { _tag: "Begin" })
    else if ("from" in on) result = actor.onMessage(state, on.from, on.message)
    else result = actor.onTimer(state, on.timer)
    const at = `${scenario.name}, step ${index + 1}`
    expect(result.out.map(line), at).toEqual(expected.out)
    if (expected.state !== undefined) expect(result.state, at).toEqual(expected.state)
    if (expected.durable !== undefined) expect(actor.durable(result.state), at).toEqual(expected.durable)
    state = result.state
  }
}

const yes: TwoPcMessage = { _tag: "Vote", vote: "yes" }
const no: TwoPcMessage = { _tag: "Vote", vote: "no" }
const commit: TwoPcMessage = { _tag: "Decision", decision: "commit" }
const abort: TwoPcMessage = { _tag: "Decision", decision: "abort" }
const prepare: TwoPcMessage = { _tag: "Prepare" }
const inquire: TwoPcMessage = { _tag: "Inquire" }
const voteTimeout: TwoPcTimer = { _tag: "VoteTimeout" }
const flushLog: TwoPcTimer = { _tag: "FlushLog" }
const castYes: TwoPcTimer = { _tag: "CastVote", vote: "yes" }
const castNo: TwoPcTimer = { _tag: "CastVote", vote: "no" }

const noLog: TwoPcLog = { role: "coordinator", decision: null }
const commitLog: TwoPcLog = { role: "coordinator", decision: "commit" }
const abortLog: TwoPcLog = { role: "coordinator", decision: "abort" }

/** The coordinator from Begin to Prepare sent: the opening of most coordinator scenarios. */
const begun: ReadonlyArray<Expectation> = [
  { on: { init: "coordinator" }, out: [], state: { role: "coordinator", phase: "idle", recovered: false }, durable: noLog },
  {
    on: { request: "client" },
    out: ["p1 <- Prepare", "p2 <- Prepare", "set VoteTimeout"],
    state: { role: "coordinator", phase: "collecting", client: "client", yes: [], recovered: false },
    durable: noLog
  }
]

const decided = (decision: "commit" | "abort", logged = true, recovered = false): TwoPcNodeState => ({
  role: "coordinator",
  phase: "decided",
  decision,
  logged,
  recovered
})

const coordinatorScenarios: ReadonlyArray<Scenario> = [
  {
    name: "every participant votes yes: commit, in the log in the step that sends it",
    script: [
      ...begun,
      {
        on: { from: "p2", message: yes },
        out: [],
        state: { role: "coordinator", phase: "collecting", client: "client", yes: ["p2"], recovered: false },
        durable: noLog
      },
      // A duplicate yes is one vote, not two.
      { on: { from: "p2", message: yes }, out: [] },
      {
        on: { from: "p1", message: yes },
        out: ["cancel VoteTimeout", "p1 <- Commit", "p2 <- Commit", "client <- Outcome(commit)"],
        state: decided("commit"),
        durable: commitLog
      },
      // Late events change nothing once decided.
      { on: { timer: voteTimeout }, out: [], state: decided("commit") },
      { on: { from: "p1", message: no }, out: [], state: decided("commit") }
    ]
  },
  {
    name: "one no: abort at once",
    script: [
      ...begun,
      {
        on: { from: "p1", message: no },
        out: ["cancel VoteTimeout", "p1 <- Abort", "p2 <- Abort", "client <- Outcome(abort)"],
        state: decided("abort"),
        durable: abortLog
      },
      { on: { from: "p2", message: yes }, out: [], state: decided("abort") }
    ]
  },
  {
    name: "votes missing at the timeout: abort, even after a yes",
    script: [
      ...begun,
      { on: { from: "p1", message: yes }, out: [] },
      {
        on: { timer: voteTimeout },
        out: ["cancel VoteTimeout", "p1 <- Abort", "p2 <- Abort", "client <- Outcome(abort)"],
        state: decided("abort"),
        durable: abortLog
      },
      { on: { from: "p2", message: yes }, out: [], state: decided("abort") }
    ]
  },
  {
    name: "inquiries: ignored while collecting (the decision will go to everyone), answered once decided",
    script: [
      ...begun,
      { on: { from: "p1", message: inquire }, out: [] },
      { on: { from: "p1", message: yes }, out: [] },
      { on: { from: "p2", message: yes }, out: ["cancel VoteTimeout", "p1 <- Commit", "p2 <- Commit", "client <- Outcome(commit)"] },
      { on: { from: "p1", message: inquire }, out: ["p1 <- Commit"] }
    ]
  },
  {
    name: "Begin again: nothing while collecting, the outcome once decided",
    script: [
      ...begun,
      { on: { request: "client" }, out: [] },
      { on: { from: "p1", message: no }, out: ["cancel VoteTimeout", "p1 <- Abort", "p2 <- Abort", "client <- Outcome(abort)"] },
      { on: { request: "client" }, out: ["client <- Outcome(abort)"] }
    ]
  },
  {
    name: "messages from a node that is not a participant are ignored",
    script: [
      ...begun,
      { on: { from: "p9", message: no }, out: [], state: { role: "coordinator", phase: "collecting", client: "client", yes: [], recovered: false } },
      { on: { from: "p9", message: inquire }, out: [] }
    ]
  },
  {
    name: "recovery with commit logged: commit again to every participant; the client's connection is gone",
    script: [
      { on: { recover: "coordinator", log: commitLog }, out: ["p1 <- Commit", "p2 <- Commit"], state: decided("commit", true, true), durable: commitLog },
      { on: { from: "p2", message: inquire }, out: ["p2 <- Commit"] },
      { on: { request: "client" }, out: ["client <- Outcome(commit)"] }
    ]
  },
  {
    name: "recovery with nothing logged presumes abort: abort is logged and sent to every participant",
    script: [
      { on: { recover: "coordinator", log: noLog }, out: ["p1 <- Abort", "p2 <- Abort"], state: decided("abort", true, true), durable: abortLog },
      { on: { from: "p1", message: yes }, out: [] },
      { on: { from: "p1", message: inquire }, out: ["p1 <- Abort"] }
    ]
  },
  {
    name: "no-durable-decision: commit goes out while the log still has no decision",
    lazyLog: true,
    script: [
      ...begun,
      { on: { from: "p1", message: yes }, out: [] },
      {
        on: { from: "p2", message: yes },
        out: ["cancel VoteTimeout", "p1 <- Commit", "p2 <- Commit", "client <- Outcome(commit)", "set FlushLog"],
        state: decided("commit", false),
        durable: noLog
      },
      // The bug's second half: an inquiry is answered from the unlogged decision too.
      { on: { from: "p1", message: inquire }, out: ["p1 <- Commit"], durable: noLog },
      { on: { timer: flushLog }, out: [], state: decided("commit"), durable: commitLog }
    ]
  },
  {
    name: "no-durable-decision: a crash before FlushLog leaves no decision, so recovery aborts what was committed",
    lazyLog: true,
    script: [
      // What `durable` held before FlushLog fired, as the previous scenario shows.
      { on: { recover: "coordinator", log: noLog }, out: ["p1 <- Abort", "p2 <- Abort", "set FlushLog"], state: decided("abort", false, true) }
    ]
  }
]

const working: TwoPcNodeState = { role: "participant", phase: "working", voted: null }
const prepared: TwoPcNodeState = { role: "participant", phase: "prepared", voted: "yes" }

const participantScenarios: ReadonlyArray<Scenario> = [
  {
    name: "Prepare arms the choice; yes prepares, durably, before Vote(yes) goes out",
    script: [
      { on: { init: "p1" }, out: [], state: working, durable: { role: "participant", phase: "working", voted: null } },
      { on: { from: "coordinator", message: prepare }, out: ["set CastVote(yes)", "set CastVote(no)"], state: working },
      {
        on: { timer: castYes },
        out: ["cancel CastVote(no)", "coordinator <- Vote(yes)"],
        state: prepared,
        durable: { role: "participant", phase: "prepared", voted: "yes" }
      },
      // A prepared participant may not change its mind: a stale CastVote does nothing.
      { on: { timer: castNo }, out: [], state: prepared },
      // A duplicate Prepare: it has answered already.
      { on: { from: "coordinator", message: prepare }, out: [], state: prepared },
      {
        on: { from: "coordinator", message: commit },
        out: [],
        state: { role: "participant", phase: "committed", voted: "yes" },
        durable: { role: "participant", phase: "committed", voted: "yes" }
      },
      // Once ended, a decision changes nothing (here a bug's contradicting Abort).
      { on: { from: "coordinator", message: abort }, out: [], state: { role: "participant", phase: "committed", voted: "yes" } }
    ]
  },
  {
    name: "no aborts unilaterally",
    script: [
      { on: { init: "p2" }, out: [] },
      { on: { from: "coordinator", message: prepare }, out: ["set CastVote(yes)", "set CastVote(no)"] },
      {
        on: { timer: castNo },
        out: ["cancel CastVote(yes)", "coordinator <- Vote(no)"],
        state: { role: "participant", phase: "aborted", voted: "no" },
        durable: { role: "participant", phase: "aborted", voted: "no" }
      }
    ]
  },
  {
    name: "prepared, then Abort",
    script: [
      { on: { recover: "p1", log: { role: "participant", phase: "prepared", voted: "yes" } }, out: ["coordinator <- Inquire"] },
      { on: { from: "coordinator", message: abort }, out: [], state: { role: "participant", phase: "aborted", voted: "yes" } }
    ]
  },
  {
    name: "an early Abort (the coordinator timed out) ends a working participant; a late Prepare gets Vote(no)",
    script: [
      { on: { init: "p1" }, out: [] },
      { on: { from: "coordinator", message: prepare }, out: ["set CastVote(yes)", "set CastVote(no)"] },
      {
        on: { from: "coordinator", message: abort },
        out: ["cancel CastVote(yes)", "cancel CastVote(no)"],
        state: { role: "participant", phase: "aborted", voted: null }
      },
      { on: { timer: castYes }, out: [], state: { role: "participant", phase: "aborted", voted: null } }
    ]
  },
  {
    name: "restarted in doubt: it stays prepared and asks the coordinator once",
    script: [
      { on: { recover: "p2", log: { role: "participant", phase: "prepared", voted: "yes" } }, out: ["coordinator <- Inquire"], state: prepared },
      { on: { from: "coordinator", message: commit }, out: [], state: { role: "participant", phase: "committed", voted: "yes" } }
    ]
  },
  {
    name: "restarted with no prepare record: its work is lost, it aborts and votes no",
    script: [
      {
        on: { recover: "p1", log: { role: "participant", phase: "working", voted: null } },
        out: [],
        state: { role: "participant", phase: "aborted", voted: null }
      },
      {
        on: { from: "coordinator", message: prepare },
        out: ["coordinator <- Vote(no)"],
        state: { role: "participant", phase: "aborted", voted: "no" },
        durable: { role: "participant", phase: "aborted", voted: "no" }
      },
      { on: { from: "coordinator", message: prepare }, out: [] }
    ]
  },
  {
    name: "restarted after it ended: it stays so and asks nothing",
    script: [
      { on: { recover: "p1", log: { role: "participant", phase: "committed", voted: "yes" } }, out: [], state: { role: "participant", phase: "committed", voted: "yes" } },
      { on: { recover: "p2", log: { role: "participant", phase: "aborted", voted: "no" } }, out: [], state: { role: "participant", phase: "aborted", voted: "no" } }
    ]
  },
  {
    name: "only the coordinator is listened to",
    script: [
      { on: { init: "p1" }, out: [] },
      { on: { from: "p2", message: prepare }, out: [], state: working },
      { on: { from: "p2", message: commit }, out: [], state: working },
      { on: { request: "client" }, out: [], state: working }
    ]
  }
]

describe("2pc coordinator", () => {
  it.each(coordinatorScenarios.map((s) => [s.name, s] as const))("%s", (_name, scenario) => run(scenario))
})

describe("2pc participant", () => {
  it.each(participantScenarios.map((s) => [s.name, s] as const))("%s", (_name, scenario) => run(scenario))
})

describe("2pc client", () => {
  it("asks the coordinator for one transaction and keeps the outcome it is told", () => {
    const started = twoPcClient.init({ self: "client", nodes })
    expect(started).toEqual({ state: null, out: [{ _tag: "Request", to: "coordinator", request: { _tag: "Begin" } }] })
    expect(twoPcClient.onResponse(null, "coordinator", { _tag: "Outcome", decision: "commit" })).toEqual({ state: "commit", out: [] })
  })
})

describe("2pc Schemas", () => {
  const decodeMessage = Schema.decodeUnknownSync(TwoPcMessage)

  it("decode every frame the reducers send, as it comes off the wire", () => {
    const actor = twoPcActor({ participants, lazyLog: false })
    const sent: Array<TwoPcMessage> = []
    const collect = (step: Step<TwoPcNodeState, TwoPcMessage, TwoPcTimer, TwoPcResponse>) => {
      for (const output of step.out) if (output._tag === "Send") sent.push(output.message)
      return step.state
    }
    const c = collect(actor.onRequest(collect(actor.init(context("coordinator"))), "client", { _tag: "Begin" }))
    collect(actor.onMessage(c, "p1", inquire))
    collect(actor.recover(context("coordinator"), commitLog))
    collect(actor.recover(context("coordinator"), noLog))
    const p = collect(actor.onMessage(collect(actor.init(context("p1"))), "coordinator", prepare))
    collect(actor.onTimer(p, castYes))
    collect(actor.onTimer(p, castNo))
    collect(actor.recover(context("p1"), { role: "participant", phase: "prepared", voted: "yes" }))
    expect(new Set(sent.map(formatTwoPcMessage))).toEqual(new Set(["Prepare", "Commit", "Abort", "Vote(yes)", "Vote(no)", "Inquire"]))
    for (const message of sent) expect(decodeMessage(JSON.parse(JSON.stringify(message)))).toEqual(message)
  })

  it.each([
    ["an unknown tag", { _tag: "Promise" }, /Expected .*"Prepare".*"Vote".*"Decision".*"Inquire"/s],
    ["a vote that is neither yes nor no", { _tag: "Vote", vote: "maybe" }, /Expected "yes" \| "no"[\s\S]*at \["vote"\]/],
    ["a decision without its outcome", { _tag: "Decision" }, /Missing key[\s\S]*at \["decision"\]/],
    ["a bare string", "Prepare", /Expected/],
    ["null", null, /Expected/]
  ] as const)("reject %s, saying what is wrong", (_name, frame, message) => {
    expect(() => decodeMessage(frame)).toThrow(message)
  })

  it("decode and reject requests, responses, timers and logs", () => {
    expect(Schema.decodeUnknownSync(TwoPcRequest)({ _tag: "Begin" })).toEqual({ _tag: "Begin" })
    expect(Schema.decodeUnknownSync(TwoPcResponse)({ _tag: "Outcome", decision: "abort" })).toEqual({ _tag: "Outcome", decision: "abort" })
    expect(() => Schema.decodeUnknownSync(TwoPcResponse)({ _tag: "Outcome", decision: "maybe" })).toThrow(/Expected "commit" \| "abort"/)
    expect(Schema.decodeUnknownSync(TwoPcTimer)({ _tag: "CastVote", vote: "no" })).toEqual(castNo)
    expect(Schema.decodeUnknownSync(TwoPcLog)(commitLog)).toEqual(commitLog)
    expect(() => Schema.decodeUnknownSync(TwoPcLog)({ role: "participant", phase: "in-doubt", voted: null })).toThrow(/Expected/)
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

  it("lists every property, crash witnesses only when crashes can happen", () => {
    const names = (crashes: number) =>
      twoPhaseCommitSystem(twoPhaseCommitSpec.resolve({ participants: 2, crashes })).properties.map((p) => `${p.kind} ${p.name}`)
    const always = ["always Agreement", "always CoordinatorAgrees", "always CommitNeedsAllYes", "always ClientOutcomeMatches",
      "leadsTo PreparedDecides", "eventually LiveParticipantsDecide"]
    const witnesses = ["sometimes Committed", "sometimes Aborted", "sometimes AbortedAfterYes", "sometimes ClientToldCommit", "sometimes ClientToldAbort"]
    expect(names(0)).toEqual([...always, ...witnesses])
    expect(names(1)).toEqual([...always, ...witnesses, "sometimes CoordinatorRecovered", "sometimes CoordinatorRecoveredCommit", "sometimes BlockedWhileCoordinatorDown"])
  })

  it.each([
    [{ variant: "lazy" }, /2pc has no variant "lazy"; its variants: correct, no-durable-decision/],
    [{ participants: 0 }, "2pc needs participants to be an integer from 1 to 6, got 0"],
    [{ participants: 7 }, "2pc needs participants to be an integer from 1 to 6, got 7"],
    [{ crashes: -1 }, "2pc needs crashes to be an integer from 0 to 3, got -1"],
    [{ network: "carrier-pigeon" }, "2pc needs network to be one of unordered, duplicating, ordered, got \"carrier-pigeon\""]
  ])("refuses %o, saying why", (override, message) => {
    expect(() => twoPhaseCommitSpec.build({ ...defaultConfig(twoPhaseCommitSpec), ...override })).toThrow(message)
  })

  it("formats messages, timers and responses as one line each", () => {
    const system = twoPhaseCommitSystem(twoPhaseCommitSpec.resolve({ participants: 1, crashes: 0, network: "ordered", lossy: true }), twoPhaseCommitSpec.bugsOf("no-durable-decision"))
    expect([prepare, yes, no, commit, abort, inquire].map(system.formatMessage)).toEqual(["Prepare", "Vote(yes)", "Vote(no)", "Commit", "Abort", "Inquire"])
    expect([voteTimeout, flushLog, castYes, castNo].map(system.formatTimer)).toEqual(["VoteTimeout", "FlushLog", "CastVote(yes)", "CastVote(no)"])
    expect(system.formatRequest?.({ _tag: "Begin" })).toBe("Begin")
    expect(system.formatResponse?.({ _tag: "Outcome", decision: "commit" })).toBe("Outcome(commit)")
  })
})
