/**
 * `dynamo-register`: a register replicated on `n1`…`nN` in the style of
 * Dynamo, written by clients `c1`…`cM` through one replica each. Concurrent
 * writes become siblings, and a write made with a context covering them
 * resolves them.
 */
import { configInt, configNetwork, configString, CorrectVariant, networkOption, requireWhole as requireWholeOf } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { clientScript, registerClient } from "./client.ts"
import type { RegisterClientState } from "./client.ts"
import type { RegisterRequest, RegisterResponse } from "./messages.ts"
import { registerProperties } from "./properties.ts"
import type { RegisterSystem } from "./properties.ts"
import { replicaActor } from "./replica.ts"
import type { ReplicaState } from "./replica.ts"
import { dynamoRegister, formatSibling } from "./siblings.ts"
import type { SiblingBugs } from "./siblings.ts"
import { formatClock } from "../vclock.ts"

export const registerVariants = [
  {
    name: "last-writer-wins",
    description: "a replica keeps only the sibling whose clock has the highest (counter, node) entry: a concurrent acknowledged write is dropped"
  },
  {
    name: "ignore-context",
    description: "a write's clock is the writer's own counter alone, without its read context: it fails to supersede the siblings it read"
  }
] as const satisfies ReadonlyArray<SpecVariant>

const variantBugs: Readonly<Record<string, SiblingBugs>> = {
  [CorrectVariant]: dynamoRegister,
  "last-writer-wins": { ...dynamoRegister, lastWriterWins: true },
  "ignore-context": { ...dynamoRegister, ignoreContext: true }
}

export interface RegisterOptions {
  readonly replicas: number
  readonly clients: number
  /** Writes each client makes, 1 (put, get) or 2 (put, get, put). */
  readonly writes: number
  readonly network: NetworkSemantics
  readonly variant: string
}

const requireWhole = (name: string, value: number, min: number, max: number): void => requireWholeOf("dynamo-register", name, value, min, max)

const replicaView = (s: ReplicaState): unknown => ({ siblings: s.siblings.map(formatSibling) })

const formatRequest = (r: RegisterRequest): string => (r._tag === "Get" ? "Get" : `Put ${r.value} ctx ${formatClock(r.context)}`)

const formatResponse = (r: RegisterResponse): string =>
  r._tag === "GetOk" ? `GetOk {${r.siblings.map(formatSibling).join(", ")}}` : `PutOk ${r.value} ${formatClock(r.clock)}`

const done = (script: ReadonlyArray<unknown>, c: RegisterClientState): boolean => c.next >= script.length

export const registerSystem = (options: RegisterOptions): RegisterSystem => {
  requireWhole("replicas", options.replicas, 2, 4)
  requireWhole("clients", options.clients, 1, 3)
  requireWhole("writes", options.writes, 1, 2)
  const bugs = variantBugs[options.variant]
  if (bugs === undefined) {
    throw new TypeError(`dynamo-register has no variant "${options.variant}"; its variants: ${Object.keys(variantBugs).join(", ")}`)
  }
  const actor = replicaActor(bugs)
  const nodes = Array.from({ length: options.replicas }, (_, i) => ({ id: `n${i + 1}`, actor }))
  const script = clientScript(options.writes as 1 | 2)
  return {
    nodes,
    clients: Array.from({ length: options.clients }, (_, i) => ({
      id: `c${i + 1}`,
      client: registerClient(`c${i + 1}`, nodes[i % nodes.length]!.id, script)
    })),
    network: options.network,
    lossy: false,
    maxCrashes: 0,
    properties: registerProperties,
    terminal: (s) => s.clients.every((c) => done(script, c.state)),
    formatMessage: (m) => `Replicate {${m.siblings.map(formatSibling).join(", ")}}`,
    formatTimer: () => "none",
    formatRequest,
    formatResponse,
    view: replicaView
  }
}

export const dynamoRegisterSpec: SpecDefinition = {
  module: import.meta.url,
  name: "dynamo-register",
  description: "A Dynamo-style replicated register: concurrent writes kept as siblings with vector clocks, resolved by a later write; no acknowledged write silently lost",
  options: [
    { kind: "int", name: "replicas", description: "replicas, each forwarding its siblings to the others after a write", default: 3, min: 2, max: 4 },
    { kind: "int", name: "clients", description: "clients, client ci writing and reading through replica ni", default: 2, min: 1, max: 3 },
    { kind: "int", name: "writes", description: "writes per client: 1 (put, get) or 2 (put, get, put with what the read saw)", default: 2, min: 1, max: 2 },
    networkOption("unordered")
  ],
  variants: registerVariants,
  build: (config) => ({
    _tag: "System",
    system: registerSystem({
      replicas: configInt(config, "replicas"),
      clients: configInt(config, "clients"),
      writes: configInt(config, "writes"),
      network: configNetwork(config, "dynamo-register"),
      variant: configString(config, "variant")
    })
  })
}
