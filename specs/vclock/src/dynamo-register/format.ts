/** How traces print the store: a sibling as `c1.1 [n1:1]` (its value and clock), and messages, requests and responses built from that. */
import { bucketsFlat } from "@parley/kv"
import { formatClock } from "../vclock.ts"
import type { RegisterMessage, RegisterRequest, RegisterResponse, Sibling } from "./messages.ts"
import type { ReplicaState } from "./replica.ts"
import { clockOf } from "./siblings.ts"

export const formatSibling = (s: Sibling): string => `${s.value} ${formatClock(clockOf(s))}`

const formatSiblings = (siblings: ReadonlyArray<Sibling>): string => `{${siblings.map(formatSibling).join(", ")}}`

export const formatRegisterMessage = (m: RegisterMessage): string =>
  m._tag === "Replicate" ? `Replicate ${m.key} ${formatSiblings(m.siblings)}` : `Ack ${m.key} ${formatClock(m.context)}`

export const formatRegisterRequest = (r: RegisterRequest): string =>
  r._tag === "Get" ? `Get ${r.key}` : `Put ${r.key}=${r.value} ctx ${formatClock(r.context)}`

export const formatRegisterResponse = (r: RegisterResponse): string =>
  r._tag === "GetOk" ? `GetOk ${r.key} ${formatSiblings(r.siblings)}` : `PutOk ${r.key}=${r.value} ${formatClock(r.clock)}`

/** Each key's siblings; the model's one key is `register`. */
export const replicaView = (s: ReplicaState): unknown =>
  Object.fromEntries(Object.entries(bucketsFlat(s.store)).map(([key, siblings]) => [key, siblings.map(formatSibling)]))
