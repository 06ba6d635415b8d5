/** How traces print the register: a sibling as `c1.1 [c1:1]`, and messages, requests and responses built from that. */
import { formatClock } from "../vclock.ts"
import type { RegisterMessage, RegisterRequest, RegisterResponse, Sibling } from "./messages.ts"
import type { ReplicaState } from "./replica.ts"

export const formatSibling = (s: Sibling): string => `${s.value} ${formatClock(s.clock)}`

const formatSiblings = (siblings: ReadonlyArray<Sibling>): string => `{${siblings.map(formatSibling).join(", ")}}`

export const formatRegisterMessage = (m: RegisterMessage): string => `Replicate ${formatSiblings(m.siblings)}`

export const formatRegisterRequest = (r: RegisterRequest): string => (r._tag === "Get" ? "Get" : `Put ${r.value} ctx ${formatClock(r.context)}`)

export const formatRegisterResponse = (r: RegisterResponse): string =>
  r._tag === "GetOk" ? `GetOk ${formatSiblings(r.siblings)}` : `PutOk ${r.value} ${formatClock(r.clock)}`

export const replicaView = (s: ReplicaState): unknown => ({ siblings: s.siblings.map(formatSibling) })
