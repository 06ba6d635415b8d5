/**
 * Batches a kill -9 kept from a node's log, rebuilt. A node writes a batch
 * that took no client request only after the batch's durable state is saved
 * and its outputs have left, and holds back steps of messages alone for a few
 * more (packages/runtime/src/node.ts, event-log.ts), so a kill -9 in that
 * window leaves the durable state of those steps saved and their messages
 * received while its log ends before them: one sequence of steps, here called
 * the lost batch, whatever batches the node ran them in. Its inputs were
 * messages and timers: messages the other nodes' logs sent it that its log
 * never received, and timers it had armed. For each run end that shows such a
 * loss (the next run recovered a durable state the run never logged at a
 * batch's end, or others received from the node messages its log never sent),
 * a batch of those inputs is searched for (the likeliest first, then the
 * shortest) that, through the checked reducer from the run's last logged
 * state, gives exactly what was seen: that durable state, and every one of
 * those messages. Found, the batch joins the node's steps, marked lost, and
 * the merge, the invariants and the history take it as any other; not found,
 * the recovery is a divergence (storage lost or made up a state), and an
 * unexplained receive stays unmatched, as they were before logs could lose a
 * batch.
 */
import { fingerprint } from "@parley/core"
import type { AnyHostedSpec, NodeId, Output, Step } from "@parley/core"
import { outputEncoder } from "@parley/runtime"
import type { StepInput } from "@parley/runtime"
import { matchSends } from "./merge.ts"
import { apply, trackTimers } from "./replay.ts"
import type { Divergence, ReplayedNode, ReplayedRun, ReplayedStep } from "./replay.ts"

type AnyOutput = Output<unknown, unknown, unknown>
type AnyStep = Step<unknown, unknown, unknown, unknown>

/** Bounds of the search at one run's end: batch length, reducer steps tried, unreceived messages a link offers at each point. */
const maxBatch = 8
const maxTries = 20_000
const linkChoices = 2
/** The most unreceived messages a link offers (the likeliest batch takes them all). */
const maxPending = 256

/** A message another node sent this one that its log never received: a candidate input. */
interface Pending {
  readonly from: NodeId
  readonly message: unknown
  readonly wire: unknown
  readonly at: number
}

export type LostBatches =
  | { readonly _tag: "Rebuilt"; readonly nodes: ReadonlyArray<ReplayedNode>; readonly notes: ReadonlyArray<string>; readonly batches: number }
  /** A recovered durable state no lost batch explains; `node` holds the steps before the recovery, for the trace. */
  | { readonly _tag: "Diverged"; readonly node: ReplayedNode; readonly divergence: Divergence }

const sendKey = (to: NodeId, wire: unknown): string => `${to}:${fingerprint(wire).toString(16)}`

/**
 * The run of `node` whose lost batch could have sent a message received at
 * `at`: the last whose last logged step came before it (a run's lost batch
 * ran after its last logged step, and a message is received after it is sent).
 */
const runBefore = (node: ReplayedNode, at: number): number => {
  let run = 0
  while (run + 1 < node.runs.length && node.runs[run + 1]!.lastAt <= at) run++
  return run
}

/**
 * The messages each other node sent `to` while its run `run` was up that
 * it had not received by the run's end, in each sender's order: per link,
 * each receive takes the earliest equal send, as the merge matches them,
 * and a send before the last one received was dropped (a link keeps order).
 */
const unreceived = (nodes: ReadonlyArray<ReplayedNode>, to: NodeId, received: ReadonlyArray<ReplayedStep>, run: ReplayedRun, since: number): Array<Array<Pending>> => {
  const counts = new Map<string, number>()
  for (const step of received) {
    const input = step.logged.input
    if (step.incarnation > run.incarnation || input._tag !== "Message") continue
    const key = `${input.from}>${sendKey(to, step.logged.wire)}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const until = run.nextStartAt ?? Infinity
  return nodes.filter((node) => node.node !== to).map((node) => {
    let pending: Array<Pending> = []
    for (const step of node.steps) {
      for (const [position, output] of step.out.entries()) {
        const logged = step.logged.out[position]
        if (output._tag !== "Send" || output.to !== to || logged?._tag !== "Send" || step.logged.at > until) continue
        const key = `${node.node}>${sendKey(to, logged.message)}`
        const count = counts.get(key) ?? 0
        if (count > 0) {
          counts.set(key, count - 1)
          pending = []
        } else if (step.logged.at >= since) {
          pending.push({ from: node.node, message: output.message, wire: logged.message, at: step.logged.at })
        }
      }
    }
    return pending.slice(0, maxPending)
  }).filter((pending) => pending.length > 0)
}

interface Partial {
  readonly state: unknown
  readonly positions: ReadonlyArray<number>
  readonly timers: ReadonlyMap<string, unknown>
  readonly steps: ReadonlyArray<{ readonly input: StepInput; readonly step: AnyStep; readonly pending?: Pending }>
}

interface Target {
  readonly durable: string | undefined
  /** The messages others received from the node that its log never sent, by `sendKey`. */
  readonly sends: ReadonlyArray<string>
}

/** Whether a batch gives the target: its durable state, and every message in the target among its sends. */
const gives = (partial: Partial, target: Target, encodeSend: (output: AnyOutput) => string | undefined, digest: (state: unknown) => string): boolean => {
  if (target.durable !== undefined && digest(partial.state) !== target.durable) return false
  const sent = new Map<string, number>()
  for (const { step } of partial.steps) {
    for (const output of step.out) {
      const key = encodeSend(output)
      if (key !== undefined) sent.set(key, (sent.get(key) ?? 0) + 1)
    }
  }
  for (const key of target.sends) {
    const count = sent.get(key) ?? 0
    if (count === 0) return false
    sent.set(key, count - 1)
  }
  return true
}

/**
 * A batch of pending messages and armed timers from the run's last state
 * that gives the target: first the one the node most likely took (every
 * pending message in the order they were sent, as its inbox had them, cut
 * at each length), then the shortest, breadth first.
 */
const searchBatch = (run: ReplayedRun, links: ReadonlyArray<ReadonlyArray<Pending>>, target: Target, hosted: AnyHostedSpec): Partial | undefined => {
  const encode = outputEncoder(hosted)
  const encodeSend = (output: AnyOutput): string | undefined => {
    const logged = encode(output)
    return logged._tag === "Send" ? sendKey(logged.to, logged.message) : undefined
  }
  const digest = (state: unknown): string => run.digest(run.actor.durable(state))
  let tries = 0
  /** The batch grown by one input, or none when the reducer throws on it. */
  const grow = (partial: Partial, input: StepInput, positions: ReadonlyArray<number>, pending?: Pending): Partial | undefined => {
    tries++
    let step: AnyStep
    try {
      step = apply(run.actor, run.context, partial.state, input)
    } catch {
      return undefined
    }
    const timers = new Map(partial.timers)
    trackTimers(timers, input, step.out)
    return { state: step.state, positions, timers, steps: [...partial.steps, { input, step, ...(pending === undefined ? {} : { pending }) }] }
  }
  const found = (partial: Partial | undefined): partial is Partial => partial !== undefined && gives(partial, target, encodeSend, digest)
  const start: Partial = { state: run.last, positions: links.map(() => 0), timers: run.timers, steps: [] }

  const byClock = links.flatMap((pending, link) => pending.map((candidate, choice) => ({ candidate, link, choice }))).sort((a, b) => a.candidate.at - b.candidate.at)
  let likely: Partial | undefined = start
  for (const { candidate, link, choice } of byClock) {
    likely = grow(likely, { _tag: "Message", from: candidate.from, message: candidate.message }, likely.positions.map((position, index) => (index === link ? choice + 1 : position)), candidate)
    if (likely === undefined) break
    if (found(likely)) return likely
  }

  let level: Array<Partial> = [start]
  for (let depth = 0; depth < maxBatch && level.length > 0 && tries <= maxTries; depth++) {
    const next: Array<Partial> = []
    for (const partial of level) {
      const options: Array<Partial | undefined> = []
      for (const [link, pending] of links.entries()) {
        const from = partial.positions[link]!
        for (let choice = from; choice < Math.min(pending.length, from + linkChoices); choice++) {
          const candidate = pending[choice]!
          const positions = partial.positions.map((position, index) => (index === link ? choice + 1 : position))
          options.push(grow(partial, { _tag: "Message", from: candidate.from, message: candidate.message }, positions, candidate))
        }
      }
      for (const timer of partial.timers.values()) options.push(grow(partial, { _tag: "Timer", timer }, partial.positions))
      for (const option of options) {
        if (found(option)) return option
        if (option !== undefined) next.push(option)
      }
      if (tries > maxTries) return undefined
    }
    level = next
  }
  return undefined
}

/** The batch as replayed steps of `node`'s run, after its last logged step. */
const lostSteps = (node: NodeId, run: ReplayedRun, batch: Partial, hosted: AnyHostedSpec): Array<ReplayedStep> => {
  const encode = outputEncoder(hosted)
  let before = run.last
  let at = run.lastAt
  return batch.steps.map(({ input, step, pending }) => {
    at = Math.max(at, pending?.at ?? at)
    const logged = {
      at,
      input,
      wire: pending?.wire,
      out: step.out.map(encode),
      durable: run.digest(run.actor.durable(step.state)),
      where: `${node}'s lost batch at the end of its run ${run.incarnation + 1}`
    }
    const replayed: ReplayedStep = { node, index: 0, incarnation: run.incarnation, logged, before, after: step.state, out: step.out, lost: true }
    before = step.state
    return replayed
  })
}

const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`

type NodeRebuilt = { readonly _tag: "Node"; readonly node: ReplayedNode } | Extract<LostBatches, { _tag: "Diverged" }>

/** `node` with the lost batch at the end of each of its runs that shows one rebuilt; `leaked`: each run's messages others received that its log never sent. */
const rebuildNode = (node: ReplayedNode, nodes: ReadonlyArray<ReplayedNode>, leaked: ReadonlyMap<string, ReadonlyArray<string>>, hosted: AnyHostedSpec, notes: Array<string>): NodeRebuilt => {
  let steps = node.steps
  for (const run of node.runs) {
    const sends = leaked.get(`${node.node}#${run.incarnation}`) ?? []
    const durable = run.unloggedRecovery?.digest
    if (durable === undefined && sends.length === 0) continue
    const since = run.incarnation === 0 ? -Infinity : node.runs[run.incarnation - 1]!.nextStartAt ?? -Infinity
    const links = unreceived(nodes, node.node, steps, run, since)
    const batch = searchBatch(run, links, { durable, sends }, hosted)
    if (batch === undefined) {
      // A message no batch gives stays unmatched, for the merge to report.
      if (run.unloggedRecovery === undefined) continue
      const recovery = steps.findIndex((step) => step.logged.where === run.unloggedRecovery!.where)
      const pending = links.reduce((sum, link) => sum + link.length, 0)
      return {
        _tag: "Diverged",
        node: { ...node, steps: steps.slice(0, recovery) },
        divergence: {
          node: node.node,
          index: recovery,
          incarnation: run.incarnation + 1,
          where: run.unloggedRecovery.where,
          kind: "recovered",
          expected: `a durable state its previous run logged, or one a lost batch of the ${plural(pending, "message")} and ${plural(run.timers.size, "timer")} it had pending reaches`,
          got: `one it never logged and no such batch reaches: ${run.unloggedRecovery.digest}`
        }
      }
    }
    const lost = lostSteps(node.node, run, batch, hosted)
    const after = steps.findLastIndex((step) => step.incarnation === run.incarnation) + 1
    steps = [...steps.slice(0, after), ...lost, ...steps.slice(after)]
    const gave = [
      ...(durable === undefined ? [] : [`the durable state its next run recovered`]),
      ...(sends.length === 0 ? [] : [`the ${plural(sends.length, "message")} others received from it`])
    ]
    notes.push(`${node.node} lost its last logged batch at the crash ending its run ${run.incarnation + 1}: ${plural(lost.length, "step")} rebuilt from the messages and timers it had pending (${lost.map((step) => step.logged.input._tag).join(", ")}), which give ${gave.join(" and ")}`)
  }
  // Steps are numbered by their place in the node's log, rebuilt ones included.
  return { _tag: "Node", node: steps === node.steps ? node : { ...node, steps: steps.map((step, index) => (step.index === index ? step : { ...step, index })) } }
}

/** Finds and rebuilds every lost batch the logs show; `nodes` replayed without divergence. */
export const rebuildLostBatches = (nodes: ReadonlyArray<ReplayedNode>, hosted: AnyHostedSpec): LostBatches => {
  // Each receive no send explains, at the end of the sender's run whose lost batch could have sent it.
  const leaked = new Map<string, Array<string>>()
  for (const receive of matchSends(nodes).unmatched) {
    const input = receive.logged.input
    const sender = nodes.find((node) => node.node === (input._tag === "Message" ? input.from : undefined))
    if (sender === undefined || sender.runs.length === 0) continue
    const key = `${sender.node}#${runBefore(sender, receive.logged.at)}`
    leaked.set(key, [...(leaked.get(key) ?? []), sendKey(receive.node, receive.logged.wire)])
  }
  const notes: Array<string> = []
  const rebuilt: Array<ReplayedNode> = []
  for (const node of nodes) {
    const outcome = rebuildNode(node, nodes, leaked, hosted, notes)
    if (outcome._tag === "Diverged") return outcome
    rebuilt.push(outcome.node)
  }
  return { _tag: "Rebuilt", nodes: rebuilt, notes, batches: notes.length }
}
