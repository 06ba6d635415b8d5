/**
 * Two-phase commit as the runtime hosts it: the reducer the checker
 * explores (bugs off, InDoubt on), a coordinator node and participant nodes
 * that each own the keys a hash gives them, and its client API:
 *   POST /v1/tx        body {"writes": {"k1": "v1", …}}: 200 committed, 409 aborted, with each participant's vote
 *   GET  /v1/tx/{id}   what the node asked knows of a transaction: blocked, prepared, committed, …
 *   GET  /v1/kv/{key}  a key's committed value, from the participant that owns it
 * Any node takes any request: a Begin goes to the coordinator, a read to
 * the key's owner.
 */
import { clientRoute, CorrectVariant, everyNodeAnswers, hostedSpec, jsonBody, noBody } from "@parley/core"
import type { HttpReply, Outcome } from "@parley/core"
import { bucketCount } from "@parley/kv"
import { Effect, Schema } from "effect"
import { COORDINATOR } from "./coordinator.ts"
import type { CoordinatorState } from "./coordinator.ts"
import { TwoPcLog, TwoPcMessage, TwoPcRequest, TwoPcResponse, TwoPcVote, TxState } from "./messages.ts"
import type { TwoPcTimer, VoteOf, Write } from "./messages.ts"
import { twoPcActor } from "./node.ts"
import type { TwoPcNodeState } from "./node.ts"
import type { ParticipantState } from "./participant.ts"
import { participantIds, twoPhaseCommitSpec } from "./spec.ts"

/** The most keys one transaction may write; the runtime's 1 MiB body limit bounds their size. */
export const maxWrites = 1000

export const TwoPcHostOptions = Schema.Struct({
  /** A prepared participant asks for an overdue decision and reports itself blocked (the `inquire` option of `parley check 2pc`). */
  inquire: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(true)))
})

/**
 * Timer defaults. A participant votes yes at once and refuses (a local
 * failure, which the checker explores) only if ten minutes pass first: in
 * a running cluster, never. The coordinator waits 5 s for votes; a
 * prepared participant asks after 1 s and reports itself blocked.
 */
export const twoPcTimerDefaults = {
  "vote-timeout": { minMs: 5000, maxMs: 5000 },
  "flush-log": { minMs: 1, maxMs: 1 },
  vote: { minMs: 1, maxMs: 1 },
  refuse: { minMs: 600_000, maxMs: 600_000 },
  "in-doubt": { minMs: 1000, maxMs: 1000 }
} as const

const timerKind = (timer: TwoPcTimer): keyof typeof twoPcTimerDefaults => {
  switch (timer._tag) {
    case "VoteTimeout":
      return "vote-timeout"
    case "FlushLog":
      return "flush-log"
    case "CastVote":
      return timer.vote === "yes" ? "vote" : "refuse"
    case "InDoubt":
      return "in-doubt"
  }
}

/** What `GET /v1/status` reports: the coordinator's transactions by state, or a participant's keys and the transactions it holds. */
export const TwoPcStatus = Schema.Struct({
  role: Schema.Literals(["coordinator", "participant"]),
  collecting: Schema.Int,
  committed: Schema.Int,
  aborted: Schema.Int,
  /** A participant's: the keys it owns with a committed value. */
  keys: Schema.NullOr(Schema.Int),
  /** A participant's prepared transactions, which hold locks; `inDoubt`, those blocked: their decision is overdue. */
  prepared: Schema.NullOr(Schema.Array(Schema.String)),
  inDoubt: Schema.NullOr(Schema.Array(Schema.String))
})
export type TwoPcStatus = typeof TwoPcStatus.Type

const coordinatorStatus = (s: CoordinatorState): TwoPcStatus => ({
  role: "coordinator",
  collecting: s.txs.filter((tx) => tx.decision === null).length,
  committed: s.txs.filter((tx) => tx.decision === "commit").length,
  aborted: s.txs.filter((tx) => tx.decision === "abort").length,
  keys: null,
  prepared: null,
  inDoubt: null
})

const participantStatus = (s: ParticipantState): TwoPcStatus => ({
  role: "participant",
  collecting: 0,
  committed: s.txs.filter((tx) => tx.phase === "committed").length,
  aborted: s.txs.filter((tx) => tx.phase === "aborted").length,
  keys: bucketCount(s.store),
  prepared: s.txs.filter((tx) => tx.phase === "prepared").map((tx) => tx.id),
  inDoubt: s.txs.filter((tx) => tx.phase === "prepared" && tx.blocked).map((tx) => tx.id)
})

const Writes = Schema.Record(Schema.String, Schema.String).check(
  Schema.makeFilter((writes) => {
    const count = Object.keys(writes).length
    return count === 0 ? "a transaction writes at least one key" : count > maxWrites ? `a transaction writes at most ${maxWrites} keys, this one ${count}` : true
  })
)
const TxBody = Schema.Struct({ writes: Writes })
const NoParams = Schema.Struct({})
const TxParams = Schema.Struct({ id: Schema.String })
const KeyParams = Schema.Struct({ key: Schema.String })

type TwoPcAnswer = Exclude<TwoPcResponse, { readonly _tag: "Elsewhere" }>

// The 200 answers' bodies, as the routes write them: the API's description (`GET /v1/openapi.json`) shows them.
const Votes = Schema.Record(Schema.String, Schema.NullOr(TwoPcVote)).annotate({ description: "each participant's vote, null if it did not vote" })
const Committed = Schema.Struct({ tx: Schema.String, outcome: Schema.Literal("committed"), votes: Votes })
const TxView = Schema.Struct({
  tx: Schema.String,
  node: Schema.String.annotate({ description: "the node asked, whose view this is" }),
  state: Schema.Literals(TxState.literals.filter((state) => state !== "unknown")),
  votes: Votes
})
const KeyValue = Schema.Struct({ key: Schema.String, value: Schema.String })

const votesByParticipant = (votes: ReadonlyArray<VoteOf>) => Object.fromEntries(votes.map((v) => [v.participant, v.vote]))

/** Each route expects one kind of answer; another means the reducer and the API disagree, a bug worth a 500 that says so. */
const unexpected = (answer: TwoPcAnswer): HttpReply => ({ status: 500, body: { error: `unexpected answer ${answer._tag}` } })

const routes = [
  clientRoute({
    method: "POST",
    path: "/v1/tx",
    params: NoParams,
    body: jsonBody(TxBody, `{"writes": {key: value, ...}}`),
    request: (_, { writes }, seq): TwoPcRequest => ({
      _tag: "Begin",
      seq,
      writes: Object.keys(writes).sort().map((key): Write => ({ key, value: writes[key]! }))
    }),
    reply: (_, answer: TwoPcAnswer): HttpReply => {
      if (answer._tag !== "Outcome") return unexpected(answer)
      const body = { tx: answer.tx, outcome: answer.decision === "commit" ? "committed" : "aborted", votes: votesByParticipant(answer.votes) }
      if (answer.decision === "commit") return { status: 200, body }
      const refused = answer.votes.filter((v) => v.vote !== "yes").map((v) => `${v.participant} ${v.vote === null ? "did not vote" : "voted no"}`)
      return { status: 409, body: { ...body, error: `transaction ${answer.tx} aborted: ${refused.join(", ") || "the coordinator restarted"}` } }
    },
    summary: "Run a transaction over keys on any participants: 200 once committed; 409 {tx, outcome: aborted, votes, error} when aborted",
    answer: Committed
  }),
  clientRoute({
    method: "GET",
    path: "/v1/tx/{id}",
    params: TxParams,
    body: noBody,
    request: ({ id }, _, seq): TwoPcRequest => ({ _tag: "TxQuery", seq, tx: id }),
    reply: ({ id }, answer: TwoPcAnswer): HttpReply => {
      if (answer._tag !== "TxView") return unexpected(answer)
      const body = { tx: answer.tx, node: answer.node, state: answer.state, votes: votesByParticipant(answer.votes) }
      return answer.state === "unknown" ? { status: 404, body: { ...body, error: `${answer.node} knows no transaction ${JSON.stringify(id)}` } } : { status: 200, body }
    },
    summary: "What the node asked knows of a transaction: collecting, working, prepared, blocked, committed or aborted (404 when it knows none)",
    answer: TxView
  }),
  clientRoute({
    method: "GET",
    path: "/v1/kv/{key}",
    params: KeyParams,
    body: noBody,
    request: ({ key }, _, seq): TwoPcRequest => ({ _tag: "Read", seq, key }),
    reply: ({ key }, answer: TwoPcAnswer): HttpReply => {
      if (answer._tag !== "Value") return unexpected(answer)
      return answer.value === null ? { status: 404, body: { error: `key ${JSON.stringify(key)} not found`, key } } : { status: 200, body: { key, value: answer.value } }
    },
    summary: "Read a key's committed value, at the participant that owns it (404 {error, key} when it has none)",
    answer: KeyValue
  })
]

const outcome = (response: TwoPcResponse): Outcome<TwoPcAnswer> =>
  response._tag === "Elsewhere" ? { _tag: "Elsewhere", node: response.node } : { _tag: "Answer", answer: response }

export const twoPcHosted = hostedSpec({
  name: "2pc",
  message: TwoPcMessage,
  request: TwoPcRequest,
  response: TwoPcResponse,
  durable: TwoPcLog,
  options: TwoPcHostOptions,
  // Its known-buggy variant runs too, for demonstration (`parley trace replay` of its counterexample).
  variants: twoPhaseCommitSpec.variants,
  // The cluster file's order of the participants assigns the keys, the same on every node.
  actor: (nodes, options, variant) =>
    twoPcActor({ participants: nodes.filter((id) => id !== COORDINATOR), inquire: options.inquire, ...twoPhaseCommitSpec.bugsOf(variant ?? CorrectVariant) }),
  layout: {
    counts: "participants",
    ids: (count) => [COORDINATOR, ...participantIds(count)],
    check: (ids) =>
      !ids.includes(COORDINATOR)
        ? `a 2pc cluster needs a node "${COORDINATOR}"; the others are participants`
        : ids.length < 2
        ? "a 2pc cluster needs at least one participant beside the coordinator"
        : undefined
  },
  timerKind,
  timers: twoPcTimerDefaults,
  api: {
    routes,
    status: {
      schema: TwoPcStatus,
      of: (s: TwoPcNodeState) => (s.role === "coordinator" ? coordinatorStatus(s) : participantStatus(s))
    },
    answers: (response) => response.seq,
    outcome,
    forwarding: {
      target: (_state, request) => (request._tag === "Begin" ? COORDINATOR : null),
      unavailable: (lastKnown, timeoutMs) =>
        `${lastKnown ?? "the node that takes the request"} did not answer within ${timeoutMs} ms` +
        (lastKnown === COORDINATOR ? "; prepared participants keep their locks until it is back (GET /v1/tx/{id} at one tells)" : "")
    },
    ready: everyNodeAnswers
  }
})
