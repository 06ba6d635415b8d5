/**
 * The cluster file every node of a cluster reads: which spec runs, each
 * node's id, the address its peers dial and the address clients use, and
 * optional timer and spec options. `parley cluster up` writes one; a
 * hand-written one runs a cluster across machines.
 */
import type { AnyHostedSpec, TimerRange } from "@parley/core"
import { Effect, Result, Schema } from "effect"
import { readFileSync } from "node:fs"
import { ClusterFileError } from "./errors.ts"
import { ClientTlsSettings } from "./client-tls-files.ts"
import { EventLogSettings } from "./event-log-format.ts"

const Address = Schema.String.check(
  Schema.makeFilter((text) => parseAddress(text) !== undefined || `expected "host:port" with a port from 1 to 65535, got ${JSON.stringify(text)}`)
)

const NodeEntry = Schema.Struct({
  id: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_.-]{1,64}$/)),
  /** Where the other nodes connect to deliver messages. */
  peer: Address,
  /** Where the HTTP client API listens. */
  client: Address,
  /** Not of the cluster's first configuration: it joined by a membership change (`parley cluster add`). */
  added: Schema.optionalKey(Schema.Literal(true)),
  /** Removed by a membership change (`parley cluster remove`): its peers neither dial it nor take its connections. */
  removed: Schema.optionalKey(Schema.Literal(true))
})
export type NodeEntry = typeof NodeEntry.Type

const Range = Schema.Struct({
  minMs: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 600_000 })),
  maxMs: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 600_000 }))
})

export const ClusterFile = Schema.Struct({
  spec: Schema.String,
  nodes: Schema.Array(NodeEntry).check(Schema.isMinLength(1)),
  /** Overrides of the spec's timer defaults, by timer kind. */
  timers: Schema.Record(Schema.String, Range).pipe(Schema.withDecodingDefault(Effect.succeed({}))),
  /** The spec's own options (for raft: prevote, checkquorum, maxEntriesPerAppend). */
  options: Schema.Record(Schema.String, Schema.Unknown).pipe(Schema.withDecodingDefault(Effect.succeed({}))),
  /** A known-buggy variant of the spec to host, for demonstration; every node warns of it, and its status names it. */
  variant: Schema.optional(Schema.String),
  /** Whether clients must send the token even to a node on loopback (a shared machine); beyond loopback they always must. */
  requireClientToken: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(false))),
  /** Every node serves its client API over HTTPS with these files (client-tls-files.ts); absent: plain HTTP. */
  clientTls: Schema.optional(ClientTlsSettings),
  /** Each node logs every reducer step for `parley validate`, within these bounds; absent: no event log. */
  eventLog: Schema.optional(EventLogSettings)
})
export type ClusterFile = typeof ClusterFile.Type

export interface HostAndPort {
  readonly host: string
  readonly port: number
}

export function parseAddress(text: string): HostAndPort | undefined {
  const colon = text.lastIndexOf(":")
  if (colon <= 0) return undefined
  const port = Number(text.slice(colon + 1))
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined
  return { host: text.slice(0, colon), port }
}

export const addressOf = (text: string): HostAndPort => parseAddress(text)!

/** A local cluster's nodes on loopback: node i (from 1) serves clients on basePort + i and peers on basePort + 100 + i; ids `n1`… unless given. */
export const loopbackNodes = (basePort: number, count: number, ids?: ReadonlyArray<string>): Array<NodeEntry> =>
  Array.from({ length: count }, (_, i) => ({
    id: ids?.[i] ?? `n${i + 1}`,
    client: `127.0.0.1:${basePort + i + 1}`,
    peer: `127.0.0.1:${basePort + 100 + i + 1}`
  }))

/**
 * The cluster's first configuration: the nodes it started with, which a
 * spec with membership changes takes as its members until its log says
 * otherwise (removed ones included: they were members once). A spec without
 * them takes every node.
 */
export const firstMembers = (nodes: ReadonlyArray<NodeEntry>): ReadonlyArray<string> =>
  nodes.filter((node) => node.added !== true).map((node) => node.id)

/** The nodes a node talks to: every one the cluster file lists but those removed. */
export const activeNodes = (nodes: ReadonlyArray<NodeEntry>): ReadonlyArray<NodeEntry> => nodes.filter((node) => node.removed !== true)

/** What Schema cannot say about one field alone: unique ids and addresses, timers the spec has, sane ranges. */
const inconsistency = (file: ClusterFile, hosted: AnyHostedSpec): string | undefined => {
  const seen = new Set<string>()
  for (const node of file.nodes) {
    if (seen.has(node.id)) return `node id "${node.id}" appears twice`
    seen.add(node.id)
    for (const address of [node.peer, node.client]) {
      if (seen.has(address)) return `address ${address} is used twice`
      seen.add(address)
    }
  }
  const roles = hosted.layout?.check(file.nodes.map((node) => node.id))
  if (roles !== undefined) return roles
  for (const [kind, range] of Object.entries(file.timers)) {
    const instead = hosted.environmentTimers?.[kind]
    if (instead !== undefined) return `timer "${kind}" is how ${hosted.name}'s model asks for a change, never armed by a cluster: ${instead}`
    if (!(kind in hosted.timers)) return `spec ${hosted.name} has no timer "${kind}"; its timers: ${Object.keys(hosted.timers).join(", ")}`
    if (range.minMs > range.maxMs) return `timer "${kind}" has minMs ${range.minMs} above maxMs ${range.maxMs}`
  }
  const variants = hosted.variants ?? []
  if (file.variant !== undefined && !variants.some((variant) => variant.name === file.variant)) {
    const known = variants.length === 0 ? "it hosts none" : `its variants: ${variants.map((variant) => variant.name).join(", ")}`
    return `spec ${hosted.name} has no variant "${file.variant}"; ${known}`
  }
  return undefined
}

/** A cluster file, decoded and checked against the spec it names; `hostedSpecs` are the specs this build can host. */
export const decodeClusterFile = (
  path: string,
  text: string,
  hostedSpecs: ReadonlyArray<AnyHostedSpec>
): Result.Result<{ readonly file: ClusterFile; readonly hosted: AnyHostedSpec; readonly options: unknown }, ClusterFileError> => {
  const fail = (message: string) => Result.fail(new ClusterFileError({ path, message: `cluster file ${path}: ${message}` }))
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return fail(`not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  const decoded = Schema.decodeUnknownResult(ClusterFile)(json)
  if (Result.isFailure(decoded)) return fail(oneLine(decoded.failure.message))
  const file = decoded.success
  const hosted = hostedSpecs.find((spec) => spec.name === file.spec)
  if (hosted === undefined) {
    return fail(`spec "${file.spec}" cannot be hosted; these can: ${hostedSpecs.map((spec) => spec.name).join(", ")}`)
  }
  const problem = inconsistency(file, hosted)
  if (problem !== undefined) return fail(problem)
  const options = Schema.decodeUnknownResult(hosted.options)(file.options)
  if (Result.isFailure(options)) return fail(`options: ${oneLine(options.failure.message)}`)
  return Result.succeed({ file, hosted, options: options.success })
}

export const loadClusterFile = (path: string, hostedSpecs: ReadonlyArray<AnyHostedSpec>) =>
  Effect.gen(function*() {
    const text = yield* Effect.try({
      try: () => readFileSync(path, "utf8"),
      catch: (error) => new ClusterFileError({ path, message: `cannot read cluster file ${path}: ${error instanceof Error ? error.message : String(error)}` })
    })
    return yield* Effect.fromResult(decodeClusterFile(path, text, hostedSpecs))
  })

/** The delay range of each timer kind: the spec's defaults, overridden by the cluster file. */
export const timerRanges = (file: ClusterFile, hosted: AnyHostedSpec): Readonly<Record<string, TimerRange>> => ({
  ...hosted.timers,
  ...file.timers
})

export const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ")
