/**
 * `parley cluster add | remove | transfer`: change a running raft cluster's
 * members one node at a time, or move its leadership (cluster-members.ts
 * in the runtime does the work; this says what happened).
 */
import { clusterAdd, clusterRemove, clusterTransfer, defaultChangeTimeoutMs } from "@parley/runtime"
import type { Launcher } from "@parley/runtime"
import { Console, Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { hostedSpecs } from "./hosted.ts"

const dir = Flag.String("dir").pipe(Flag.withDefault(".parley/cluster"), Flag.withDescription("The cluster's directory"))
const json = Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("Print JSON instead of a sentence"))
const timeout = Flag.Int("timeout").pipe(
  Flag.withDefault(defaultChangeTimeoutMs),
  Flag.withDescription("Milliseconds to wait for the change to commit (add: and the new node to catch up; transfer: the node to lead)")
)
const nodeId = Argument.String("node").pipe(Argument.withDescription("A node id, such as n4"))

export const membershipCommands = (launcher: Launcher) => {
  const add = Command.make("add", { node: nodeId, dir, timeout, json }, ({ node, dir, timeout, json }) =>
    Effect.gen(function*() {
      const added = yield* clusterAdd(dir, node, launcher, hostedSpecs, timeout)
      if (json) return yield* Console.log(JSON.stringify(added))
      yield* Console.log(
        `${node} added (pid ${added.pid}, clients on ${added.node.client}): the configuration ${added.members.join(",")} ` +
          `committed at index ${added.index}, and ${node} has applied through ${added.applied}`
      )
    })).pipe(Command.withDescription(
      "Start a new node in the cluster directory (the next free ports) and have the leader add it by a single-server change; waits until the change commits and the node holds it"
    ))

  const remove = Command.make("remove", { node: nodeId, dir, timeout, json }, ({ node, dir, timeout, json }) =>
    Effect.gen(function*() {
      const removed = yield* clusterRemove(dir, node, hostedSpecs, timeout)
      if (json) return yield* Console.log(JSON.stringify(removed))
      const stopped = removed.stopped === undefined ? "it was not running" : `its process (pid ${removed.stopped}) stopped`
      yield* Console.log(`${node} removed: the configuration ${removed.members.join(",")} committed at index ${removed.index}; ${stopped}`)
    })).pipe(Command.withDescription(
      "Have the leader remove a node by a single-server change (a leader removing itself steps down once it commits); then stop the node and mark it removed in the cluster file"
    ))

  const transfer = Command.make("transfer", { node: nodeId, dir, timeout, json }, ({ node, dir, timeout, json }) =>
    Effect.gen(function*() {
      const moved = yield* clusterTransfer(dir, node, hostedSpecs, timeout)
      if (json) return yield* Console.log(JSON.stringify(moved))
      if (moved.from === moved.to) return yield* Console.log(`${node} leads already (term ${moved.term})`)
      yield* Console.log(`leadership moved from ${moved.from ?? "no agreed leader"} to ${node} in term ${moved.term}, ${moved.tookMs} ms after the request`)
    })).pipe(Command.withDescription(
      "Hand leadership to a member (Raft's TimeoutNow): the leader brings it up to date and tells it to campaign; waits until it leads, or says it did not"
    ))

  return [add, remove, transfer] as const
}
