/**
 * `parley test SPEC`: a Jepsen-style test of a real cluster of the spec
 * (any hosted as a key-value store): concurrent clients, a nemesis, the
 * history checked, a report directory. Exit codes: 0 no anomaly, 1 an
 * anomaly (not linearizable, or the cluster did not recover), 2 bad usage,
 * 4 unknown (the check ran out of its budget).
 */
import { findWorkload, NemesisKind, runTest, timingsWithInterval, workloads, writeReport } from "@parley/jepsen"
import type { EventLogsVerdict, NemesisTarget, TestOptions } from "@parley/jepsen"
import { freeBasePort, logPath, netnsRange, netnsUnavailable } from "@parley/runtime"
import type { Launcher } from "@parley/runtime"
import { Console, Effect, Option, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { hostableVariant } from "./cluster-command.ts"
import { HistoryUndecided, UsageError, ViolationFound } from "./errors.ts"
import { hostedSpecs } from "./hosted.ts"
import { validateCluster } from "./validate-command.ts"

/** Nodes are this same `parley`, run again by the same Node binary. */
const launcher: Launcher = { executable: process.execPath, args: [process.argv[1]!] }

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `90`, `90s`, `1.5m`, `500ms` as milliseconds; undefined for anything else. */
export const parseDuration = (text: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  return match === null ? undefined : Number(match[1]) * units[match[2] ?? "s"]!
}

const decodeKind = Schema.decodeUnknownResult(NemesisKind)

/** `kill,pause` as the nemesis's kinds; `none` or nothing for no faults. */
export const parseNemesis = (text: string): Array<NemesisKind> | string => {
  const names = text.split(",").map((name) => name.trim()).filter((name) => name !== "" && name !== "none")
  const kinds: Array<NemesisKind> = []
  for (const name of names) {
    const kind = decodeKind(name)
    if (kind._tag === "Failure") return `--nemesis: no fault "${name}"; there are kill, pause, partition, restart (or none)`
    if (!kinds.includes(kind.success)) kinds.push(kind.success)
  }
  return kinds
}

export interface TestInput {
  readonly spec: string
  readonly time: string
  readonly clients: number
  readonly keys: number
  readonly nemesis: string
  readonly target: NemesisTarget
  readonly interval: string
  readonly seed: number | undefined
  readonly variant: string | undefined
  readonly nodes: number
  readonly rate: number
  readonly workload: string
  readonly dir: string | undefined
  readonly report: string | undefined
  readonly checkLimitSeconds: number
  readonly net: NetChoice
  readonly clientTls: boolean
}

export type NetChoice = "loopback" | "netns" | "auto"

/** Where the nodes run: `netns` refused at once when this machine cannot make namespaces, `auto` falling back to loopback with a note. */
const resolveNet = (choice: NetChoice) =>
  Effect.gen(function*() {
    if (choice === "loopback") return "loopback" as const
    const unavailable = yield* netnsUnavailable
    if (unavailable === undefined) return "netns" as const
    if (choice === "netns") return yield* usage(`--net netns: ${unavailable}; run as root where \`ip netns\` works, or use --net loopback (partitions in the transport)`)
    yield* Console.error(`note: --net auto: ${unavailable}; the nodes run on loopback and partitions are the transport's`)
    return "loopback" as const
  })

const usage = (message: string) => new UsageError({ message })

/** `parley validate` of the stopped cluster's event logs, copied into the report with the trace of any finding. */
const eventLogsVerdict = (clusterDir: string, reportDir: string, timeLimitSeconds: number) =>
  validateCluster(clusterDir, { traceOut: join(reportDir, "validate-trace.json"), timeLimitSeconds }).pipe(
    Effect.map(({ verdict, traceFile }): EventLogsVerdict => {
      if (existsSync(join(clusterDir, "events"))) cpSync(join(clusterDir, "events"), join(reportDir, "events"), { recursive: true })
      const found = verdict.divergence?.split("\n")[0] ?? (verdict.violation === undefined ? undefined : `${verdict.violation.property}: ${verdict.violation.description}`)
      const steps = verdict.nodes.reduce((sum, node) => sum + node.steps, 0)
      return { verdict: verdict.verdict, summary: found ?? `${steps} steps replayed and checked`, trace: traceFile ?? null }
    }),
    Effect.catch((error) => Effect.succeed<EventLogsVerdict>({ verdict: "unknown", summary: `not validated: ${error.message}`, trace: null }))
  )

export const runTestCommand = Effect.fnUntraced(function*(input: TestInput) {
  const durationMs = parseDuration(input.time)
  if (durationMs === undefined || durationMs < 1000) return yield* usage(`--time must be a duration of at least 1 s, such as 60s, 2m or 90; got "${input.time}"`)
  if (input.clients < 1 || input.clients > 256) return yield* usage(`--clients must be from 1 to 256, got ${input.clients}`)
  if (input.keys < 1 || input.keys > 1000) return yield* usage(`--keys must be from 1 to 1000, got ${input.keys}`)
  if (!(input.rate > 0)) return yield* usage(`--rate must be above 0, got ${input.rate}`)
  if (input.checkLimitSeconds <= 0) return yield* usage("--check-time-limit must be above 0")
  const intervalMs = parseDuration(input.interval)
  if (intervalMs === undefined || intervalMs < 100) return yield* usage(`--interval must be a duration of at least 100ms, such as 3.5s; got "${input.interval}"`)
  const kinds = parseNemesis(input.nemesis)
  if (typeof kinds === "string") return yield* usage(kinds)
  const workload = findWorkload(input.workload)
  if (workload === undefined) return yield* usage(`no workload "${input.workload}"; there are ${workloads.map((known) => known.name).join(", ")}`)
  const variant = yield* hostableVariant(input.spec, input.variant)
  const net = yield* resolveNet(input.net)
  const seed = input.seed ?? Math.floor(Math.random() * 2 ** 31)
  const started = new Date().toISOString().replace(/[:.]/g, "-")
  const reportDir = input.report ?? join(".parley", "test", `${input.spec}${variant === undefined ? "" : `-${variant}`}-${started}`)
  const clusterDir = input.dir ?? mkdtempSync(join(tmpdir(), "parley-test-"))
  // The history goes to the report as it is made: a test stopped half-way (Ctrl-C, a crash) keeps it for `parley history check`.
  mkdirSync(reportDir, { recursive: true })
  const historyFile = openSync(join(reportDir, "history.jsonl"), "w")
  let historyOpen = true
  const closeHistory = () => {
    if (historyOpen) closeSync(historyFile)
    historyOpen = false
  }
  const options: TestOptions = {
    spec: input.spec,
    variant,
    nodes: input.nodes,
    dir: clusterDir,
    basePort: yield* freeBasePort(input.nodes),
    launcher,
    net,
    clientTls: input.clientTls,
    durationMs,
    clients: input.clients,
    keys: input.keys,
    nemesis: kinds,
    timings: timingsWithInterval(intervalMs),
    target: input.target,
    seed,
    ratePerSecond: input.rate,
    workload,
    timeouts: { operationMs: 3000, attemptMs: 500 },
    budget: { maxMilliseconds: input.checkLimitSeconds * 1000, maxMemoryBytes: 1024 * 1024 * 1024 },
    progress: (line) => console.error(line),
    onRecord: (record) => void writeSync(historyFile, JSON.stringify(record) + "\n")
  }
  if (variant !== undefined) yield* Console.error(`WARNING: testing the known-buggy variant "${variant}" of ${input.spec}; an anomaly is expected`)
  const settings = { spec: input.spec, variant, workload: workload.name, clients: input.clients, keys: input.keys, nemesis: kinds, seed, net, clientTls: input.clientTls }
  const { verdict, text } = yield* runTest(options).pipe(
    Effect.flatMap((run) => {
      closeHistory()
      return Effect.map(eventLogsVerdict(clusterDir, reportDir, input.checkLimitSeconds), (eventLogs) =>
        writeReport(reportDir, run, settings, run.nodes.map((node) => logPath(clusterDir, node.id)), eventLogs))
    }),
    Effect.onInterrupt(() => Effect.sync(() => console.error(`stopped; the history so far is in ${join(reportDir, "history.jsonl")}`))),
    // A directory of our own making goes once the report has the nodes' logs; one the user named stays.
    Effect.ensuring(Effect.sync(() => {
      closeHistory()
      if (input.dir === undefined) rmSync(clusterDir, { recursive: true, force: true })
    }))
  )
  yield* Console.log(text)
  yield* Console.log(`  report: ${reportDir} (timeline.html${verdict.history.verdict === "linearizable" ? "" : ", anomaly.html"}, history.jsonl, nemesis.jsonl, verdict.json, logs/, events/)`)
  if (verdict.verdict === "invalid") return yield* new ViolationFound({ property: verdict.anomalies.join("; ") })
  if (verdict.verdict === "unknown") return yield* new HistoryUndecided({ reason: verdict.history.reason ?? "time" })
})

export const testCommand = Command.make(
  "test",
  {
    spec: Argument.Literals("spec", hostedSpecs.map((spec) => spec.name) as [string, ...Array<string>]).pipe(
      Argument.withDescription("A spec hosted as a key-value store (parley cluster up runs it)")
    ),
    time: Flag.String("time").pipe(Flag.withDefault("60s"), Flag.withDescription("How long the clients and the nemesis run: 60s, 2m, 500ms (default 60s)")),
    clients: Flag.Int("clients").pipe(Flag.withDefault(8), Flag.withDescription("Concurrent clients (default 8)")),
    keys: Flag.Int("keys").pipe(Flag.withDefault(4), Flag.withDescription("Keys in use at once (default 4); each is retired after a few hundred operations")),
    nemesis: Flag.String("nemesis").pipe(
      Flag.withDefault("kill,pause,partition,restart"),
      Flag.withDescription("The faults, comma-separated: kill (-9, started again later), pause (SIGSTOP, SIGCONT later), partition, restart (kill -9 and start at once); none for no faults")
    ),
    target: Flag.Literals("target", ["mixed", "leader", "any"]).pipe(
      Flag.withDefault("mixed"),
      Flag.withDescription("Which node a fault strikes: the leader, any node, or mixed (the leader half of the time; the default)")
    ),
    interval: Flag.String("interval").pipe(
      Flag.withDefault("3.5s"),
      Flag.withDescription("The quiet between one fault's end and the next one's start, on average (default 3.5s; drawn from half to one and a half times it); a fault lasts 2 to 6 s")
    ),
    seed: Flag.Int("seed").pipe(Flag.optional, Flag.withDescription("The seed of the operations and the fault schedule (default: a fresh one, printed); timing still varies")),
    variant: Flag.String("variant").pipe(Flag.optional, Flag.withDescription("Host a known-buggy variant (parley list names them): the test should catch it")),
    nodes: Flag.Int("nodes").pipe(Flag.withDefault(3), Flag.withDescription("How many nodes (default 3)")),
    rate: Flag.Finite("rate").pipe(Flag.withDefault(200), Flag.withDescription("Operations a second over all clients, roughly (default 200)")),
    workload: Flag.String("workload").pipe(
      Flag.withDefault("register"),
      Flag.withDescription(`What the clients do: ${workloads.map((known) => `${known.name} (${known.description})`).join("; ")}`)
    ),
    dir: Flag.String("dir").pipe(Flag.optional, Flag.withDescription("The cluster's directory, kept afterwards (default: a temporary one, removed)")),
    report: Flag.String("report").pipe(Flag.optional, Flag.withDescription("Where to write the report (default .parley/test/SPEC-TIME)")),
    net: Flag.Literals("net", ["loopback", "netns", "auto"]).pipe(
      Flag.withDefault("loopback"),
      Flag.withDescription(
        `Where the nodes run: loopback (the default; partitions in the transport), netns (each node in its own network namespace on ${netnsRange}, partitions cut in the network; needs root and ip netns), or auto (netns when it can)`
      )
    ),
    clientTls: Flag.Boolean("client-tls").pipe(
      Flag.withDefault(false),
      Flag.withDescription("The nodes serve HTTPS with certificates from a CA made in the cluster's directory, and the clients trust that CA alone, as with `parley cluster up --client-tls`")
    ),
    checkTimeLimit: Flag.Finite("check-time-limit").pipe(Flag.withDefault(120), Flag.withDescription("Seconds the history check may take before its verdict is unknown (default 120)"))
  },
  (input) =>
    runTestCommand({
      spec: input.spec,
      time: input.time,
      clients: input.clients,
      keys: input.keys,
      nemesis: input.nemesis,
      target: input.target,
      interval: input.interval,
      seed: Option.getOrUndefined(input.seed),
      variant: Option.getOrUndefined(input.variant),
      nodes: input.nodes,
      rate: input.rate,
      workload: input.workload,
      dir: Option.getOrUndefined(input.dir),
      report: Option.getOrUndefined(input.report),
      checkLimitSeconds: input.checkTimeLimit,
      net: input.net,
      clientTls: input.clientTls
    })
).pipe(
  Command.withDescription("Test a real cluster as Jepsen does: concurrent clients, faults, the history checked for linearizability (exit 0 none found, 1 anomaly, 4 unknown)"),
  Command.withExamples([
    { command: "parley test raft --time 60s", description: "Every fault for a minute; the report goes to .parley/test/" },
    { command: "parley test raft --variant stale-read --nemesis partition", description: "Watch a leader that reads its own store without checking it still leads get caught" },
    { command: "sudo parley test raft --net netns --nemesis partition", description: "Nodes in network namespaces, partitions cut in the network (root only)" },
    { command: "parley test raft --client-tls", description: "The clients speak HTTPS to the nodes, trusting the cluster's CA alone: the configuration you deploy" }
  ])
)
