import { agreedLeader, clusterDown, clusterHeal, clusterHold, clusterKill, clusterPartition, clusterRestart, clusterStatus, clusterUp, readCluster } from "@parley/runtime"
import { ClusterControlError } from "@parley/runtime"
import type { Launcher, NoAnswerKind, NodeReport } from "@parley/runtime"
import { Console, Effect, Option, Result } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { membershipCommands } from "./cluster-membership-command.ts"
import { UsageError } from "./errors.ts"
import { hostedSpecs } from "./hosted.ts"

/** Nodes are this same `parley`, run again by the same Node binary. */
const launcher: Launcher = { executable: process.execPath, args: [process.argv[1]!] }

const dir = Flag.String("dir").pipe(Flag.withDefault(".parley/cluster"), Flag.withDescription("The cluster's directory"))
const json = Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("Print JSON instead of a table"))
const nodeId = Argument.String("node").pipe(Argument.withDescription("A node id, such as n1"))

/** `variant` if the hosted spec has it; "correct" or nothing means the correct algorithm. */
export const hostableVariant = (spec: string, variant: string | undefined) => {
  if (variant === undefined || variant === "correct") return Effect.succeed(undefined)
  const variants = hostedSpecs.find((hosted) => hosted.name === spec)?.variants ?? []
  if (variants.some((known) => known.name === variant)) return Effect.succeed(variant)
  const known = variants.length === 0 ? `${spec} hosts none` : `${spec} hosts ${variants.map((known) => known.name).join(", ")}`
  return Effect.fail(new UsageError({ message: `no variant "${variant}" to host; ${known}` }))
}

/** Said on every start of a known-buggy cluster: it is there to break. */
export const variantWarning = (spec: string, variant: string): string =>
  `WARNING: hosting the known-buggy variant "${variant}" of ${spec}, for demonstration; it is not correct, and every node's status says so`

/** A status field as a table cell: text as it is, null as "-", anything else as JSON. */
const cell = (value: unknown): string => (typeof value === "string" ? value : value === null ? "-" : JSON.stringify(value) ?? "")

/** A running node's want of a status in a table cell; the reason, with its fix, follows the table. */
const noAnswerCell: Readonly<Record<NoAnswerKind, string>> = {
  refused: "refused: not listening",
  "timed-out": "no answer in time",
  "untrusted-certificate": "certificate not trusted",
  "expired-certificate": "certificate expired",
  "certificate-name": "certificate names another host",
  "not-tls": "not serving TLS",
  "token-refused": "token refused",
  "http-error": "HTTP error",
  "bad-status": "bad status",
  credentials: "CA unreadable",
  unreachable: "no answer"
}

/** Why each running node gave no status, one line each, with what to do: said below the table. */
const noAnswerLines = (reports: ReadonlyArray<NodeReport>): ReadonlyArray<string> =>
  reports.flatMap((r) => (r.noAnswer === undefined || r.removed === true ? [] : [`${r.id}: ${r.noAnswer.reason}`]))

const rowOf = (r: NodeReport, fields: ReadonlyArray<string>): Array<string> => {
  const { status } = r
  if (status === undefined) {
    const state = r.removed === true ? "removed" : r.pid === undefined ? "down" : r.noAnswer === undefined ? "no answer" : noAnswerCell[r.noAnswer.kind]
    return [r.id, r.pid === undefined ? "-" : String(r.pid), state, ...fields.slice(1).map(() => ""), r.url, ""]
  }
  return [r.id, String(r.pid), ...fields.map((field) => cell(status[field])), r.url, status.blocked.join(",") || "-"]
}

/** One row per node; between its process and its addresses, the fields of its spec's status, in the order the nodes report them. */
const table = (reports: ReadonlyArray<NodeReport>): string => {
  const reported = [...new Set(reports.flatMap((r) => Object.keys(r.status ?? {})))].filter((field) => field !== "id" && field !== "blocked")
  // With no node answering there are no fields; the one column still says why.
  const fields = reported.length > 0 ? reported : ["status"]
  const rows = [
    ["node", "pid", ...fields, "client", "blocked"],
    ...reports.map((report) => rowOf(report, fields))
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n")
}

/** A spec's own command, run against the cluster in `dir`. */
const command = (text: string) => (dir: string): string => `${text} --dir ${dir}`

/** What a user types first against a fresh cluster of each spec that is not a key-value store, given its directory and a node's client address. */
const firstSteps: Readonly<Record<string, (dir: string, client: string) => string>> = {
  "2pc": command("parley tx put k1=v1 k2=v2"),
  saga: command("parley saga start --wait"),
  "saga-choreography": command("parley saga start --wait"),
  lock: command("parley lock acquire my-lock --ttl 5s"),
  "zk-lock": command("parley lock acquire my-lock --ttl 5s"),
  bully: command("parley elect watch"),
  ring: command("parley elect watch"),
  zk: command("parley elect watch"),
  // The chat has no command of its own: its first step is a request to a node.
  "causal-broadcast": (_dir, client) => `curl -X POST ${client}/v1/messages -d '{"text": "hello"}'`
}

/** What a user types first against a fresh cluster of `spec`. */
const firstStep = (spec: string, dir: string, client: string): string =>
  (firstSteps[spec] ?? command("parley kv put greeting hello"))(dir, client)

const up = Command.make(
  "up",
  {
    spec: Argument.Literals("spec", hostedSpecs.map((spec) => spec.name) as [string, ...Array<string>]),
    nodes: Flag.Int("nodes").pipe(Flag.withDefault(3), Flag.withDescription("How many nodes (1 to 9)")),
    participants: Flag.Int("participants").pipe(
      Flag.optional,
      Flag.withDescription("For 2pc: how many participants (1 to 9) beside the coordinator; --nodes counts them too")
    ),
    basePort: Flag.Int("base-port").pipe(
      Flag.withDefault(7000),
      Flag.withDescription("Node i serves clients on base-port + i and peers on base-port + 100 + i")
    ),
    requireToken: Flag.Boolean("require-token").pipe(
      Flag.withDefault(false),
      Flag.withDescription("Clients must send the token in DIR/client.token even on loopback (a shared machine); parley kv does")
    ),
    variant: Flag.String("variant").pipe(
      Flag.optional,
      Flag.withDescription("Host a known-buggy variant of the spec (`parley list` names them), to see a bug happen on real processes; never for real use")
    ),
    eventLog: Flag.Boolean("event-log").pipe(
      Flag.withDefault(true),
      Flag.withDescription("Every node logs each reducer step to DIR/events, for `parley validate DIR`; --no-event-log turns it off")
    ),
    clientTls: Flag.Boolean("client-tls").pipe(
      Flag.withDefault(false),
      Flag.withDescription("Every node serves its client API over HTTPS (TLS 1.2+) with a certificate from a cluster CA made in DIR/tls; " +
        "parley's clients trust that CA alone (docs/security.md#clients-tls)")
    ),
    leaseReads: Flag.Boolean("lease-reads").pipe(
      Flag.withDefault(false),
      Flag.withDescription("For raft: a leader answers reads at once while its lease holds, instead of after a round of heartbeats; " +
        "safe while clocks drift less than the lease's margin (docs/commands/kv.md#reads)")
    ),
    dir,
    json
  },
  ({ spec, nodes, participants, basePort, requireToken, variant, eventLog, clientTls, leaseReads, dir, json }) =>
    Effect.gen(function*() {
      const counts = hostedSpecs.find((hosted) => hosted.name === spec)?.layout?.counts ?? "nodes"
      if (Option.isSome(participants) && counts !== "participants") {
        return yield* Effect.fail(new ClusterControlError({ message: `${spec} has no participants; use --nodes` }))
      }
      if (leaseReads && spec !== "raft") return yield* Effect.fail(new ClusterControlError({ message: `--lease-reads is raft's; ${spec} has no leases` }))
      const count = Option.getOrElse(participants, () => nodes)
      const buggy = yield* hostableVariant(spec, Option.getOrUndefined(variant))
      if (buggy !== undefined) yield* Console.error(variantWarning(spec, buggy))
      const { summary, reports } = yield* clusterUp({
        spec,
        nodes: count,
        dir,
        basePort,
        launcher,
        requireClientToken: requireToken,
        clientTls,
        hosts: hostedSpecs,
        eventLog,
        ...(leaseReads ? { options: { leaseReads: true } } : {}),
        ...(buggy === undefined ? {} : { variant: buggy })
      })
      if (json) return yield* Console.log(JSON.stringify({ dir, ready: summary, leader: agreedLeader(reports)?.id ?? null, nodes: reports }))
      yield* Console.log(`${spec} cluster of ${reports.length} up in ${dir}; ${summary}\n`)
      yield* Console.log(table(reports))
      yield* Console.log(`\ntry: ${firstStep(spec, dir, String(reports[0]?.client))}`)
      yield* Console.log(`peers prove ${dir}/cluster.secret to each other; clients may send ${dir}/client.token as a bearer token${requireToken ? " and must" : ""}`)
      if (clientTls) yield* Console.log(`clients speak HTTPS and trust ${dir}/tls/ca.crt: curl --cacert ${dir}/tls/ca.crt ${reports[0]?.url ?? ""}/v1/status`)
    })
).pipe(Command.withDescription(
  "Start a local cluster, one process per node, and wait until every node answers and the cluster is ready as its spec tells (raft: a majority names one leader); creates the cluster secret and the client token (mode 0600) unless the directory has them"
))

const status = Command.make("status", { dir, json }, ({ dir, json }) =>
  Effect.gen(function*() {
    const reports = yield* clusterStatus(dir, hostedSpecs)
    yield* Console.log(json ? JSON.stringify(reports) : [table(reports), ...noAnswerLines(reports)].join("\n"))
    const buggy = reports.map((report) => report.status?.["variant"]).find((variant) => typeof variant === "string")
    const file = readCluster(dir)
    if (!json && typeof buggy === "string" && Result.isSuccess(file)) yield* Console.error(variantWarning(file.success.spec, buggy))
  })).pipe(Command.withDescription("Each node's process and status (for raft: role, term, leader, commit and applied index, the members it holds); removed nodes show as removed"))

const kill = Command.make("kill", { node: nodeId, dir }, ({ node, dir }) =>
  clusterKill(dir, node).pipe(Effect.flatMap((pid) => Console.log(`killed ${node} (pid ${pid}) with SIGKILL`)))).pipe(
    Command.withDescription("kill -9 one node: a crash, with no chance to flush or say goodbye")
  )

const restart = Command.make("restart", { node: nodeId, dir }, ({ node, dir }) =>
  clusterRestart(dir, node, launcher).pipe(Effect.flatMap((pid) => Console.log(`${node} running again (pid ${pid})`)))).pipe(
    Command.withDescription("Start a node that is down (or kill -9 and start one that runs); it recovers from its durable state")
  )

const partition = Command.make(
  "partition",
  { sides: Argument.String("sides").pipe(Argument.withDescription("Two sides such as n1,n2/n3")), dir },
  ({ sides, dir }) =>
    clusterPartition(dir, sides).pipe(
      Effect.flatMap((unreachable) =>
        Console.log(`partitioned ${sides}` + (unreachable.length > 0 ? `; not told (down or no answer): ${unreachable.join(", ")}` : ""))
      )
    )
).pipe(
  Command.withDescription(
    "Cut the network between two sides: each node's transport drops every message to and from the other side"
  )
)

const heal = Command.make("heal", { dir }, ({ dir }) =>
  clusterHeal(dir).pipe(Effect.flatMap(() => Console.log("healed: every node talks to every node again")))).pipe(
    Command.withDescription("Undo any partition")
  )

const hold = Command.make(
  "hold",
  {
    from: Argument.String("from").pipe(Argument.withDescription("The node whose sending is held, such as n1")),
    to: Argument.String("to").pipe(Argument.withDescription("The peers it sends to that wait, such as n3 or n2,n3")),
    dir
  },
  ({ from, to, dir }) => {
    const peers = to.split(",").map((id) => id.trim()).filter((id) => id !== "")
    return clusterHold(dir, from, peers).pipe(
      Effect.flatMap(() => Console.log(`holding what ${from} sends to ${peers.join(", ")}; \`parley cluster release ${from}\` sends it, in order`))
    )
  }
).pipe(
  Command.withDescription(
    "Delay a link: what FROM sends to TO waits, in order, until released (replaces FROM's held links); a slow link under your control"
  )
)

const release = Command.make("release", { from: nodeId, dir }, ({ from, dir }) =>
  clusterHold(dir, from, []).pipe(Effect.flatMap(() => Console.log(`released every link of ${from}: what it held went out, in order`)))).pipe(
    Command.withDescription("Send what a node's held links kept, in order, and hold nothing more")
  )

const down = Command.make("down", { dir }, ({ dir }) =>
  clusterDown(dir).pipe(Effect.flatMap((stopped) => Console.log(`stopped ${stopped.length === 0 ? "nothing" : stopped.join(", ")}`)))).pipe(
    Command.withDescription("Stop every node (SIGTERM, then SIGKILL after five seconds); their data stays in the directory")
  )

export const clusterCommand = Command.make("cluster").pipe(
  Command.withDescription("Start, inspect, crash, partition and stop a local cluster; add and remove nodes, move leadership"),
  Command.withSubcommands([up, status, kill, restart, partition, heal, hold, release, down, ...membershipCommands(launcher)])
)
