/**
 * A boundary for the model, not the reducer: the heartbeat and its answers
 * would otherwise pile up copies in the network without end. It is SPIN's
 * bounded channel, sized per kind: on each link at most one heartbeat, one
 * progress report and one catch-up in flight. What it gives up is a second
 * heartbeat overtaking a first that carries older news. (A model resends no
 * Accept: see `resendIdle` in config.ts.)
 */
import { linkQueues } from "@parley/core"
import type { Envelope, NetworkState } from "@parley/core"
import type { MultiPaxosMessage, MultiPaxosRequest, MultiPaxosResponse } from "./messages.ts"

type MultiPaxosEnvelope = Envelope<MultiPaxosMessage, MultiPaxosRequest, MultiPaxosResponse>

const boundedKinds: ReadonlySet<string> = new Set(["Commit", "Progress", "Learn"])

const kindOf = (envelope: MultiPaxosEnvelope): string | undefined =>
  envelope.kind === "message" && boundedKinds.has(envelope.body._tag) ? envelope.body._tag : undefined

const crowded = (a: MultiPaxosEnvelope, b: MultiPaxosEnvelope): boolean => {
  const kind = kindOf(a)
  return kind !== undefined && kind === kindOf(b)
}

export const heartbeatsWithin = (network: NetworkState<MultiPaxosEnvelope>): boolean =>
  linkQueues(network).every((queue) => {
    for (let i = 0; i < queue.length; i++) {
      for (let j = i + 1; j < queue.length; j++) if (crowded(queue[i]!, queue[j]!)) return false
    }
    return true
  })
