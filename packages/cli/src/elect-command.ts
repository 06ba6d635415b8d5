/**
 * `parley elect watch`: follows who leads a running cluster as each node
 * sees it. It polls every node's `GET /v1/status` and prints a line when a
 * node's idea of the leader or of its epoch changes, when a node goes down
 * or comes back, and when the nodes that answer come to agree (by the
 * spec's own readiness rule, applied to them). Any hosted spec whose status
 * has a `leader` works: the elections, and Raft and Multi-Paxos too (their
 * `term` or `ballot` as the epoch).
 */
import { clusterStatus, readCluster } from "@parley/runtime"
import type { NodeReport } from "@parley/runtime"
import { leaderAgreed } from "@parley/core"
import { Console, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { UsageError } from "./errors.ts"
import { hostedSpecs } from "./hosted.ts"

/** One node as the watch last saw it: down (no answer), or its leader and epoch. */
interface Seen {
  readonly up: boolean
  readonly leader: string | null
  readonly epoch: number | null
}

const epochFields = ["epoch", "term", "ballot"] as const

const textOf = (value: unknown): string | null => (typeof value === "string" ? value : null)

const seenOf = (report: NodeReport): Seen => {
  const status = report.status
  if (status === undefined) return { up: false, leader: null, epoch: null }
  const epoch = epochFields.map((field) => status[field]).find((value) => typeof value === "number")
  return { up: true, leader: textOf(status["leader"]), epoch: typeof epoch === "number" ? epoch : null }
}

const same = (a: Seen | undefined, b: Seen): boolean => a !== undefined && a.up === b.up && a.leader === b.leader && a.epoch === b.epoch

const clock = (at: Date): string => at.toISOString().slice(11, 23)

const nodeLine = (at: Date, node: string, seen: Seen, json: boolean): string =>
  json
    ? JSON.stringify({ time: at.toISOString(), node, up: seen.up, leader: seen.leader, epoch: seen.epoch })
    : `${clock(at)}  ${node}  ${!seen.up ? "down (no answer)" : `leader ${seen.leader ?? "-"}${seen.epoch === null ? "" : `  epoch ${seen.epoch}`}`}`

const agreementLine = (at: Date, summary: string, nodes: ReadonlyArray<string>, json: boolean): string =>
  json
    ? JSON.stringify({ time: at.toISOString(), agreed: summary, nodes })
    : `${clock(at)}  agreed: ${summary} (${nodes.join(", ")} answer)`

/** Polls until `forMs` passes (for ever when undefined), printing each change as it is seen. */
const follow = (dir: string, intervalMs: number, forMs: number | undefined, json: boolean) =>
  Effect.gen(function*() {
    const file = yield* Effect.fromResult(readCluster(dir))
    const ready = hostedSpecs.find((hosted) => hosted.name === file.spec)?.api.ready ?? leaderAgreed
    const seen = new Map<string, Seen>()
    let agreement: string | undefined
    const until = forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + forMs
    while (Date.now() < until) {
      const reports = yield* clusterStatus(dir, hostedSpecs)
      const at = new Date()
      for (const report of reports) {
        const now = seenOf(report)
        if (!same(seen.get(report.id), now)) yield* Console.log(nodeLine(at, report.id, now, json))
        seen.set(report.id, now)
      }
      // The spec's own rule for a ready cluster, over the nodes that answer: a node that is down does not hold it back.
      const answering = reports.filter((report) => report.status !== undefined)
      const readiness = answering.length === 0 ? undefined : ready(answering)
      const summary = readiness?._tag === "Ready" ? `${readiness.summary}` : undefined
      if (summary !== undefined && summary !== agreement) yield* Console.log(agreementLine(at, summary, answering.map((r) => r.id), json))
      agreement = summary
      yield* Effect.sleep(intervalMs)
    }
  })

const watch = Command.make(
  "watch",
  {
    dir: Flag.String("dir").pipe(Flag.withDefault(".parley/cluster"), Flag.withDescription("The cluster's directory")),
    json: Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("Print one JSON object a line")),
    interval: Flag.Int("interval").pipe(Flag.withDefault(200), Flag.withDescription("Milliseconds between two polls of every node (50 to 60000)")),
    seconds: Flag.Int("for").pipe(Flag.optional, Flag.withDescription("Stop after this many seconds (default: until interrupted)"))
  },
  ({ dir, json, interval, seconds }) =>
    Effect.gen(function*() {
      if (interval < 50 || interval > 60_000) return yield* new UsageError({ message: `--interval must be from 50 to 60000 ms, got ${interval}` })
      const forSeconds = Option.getOrUndefined(seconds)
      if (forSeconds !== undefined && forSeconds < 1) return yield* new UsageError({ message: `--for must be at least 1 second, got ${forSeconds}` })
      yield* follow(dir, interval, forSeconds === undefined ? undefined : forSeconds * 1000, json)
    })
).pipe(Command.withDescription(
  "Follow who leads as each node sees it: a line when a node's leader or epoch changes, when it goes down or comes back, and when the nodes that answer agree"
))

export const electCommand = Command.make("elect").pipe(
  Command.withDescription("Watch a running election cluster (bully, ring, zk; any cluster whose status names a leader)"),
  Command.withSubcommands([watch])
)
