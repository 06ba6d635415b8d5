/**
 * The nemesis: one fault at a time, on a seeded schedule. After a quiet
 * spell it picks a kind among those asked for and a target (the leader half
 * of the time, since faults of the leader are the ones that test a
 * consensus protocol hardest; otherwise any node; or always one or the other), holds the fault a while,
 * and undoes it: a killed node is started again, a paused one continued, a
 * partition healed; `restart` (kill -9 and start at once) is over as soon as
 * it is done. A partition isolates its target, or (with five nodes or more,
 * half the time) splits a minority with the target in it from the
 * majority. Every step is logged through the recorder; a step the cluster
 * control cannot carry out is logged as an error and the schedule goes on.
 */
import type { NodeId } from "@parley/core"
import type { ClusterControlError } from "@parley/runtime"
import { Effect } from "effect"
import type { ClusterControl } from "./control.ts"
import type { NemesisEvent, NemesisKind, Recorder } from "./recorder.ts"

export interface NemesisTimings {
  /** How long the cluster is left alone between faults, drawn from this range (milliseconds). */
  readonly quietMs: readonly [number, number]
  /** How long a fault lasts. */
  readonly faultMs: readonly [number, number]
}

export const defaultTimings: NemesisTimings = { quietMs: [2000, 5000], faultMs: [2000, 6000] }

/** The default timings with quiet spells of `intervalMs` on average (from half of it to one and a half times it). */
export const timingsWithInterval = (intervalMs: number): NemesisTimings => ({ ...defaultTimings, quietMs: [intervalMs / 2, intervalMs * 1.5] })

interface Fault {
  readonly kind: NemesisKind
  readonly nodes: ReadonlyArray<NodeId>
  readonly description: string
  readonly partition?: NemesisEvent["partition"]
  /** How the fault is undone; undefined for one that is over once done. */
  readonly undo: Effect.Effect<void, ClusterControlError> | undefined
}

const pick = <A>(random: () => number, items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!

const between = (random: () => number, [low, high]: readonly [number, number]): number => low + random() * (high - low)

/** Which node a fault strikes: the leader (if there is one), any node, or the leader half of the time. */
export type NemesisTarget = "leader" | "any" | "mixed"

const leaderShare: Record<NemesisTarget, number> = { leader: 1, any: 0, mixed: 0.5 }

const target = (control: ClusterControl, random: () => number, aim: NemesisTarget) =>
  Effect.gen(function*() {
    const leader = random() < leaderShare[aim] ? yield* control.leader : undefined
    return leader === undefined ? { node: pick(random, control.nodes), role: "" } : { node: leader, role: " (the leader)" }
  })

/**
 * The side a partition cuts off: `node` alone, or a minority with it. With
 * three nodes or four the minority is one node, the same as isolating it, and
 * nothing is drawn (so a seed's schedule is what it was before splits).
 */
const minorityWith = (control: ClusterControl, random: () => number, node: NodeId): ReadonlyArray<NodeId> => {
  const size = Math.floor((control.nodes.length - 1) / 2)
  if (size < 2 || random() < 0.5) return [node]
  const others = control.nodes.filter((other) => other !== node)
  const chosen = [node]
  while (chosen.length < size) chosen.push(others.splice(Math.floor(random() * others.length), 1)[0]!)
  return chosen
}

const faultOf = (control: ClusterControl, random: () => number, kind: NemesisKind, node: NodeId, role: string): Fault => {
  switch (kind) {
    case "kill":
      return { kind, nodes: [node], description: `kill -9 ${node}${role}`, undo: control.restart(node) }
    case "pause":
      return { kind, nodes: [node], description: `SIGSTOP ${node}${role}`, undo: control.resume(node) }
    case "restart":
      return { kind, nodes: [node], description: `kill -9 ${node}${role} and start it again`, undo: undefined }
    case "partition": {
      const cut = minorityWith(control, random, node)
      const rest = control.nodes.filter((other) => !cut.includes(other))
      const shape = cut.length === 1 ? "isolate" : "split"
      const sides = `${[`${node}${role}`, ...cut.slice(1)].join(",")} / ${rest.join(",")}`
      return {
        kind,
        nodes: cut,
        description: `partition ${sides}${control.partitionLayer === "network" ? " in the network" : ""}`,
        partition: { layer: control.partitionLayer, shape },
        undo: control.heal
      }
    }
  }
}

const act = (control: ClusterControl, fault: Fault): Effect.Effect<void, ClusterControlError> => {
  const node = fault.nodes[0]!
  switch (fault.kind) {
    case "kill":
      return control.kill(node)
    case "pause":
      return control.pause(node)
    case "restart":
      return control.restart(node)
    case "partition":
      return control.partition(fault.nodes)
  }
}

/** Runs `step`; a failure is logged as an error of `fault` and swallowed, so the schedule goes on. */
const logged = (recorder: Recorder, fault: Fault, phase: "start" | "end", step: Effect.Effect<void, ClusterControlError>) => {
  const event = { fault: fault.kind, nodes: fault.nodes, ...(fault.partition === undefined ? {} : { partition: fault.partition }) }
  return step.pipe(
    Effect.as(true),
    Effect.tap(() => Effect.sync(() => recorder.nemesis({ ...event, phase, description: phase === "end" ? `end: ${fault.description}` : fault.description }))),
    Effect.catchTag("ClusterControlError", (error) =>
      Effect.sync(() => {
        recorder.nemesis({ ...event, phase: "error", description: `${fault.description}: ${error.message}` })
        return false
      }))
  )
}

export interface NemesisOptions {
  readonly kinds: ReadonlyArray<NemesisKind>
  readonly timings: NemesisTimings
  readonly target: NemesisTarget
  /** When the schedule stops (a `Date.now()` time): no fault starts after it, and the one running is undone by then. */
  readonly endAt: number
}

/** Faults until `endAt`, one at a time; returns with every fault undone. */
export const runNemesis = (control: ClusterControl, recorder: Recorder, random: () => number, options: NemesisOptions) =>
  Effect.gen(function*() {
    if (options.kinds.length === 0) return
    while (true) {
      const quietMs = between(random, options.timings.quietMs)
      if (Date.now() + quietMs >= options.endAt) return
      yield* Effect.sleep(quietMs)
      const { node, role } = yield* target(control, random, options.target)
      const fault = faultOf(control, random, pick(random, options.kinds), node, role)
      const started = yield* logged(recorder, fault, "start", act(control, fault))
      if (!started || fault.undo === undefined) continue
      yield* Effect.sleep(Math.max(0, Math.min(between(random, options.timings.faultMs), options.endAt - Date.now())))
      yield* logged(recorder, fault, "end", fault.undo)
    }
  })
