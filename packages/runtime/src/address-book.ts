/**
 * Where this node's peers are: the cluster file's nodes less those removed,
 * kept current while the node runs. The cluster file is the address book
 * and the spec's log is the membership: `parley cluster add` writes the new
 * node's entry before it asks the leader to add it, and `cluster remove`
 * marks the entry removed once the removal commits, and every running node
 * re-reads the file when it changes (polled every 200 ms), so it dials a
 * new peer and takes its connection, and drops a removed one. A change that
 * does not decode is logged and the book stays as it was.
 */
import { Context, Effect, Layer, Result, Schema } from "effect"
import { readFileSync, unwatchFile, watchFile } from "node:fs"
import { activeNodes, ClusterFile, oneLine } from "./cluster-file.ts"
import type { NodeEntry } from "./cluster-file.ts"
import { NodeConfig } from "./node-config.ts"

const pollMs = 200

const decodeFile = Schema.decodeUnknownResult(ClusterFile)

const readNodes = (path: string): Result.Result<ReadonlyArray<NodeEntry>, string> => {
  try {
    return Result.mapBoth(decodeFile(JSON.parse(readFileSync(path, "utf8"))), {
      onSuccess: (file) => file.nodes,
      onFailure: (error) => oneLine(error.message)
    })
  } catch (error) {
    return Result.fail(error instanceof Error ? error.message : String(error))
  }
}

export class AddressBook extends Context.Service<AddressBook, {
  /** The nodes to talk to now, this one included. */
  nodes(): ReadonlyArray<NodeEntry>
  /** `listener` hears the nodes each time they change. */
  subscribe(listener: (nodes: ReadonlyArray<NodeEntry>) => void): void
}>()("@parley/runtime/AddressBook") {
  static readonly layer = Layer.effect(AddressBook, Effect.gen(function*() {
    const config = yield* NodeConfig
    let nodes = activeNodes(config.nodes)
    const listeners: Array<(nodes: ReadonlyArray<NodeEntry>) => void> = []
    const path = config.clusterFile
    if (path !== undefined) {
      const context = yield* Effect.context<never>()
      const log = (effect: Effect.Effect<void>): void => void Effect.runForkWith(context)(effect)
      const reread = (): void => {
        const read = readNodes(path)
        if (Result.isFailure(read)) {
          return log(Effect.logWarning("the cluster file changed but does not decode; the peers stay as they were").pipe(
            Effect.annotateLogs({ path, reason: read.failure })
          ))
        }
        const next = activeNodes(read.success)
        if (JSON.stringify(next) === JSON.stringify(nodes)) return
        nodes = next
        log(Effect.logInfo("the cluster file's nodes changed").pipe(Effect.annotateLogs({ nodes: nodes.map((node) => node.id).join(",") })))
        for (const listener of listeners) listener(nodes)
      }
      yield* Effect.acquireRelease(
        Effect.sync(() => void watchFile(path, { interval: pollMs, persistent: false }, reread)),
        () => Effect.sync(() => unwatchFile(path, reread))
      )
    }
    return AddressBook.of({
      nodes: () => nodes,
      subscribe: (listener) => void listeners.push(listener)
    })
  }))
}
