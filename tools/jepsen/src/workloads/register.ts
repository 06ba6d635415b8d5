/**
 * The register workload, Jepsen's linearizable-register test on a key-value
 * store: reads, writes and compare-and-sets on a few keys at once, each
 * write of a value never written to that key before, so that a read names
 * exactly the write it saw. A key is retired after a fixed number of
 * operations and a fresh one takes its place (jepsen.independent's way):
 * however long the test runs, each key's history stays small enough to
 * check at once. Checked with the `kv` model, key by key.
 *
 * Any spec that serves the replicated key-value API (`@parley/kv`'s
 * `kvRoutes`: GET/PUT `/v1/kv/{key}`, POST `/v1/kv/{key}/cas`) can run it.
 */
import { models } from "@parley/history"
import type { AnyHistoryModel } from "@parley/history"
import { kvPath } from "@parley/kv"
import type { ApiAnswer } from "@parley/runtime"
import { completionOf } from "../workload.ts"
import type { ClusterClient, Completion, Workload, WorkloadFactory, WorkloadOptions } from "../workload.ts"

/** The shares of reads and compare-and-sets; the rest are writes. Reads are what expose a stale or lost value. */
const readShare = 0.5
const casShare = 0.2
/** Operations on a key before it is retired. */
export const operationsPerKey = 250

interface KeyState {
  readonly name: string
  operations: number
  /** The next value to write: values of a key are 1, 2, 3, … in the order writes are invoked. */
  nextValue: number
  /** The last value a completed operation saw there: what a compare-and-set expects. */
  lastSeen: number | null
}

/** A value as the store holds it (text) read back as the number it was written as; anything else stays text, which no write wrote. */
const valueOf = (text: unknown): number | string | null => {
  if (typeof text !== "string") return null
  return /^(0|[1-9][0-9]{0,14})$/.test(text) ? Number(text) : text
}

const kvModel = (): AnyHistoryModel => {
  const model = models.find((known) => known.name === "kv")
  if (model === undefined) throw new Error("@parley/history has no kv model")
  return model
}

const readAnswer = (answer: ApiAnswer): Completion | undefined => {
  if (answer.status === 200) return { type: "ok", value: valueOf(answer.body["value"]) }
  if (answer.status === 404) return { type: "ok", value: null }
  return undefined
}

const writeAnswer = (value: unknown) => (answer: ApiAnswer): Completion | undefined =>
  answer.status === 200 ? { type: "ok", value } : undefined

const casAnswer = (value: unknown) => (answer: ApiAnswer): Completion | undefined => {
  if (answer.status !== 200) return undefined
  // A compare-and-set that did not swap changed nothing: Jepsen records it as a failure, which the check leaves out.
  return answer.body["swapped"] === true
    ? { type: "ok", value }
    : { type: "fail", error: `unchanged: the key held ${JSON.stringify(answer.body["value"] ?? null)}` }
}

/** An operation of this workload: a read, a write of a fresh value, or a compare-and-set [expected, new]. */
export type RegisterOperation =
  | { readonly f: "read"; readonly key: string; readonly value: null }
  | { readonly f: "write"; readonly key: string; readonly value: number }
  | { readonly f: "cas"; readonly key: string; readonly value: readonly [number | null, number] }

/** What a completed operation leaves in the register, if it says. */
const valueAfter = (operation: RegisterOperation, completion: Completion): unknown => {
  if (completion.type !== "ok") return undefined
  switch (operation.f) {
    case "read":
      return completion.value
    case "write":
      return operation.value
    case "cas":
      return operation.value[1]
  }
}

export const registerWorkload = (options: WorkloadOptions, runId: string): Workload<RegisterOperation> => {
  let keysMade = 0
  const freshKey = (): KeyState => ({ name: `${runId}-k${keysMade++}`, operations: 0, nextValue: 1, lastSeen: null })
  const active: Array<KeyState> = Array.from({ length: options.keys }, freshKey)
  const byName = new Map(active.map((key) => [key.name, key]))
  const model = kvModel()

  const pickKey = (random: () => number): KeyState => {
    const slot = Math.floor(random() * active.length)
    const key = active[slot]!
    if (++key.operations < operationsPerKey) return key
    const next = freshKey()
    active[slot] = next
    byName.set(next.name, next)
    return key
  }

  const remember = (operation: RegisterOperation, completion: Completion): void => {
    const key = byName.get(operation.key)
    const value = valueAfter(operation, completion)
    if (key !== undefined && (typeof value === "number" || value === null)) key.lastSeen = value
  }

  const run = async (client: ClusterClient, operation: RegisterOperation): Promise<Completion> => {
    const path = kvPath(operation.key)
    switch (operation.f) {
      case "read":
        return completionOf(await client.call("GET", path), readAnswer)
      case "write":
        return completionOf(await client.call("PUT", path, String(operation.value)), writeAnswer(operation.value))
      case "cas": {
        const [from, to] = operation.value
        const body = JSON.stringify({ expected: from === null ? null : String(from), value: String(to) })
        return completionOf(await client.call("POST", `${path}/cas`, body), casAnswer(operation.value))
      }
    }
  }

  return {
    model,
    next: (random) => {
      const key = pickKey(random)
      const roll = random()
      if (roll < readShare) return { f: "read", key: key.name, value: null }
      const value = key.nextValue++
      if (roll < readShare + casShare) return { f: "cas", key: key.name, value: [key.lastSeen, value] }
      return { f: "write", key: key.name, value }
    },
    perform: async (client, operation) => {
      const completion = await run(client, operation).catch((error: unknown): Completion => ({
        type: "info",
        error: error instanceof Error ? error.message : String(error)
      }))
      remember(operation, completion)
      return completion
    },
    finalOperations: () => [...byName.keys()].map((key): RegisterOperation => ({ f: "read", key, value: null }))
  }
}

export const register: WorkloadFactory = {
  name: "register",
  description: "reads, writes of unique values and compare-and-sets on a few keys at once, each key retired after " +
    `${operationsPerKey} operations; checked as a map of CAS registers (kv), key by key`,
  make: (options) => registerWorkload(options, `t${Date.now().toString(36)}`)
}
