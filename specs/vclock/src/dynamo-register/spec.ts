/**
 * `dynamo-register`: a register replicated on `n1`…`nN` in the style of
 * Dynamo, written by clients `c1`…`cM` through one replica each. Concurrent
 * writes become siblings, and a write made with a context covering them
 * resolves them.
 */
import { defineSpec, flag, int, lossyFlag, networkChoice } from "@parley/core"
import type { OptionsOf } from "@parley/core"
import { oneCopyInFlight } from "../bounds.ts"
import { clientScript, registerClient } from "./client.ts"
import { formatRegisterMessage, formatRegisterRequest, formatRegisterResponse, replicaView } from "./format.ts"
import { registerProperties } from "./properties.ts"
import type { RegisterSystem, RegisterSystemState } from "./properties.ts"
import { replicaActor } from "./replica.ts"
import { dynamoRegister } from "./siblings.ts"
import type { SiblingBugs } from "./siblings.ts"

const registerOptions = {
  replicas: int("replicas, each forwarding a key's siblings to the others after a write to it", { default: 3, min: 2, max: 4 }),
  clients: int("clients, client ci writing and reading through replica ni", { default: 2, min: 1, max: 3 }),
  writes: int("writes per client: 1 (put, get) or 2 (put, get, put with what the read saw)", { default: 2, min: 1, max: 2 }),
  network: networkChoice("unordered"),
  sync: flag("a replica sends a key's siblings again, whenever it likes, to the peers that have not acknowledged them (as the cluster does)"),
  lossy: lossyFlag
} as const

export type RegisterOptions = OptionsOf<typeof registerOptions>

const registerSystem = (options: RegisterOptions, bugs: SiblingBugs): RegisterSystem => {
  const actor = replicaActor(bugs, { sync: options.sync })
  const nodes = Array.from({ length: options.replicas }, (_, i) => ({ id: `n${i + 1}`, actor }))
  const script = clientScript(options.writes)
  return {
    nodes,
    clients: Array.from({ length: options.clients }, (_, i) => ({
      id: `c${i + 1}`,
      client: registerClient(`c${i + 1}`, nodes[i % nodes.length]!.id, script)
    })),
    network: options.network,
    lossy: options.lossy,
    maxCrashes: 0,
    properties: registerProperties,
    ...(options.sync ? { within: (s: RegisterSystemState) => oneCopyInFlight(s.network) } : {}),
    terminal: (s) => s.clients.every((c) => c.state.next >= script.length),
    formatMessage: formatRegisterMessage,
    formatTimer: (timer) => timer,
    formatRequest: formatRegisterRequest,
    formatResponse: formatRegisterResponse,
    view: replicaView
  }
}

export const dynamoRegisterSpec = defineSpec({
  module: import.meta.url,
  // Sleep sets take no more CPU time than they save here, at the defaults (npm run bench:por).
  partialOrderByDefault: true,
  name: "dynamo-register",
  description: "A Dynamo-style replicated register: concurrent writes kept as siblings with vector clocks, resolved by a later write; " +
    "no acknowledged write silently lost",
  options: registerOptions,
  correct: dynamoRegister,
  variants: {
    "last-writer-wins": {
      description: "a replica keeps only the sibling whose clock has the highest (counter, node) entry: a concurrent acknowledged write is dropped",
      bugs: { lastWriterWins: true }
    },
    "ignore-context": {
      description: "a write's clock is the writer's own counter alone, without its read context: it fails to supersede the siblings it read",
      bugs: { ignoreContext: true }
    }
  },
  build: (options, bugs) => ({ _tag: "System", system: registerSystem(options, bugs) })
})
