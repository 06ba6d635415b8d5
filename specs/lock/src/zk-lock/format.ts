/** One line per ZooKeeper call or event, with node names as the recipe writes them (`/lock/n-2`). */
import { withoutRole } from "../cluster.ts"
import type { ZkMessage, ZkTimer } from "./messages.ts"
import type { ZkNodeState } from "./node.ts"

const path = (seq: number): string => `/lock/n-${seq}`

export const formatZkMessage = (m: ZkMessage): string => {
  switch (m._tag) {
    case "Create":
      return "create /lock/n- EPHEMERAL_SEQUENTIAL"
    case "GetChildren":
      return `getChildren /lock${m.watch ? " watch" : ""}`
    case "Exists":
      return `exists ${path(m.seq)} watch`
    case "Delete":
      return `delete ${path(m.seq)}`
    case "Created":
      return `created ${path(m.seq)}`
    case "Children":
      return `children [${m.seqs.map((seq) => `n-${seq}`).join(", ")}]`
    case "ExistsResult":
      return `${path(m.seq)} ${m.exists ? "exists" : "does not exist"}`
    case "DeleteResult":
      return "deleted"
    case "NodeDeleted":
      return `watch: NodeDeleted ${path(m.seq)}`
    case "ChildrenChanged":
      return "watch: NodeChildrenChanged /lock"
    case "SessionExpired":
      return "session expired"
  }
}

export const formatZkTimer = (timer: ZkTimer): string => (timer === "release" ? timer : `expire session of ${timer.session}`)

export const zkView = (s: ZkNodeState): unknown => {
  if (s.role === "client") return withoutRole(s)
  // Hosted only: the model has no resource.
  if (s.role === "resource") return Object.fromEntries(s.entries.map((e) => [e.name, { newest: e.newest, rejected: e.rejected }]))
  return {
    children: s.children.map((n) => `${n.name === "lock" ? "" : `${n.name}/`}n-${n.seq} (${n.owner})`),
    expired: s.expired,
    watches: [...s.nodeWatches.map((w) => `n-${w.seq}: ${w.watcher}`), ...s.childWatches.map((c) => `/lock: ${c}`)]
  }
}
