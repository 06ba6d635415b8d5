/**
 * `parley trace replay FILE --cluster`: a counterexample from `parley check`
 * made to happen on real node processes. The nodes run in controlled mode
 * (the runtime's controlled.ts); the replayer is their network and the
 * trace's clients, takes each step the trace takes, one line a step, and
 * stops at the first step whose outcome differs from the trace's. At the
 * end every node's state is the trace's last, and the property is
 * evaluated on the real nodes' states and shown in their statuses.
 */
import type { Launcher } from "@parley/runtime"
import { clusterDown, clusterStatus, freeBasePort } from "@parley/runtime"
import { Console, Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ReplayDiverged, UsageError } from "./errors.ts"
import { hostedSpecs } from "./hosted.ts"
import { ReplayCluster } from "./replay-cluster.ts"
import { planReplay } from "./replay-plan.ts"
import type { CheckedState, ReplayPlan } from "./replay-plan.ts"
import { Divergence, Replayer } from "./replay-steps.ts"
import { readTrace } from "./trace-command.ts"

export interface ReplayInput {
  readonly file: string
  /** Where the cluster goes: empty for a fresh directory; undefined when `--cluster` was not given. */
  readonly cluster: string | undefined
  readonly basePort: number | undefined
  readonly keep: boolean
}

const launcher: Launcher = { executable: process.execPath, args: [process.argv[1]!] }

/** How the trace's configuration reads on one line, as `trace show` heads it. */
const configLine = (plan: ReplayPlan): string =>
  Object.entries(plan.trace.config).map(([name, value]) => `${name}=${String(value)}`).join(" ")

/**
 * A state of the trace as the real cluster made it: each live node's state
 * and the history variable its steps made are the real ones; the network
 * and the clients (and the clients' history) are the checker's, whose
 * messages the real nodes were checked to send.
 */
const withRealNodes = (plan: ReplayPlan, checked: CheckedState, real: ReadonlyMap<string, unknown>, ghost: unknown): CheckedState => ({
  ...checked,
  nodes: checked.nodes.map((slot, i) => {
    const id = plan.system.nodes[i]!.id
    return slot.up && real.has(id) ? { ...slot, state: real.get(id) } : slot
  }),
  ...(plan.system.ghost === undefined ? {} : { ghost })
})

/** Whether the trace's property (of states, or of steps: then of the last step) holds on the real nodes' states; a string when it cannot be evaluated there. */
const propertyOnRealNodes = (plan: ReplayPlan, replayer: Replayer): boolean | string => {
  const name = plan.trace.property.name
  if (plan.trace.property.kind === "deadlock") return "a deadlock is the checker's finding that no step is enabled in this state, which only the model can tell"
  const last = withRealNodes(plan, plan.states[plan.states.length - 1]!, replayer.realStates, replayer.realGhost)
  const before = withRealNodes(plan, plan.states[plan.states.length - 2] ?? plan.states[0]!, replayer.beforeLast.states, replayer.beforeLast.ghost)
  const property = plan.system.properties.find((candidate) => candidate.name === name)
  const transition = plan.system.transitions?.find((candidate) => candidate.name === name)
  try {
    if (property !== undefined) return property.holds(last)
    if (transition !== undefined) return transition.holds(before, last)
    return `${plan.trace.spec} has no property ${name} any more`
  } catch (error) {
    return `it cannot be evaluated on the nodes' states as JSON: ${error instanceof Error ? error.message : String(error)}`
  }
}

/** The nodes the replayer played, whose states in the verdict are the checker's. */
const playedNote = (plan: ReplayPlan): string => {
  const played = plan.system.nodes.map((node) => node.id).filter((id) => !plan.processes.includes(id))
  return played.length === 0 ? "" : ` (${played.join(", ")} as the checker's, which the replayer played)`
}

/** The verdict on the real cluster: the property on the real states, each node's status, and the symptom the statuses show. */
const showViolation = (plan: ReplayPlan, replayer: Replayer, dir: string) =>
  Effect.gen(function*() {
    const { name, kind } = plan.trace.property
    const live = plan.system.nodes.map((node) => node.id).filter((id) => replayer.realStates.has(id))
    yield* Console.log(`every live node's state is the trace's last state (reducer state, durable state, armed timers): ${live.join(", ")}`)
    const holds = propertyOnRealNodes(plan, replayer)
    const made = plan.system.ghost === undefined ? "" : ", with the history their steps made"
    if (typeof holds === "string") yield* Console.log(`${name} (${kind}): not evaluated on the real nodes: ${holds}`)
    else if (holds) return yield* new ReplayDiverged({ message: `${name} (${kind}) holds on the real nodes' states${made}: the trace's violation did not happen there` })
    else yield* Console.log(`✗ ${name} (${kind}) does not hold on the real nodes' states${made}${playedNote(plan)}`)
    const reports = yield* clusterStatus(dir, hostedSpecs)
    const statuses = reports.flatMap((report) => (report.status === undefined ? [] : [{ id: report.id, status: report.status }]))
    for (const report of reports) {
      const fields = report.status === undefined ? "down" : Object.entries(report.status).filter(([field]) => field !== "id").map(([field, value]) => `${field}=${JSON.stringify(value)}`).join(" ")
      yield* Console.log(`  ${report.id}  ${fields}`)
    }
    const symptom = plan.hosting.symptom?.(statuses)
    if (symptom !== undefined) yield* Console.log(`✗ ${symptom}`)
  })

const replaySteps = (plan: ReplayPlan, replayer: Replayer) =>
  Effect.gen(function*() {
    for (const line of yield* replayer.start()) yield* Console.log(`  start  ${line}`)
    for (const [index, step] of plan.trace.steps.entries()) {
      const what = yield* replayer.step(index).pipe(
        Effect.catchIf((error): error is Divergence => error instanceof Divergence, (divergence) =>
          Console.log(`  ${String(index + 1).padStart(4)}  ${step.action}\n        ✗ diverged: ${divergence.message}`).pipe(
            Effect.andThen(Effect.fail(new ReplayDiverged({ message: `the real cluster diverged from the trace at step ${index + 1}: ${divergence.message}` })))
          ))
      )
      yield* Console.log(`  ${String(index + 1).padStart(4)}  ${step.action}\n        → ${what}`)
    }
  })

export const runTraceReplay = Effect.fnUntraced(function*(input: ReplayInput) {
  if (input.cluster === undefined) {
    return yield* new UsageError({ message: "parley trace replay makes a trace happen on real node processes: give --cluster (to read a trace, `parley trace show`)" })
  }
  const trace = yield* readTrace(input.file)
  if (trace.property.kind !== "always" && trace.property.kind !== "deadlock") {
    return yield* new UsageError({ message: `cannot replay this trace: it shows a ${trace.property.kind} property, and only a safety violation (always, deadlock) ends in a state a cluster can show` })
  }
  const plan = planReplay(trace)
  if (plan instanceof UsageError) return yield* plan
  const nodes = plan.processes
  const alongside = plan.hosting.alongside ?? []
  const dir = input.cluster === "" ? mkdtempSync(join(tmpdir(), "parley-replay-")) : input.cluster
  const basePort = input.basePort ?? (yield* freeBasePort(nodes.length + alongside.length))
  yield* Console.log(`replaying ${input.file}: ${trace.spec} (${configLine(plan)}), ${trace.steps.length} steps, ${trace.property.name} (${trace.property.kind})`)
  const clients = plan.system.clients.map((client) => client.id)
  const played = plan.system.nodes.map((node) => node.id).filter((id) => !nodes.includes(id))
  const count = nodes.length + alongside.length
  yield* Console.log(`on ${count} node ${count === 1 ? "process" : "processes"} in controlled mode in ${dir}` +
    (clients.length === 0 ? "" : `; the replayer plays the checker's scripted ${clients.length === 1 ? "client" : "clients"} ${clients.join(", ")}`) +
    (played.length === 0 ? "" : `; the replayer plays the checker's ${played.join(", ")}, which the cluster serves over HTTP`) +
    (alongside.length === 0 ? "" : `; ${alongside.join(", ")} ${alongside.length === 1 ? "runs" : "run"} beside them, which the trace has not`))
  const cluster = yield* ReplayCluster.up({
    dir,
    basePort,
    launcher,
    hosted: plan.hosted,
    nodes: [...nodes, ...alongside],
    clusterOptions: plan.clusterOptions,
    variant: plan.variant
  })
  const replayer = new Replayer(plan, cluster)
  // A directory made for this replay goes with it; one the user named stays, with the nodes' logs.
  const stop = input.keep
    ? Console.log(`the cluster keeps running: parley cluster status --dir ${dir}; parley cluster down --dir ${dir} stops it`)
    : clusterDown(dir).pipe(Effect.ignore, Effect.andThen(Effect.sync(() => input.cluster === "" && rmSync(dir, { recursive: true, force: true }))))
  yield* replaySteps(plan, replayer).pipe(
    Effect.andThen(showViolation(plan, replayer, dir)),
    Effect.ensuring(stop)
  )
})
