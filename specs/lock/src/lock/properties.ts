/**
 * What a lock with leases can and cannot promise. Two clients can always
 * believe they hold it at once (a paused client's lease runs out unseen), so
 * mutual exclusion of beliefs is not a property of any lease recipe; what
 * fencing promises is that the resource never takes a write from an older
 * lease after a newer one's, and that a release frees only the releaser's
 * own lease.
 */
import { alwaysStep, always, equals, inFlight, sometimes } from "@parley/core"
import type { NodeId, Property, SystemSpecOf, SystemStateOf, TransitionProperty } from "@parley/core"
import { liveInRole } from "../cluster.ts"
import { believesHeld } from "./client.ts"
import type { ClientState } from "./client.ts"
import { LockServer, modelLock } from "./config.ts"
import type { LeaseBugs } from "./config.ts"
import type { LeaseActor } from "./node.ts"
import { entryOf } from "./resource.ts"
import type { ResourceEntry, ResourceState } from "./resource.ts"
import { leaseOf } from "./server.ts"
import type { Lease, ServerState } from "./server.ts"

export type LeaseSystem = SystemSpecOf<LeaseActor>
export type LeaseSystemState = SystemStateOf<LeaseSystem>

export const serverOf = (s: LeaseSystemState): ServerState | undefined => liveInRole(s.nodes, "server")[0]

export const resourceOf = (s: LeaseSystemState): ResourceState | undefined => liveInRole(s.nodes, "resource")[0]

/** The model's one lock's lease, and its entry at the resource. */
const modelLease = (s: LeaseSystemState): Lease | null => {
  const server = serverOf(s)
  return server === undefined ? null : leaseOf(server, modelLock)
}
const modelEntry = (s: LeaseSystemState): ResourceEntry | undefined => {
  const resource = resourceOf(s)
  return resource === undefined ? undefined : entryOf(resource, modelLock)
}

export const clientsOf = (s: LeaseSystemState): ReadonlyArray<ClientState> => liveInRole(s.nodes, "client")

/** The resource never accepts a write with a token older than one it accepted before. */
export const noStaleWrite = always<LeaseSystemState>("NoStaleWrite", (s) => {
  const writes = modelEntry(s)?.writes ?? []
  for (let i = 1; i < writes.length; i++) if (writes[i]!.token < writes[i - 1]!.token) return false
  return true
})

const toServer = (s: LeaseSystemState) => inFlight(s.network).filter((e) => e.to === LockServer)

type ServerEnvelope = ReturnType<typeof toServer>[number]

/**
 * The messages that may have removed `lease` in the step from `before` to
 * `after`: the one with one fewer copy in flight; on a duplicating network,
 * where a delivered message stays, every command in flight that can delete
 * it (a Del, or a Release of its token), since the state does not record
 * which one was taken.
 */
const removersOf = (before: LeaseSystemState, after: LeaseSystemState, lease: Lease): ReadonlyArray<ServerEnvelope> => {
  const was = toServer(before)
  const is = toServer(after)
  const copies = (list: ReadonlyArray<ServerEnvelope>, e: ServerEnvelope) => list.filter((x) => equals(x, e)).length
  const consumed = was.find((e) => copies(was, e) > copies(is, e))
  if (consumed !== undefined) return [consumed]
  return was.filter(({ kind, body }) => kind === "message" && (body._tag === "Del" || (body._tag === "Release" && body.token === lease.token)))
}

/**
 * A release deletes only the releaser's own lease: when a lease vanishes
 * without the server's clock moving (so not by expiry), the command that
 * removed it came from the lease's holder. On a duplicating network this
 * can only ask whether some command that could have removed it came from
 * the holder, so an interleaving in which the holder's own Del was also in
 * flight passes there (the unordered and ordered networks tell them apart).
 */
export const releaseOnlyOwnLock = alwaysStep<LeaseSystemState>("ReleaseOnlyOwnLock", (before, after) => {
  const was = modelLease(before)
  const is = serverOf(after)
  if (was === null || is === undefined || is.now !== serverOf(before)?.now || modelLease(after)?.token === was.token) return true
  return removersOf(before, after, was).some((e) => e.from === was.holder)
})

const tokenHeld = (s: LeaseSystemState, token: number | null): boolean => modelLease(s)?.token === token

export const leaseRanOutWhileHeld = sometimes<LeaseSystemState>("LeaseRanOutWhileHeld", (s) =>
  clientsOf(s).some((c) => believesHeld(c) && !tokenHeld(s, c.token)))

/** Two clients act as holders at once: the state every lease recipe must survive. */
export const twoBelieveHeld = sometimes<LeaseSystemState>("TwoBelieveHeld", (s) => clientsOf(s).filter(believesHeld).length >= 2)

export const staleWriteFenced = sometimes<LeaseSystemState>("StaleWriteFenced", (s) => (modelEntry(s)?.rejected ?? 0) > 0)

export const leaseRenewed = sometimes<LeaseSystemState>("LeaseRenewed", (s) => clientsOf(s).some((c) => c.renewed))

export const everyClientDone = sometimes<LeaseSystemState>("EveryClientDone", (s) => clientsOf(s).every((c) => c.phase === "done"))

export const leaseProperties = (bugs: LeaseBugs, clients: ReadonlyArray<NodeId>): ReadonlyArray<Property<LeaseSystemState>> => [
  noStaleWrite,
  leaseRanOutWhileHeld,
  everyClientDone,
  ...(clients.length >= 2 ? [twoBelieveHeld] : []),
  ...(clients.length >= 2 && !bugs.resourceIgnoresTokens ? [staleWriteFenced] : []),
  ...(bugs.noRenewal ? [] : [leaseRenewed])
]

export const leaseTransitions: ReadonlyArray<TransitionProperty<LeaseSystemState>> = [releaseOnlyOwnLock]
