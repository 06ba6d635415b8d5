/** One line per call or event, with znodes named as the recipe names them (`/election/n-2`), and a compact view. */
import type { ZkMessage, ZkTimer } from "./messages.ts"
import type { ZkState } from "./node.ts"

const path = (seq: number): string => `/election/n-${seq}`

export const formatZkMessage = (m: ZkMessage): string => {
  const tag = `s${m.session}`
  switch (m._tag) {
    case "Create":
      return `${tag} create /election/n- EPHEMERAL_SEQUENTIAL`
    case "GetChildren":
      return `${tag} getChildren /election`
    case "Exists":
      return `${tag} exists ${path(m.seq)} watch`
    case "Created":
      return `${tag} created ${path(m.seq)}`
    case "Children":
      return `${tag} children [${m.seqs.map((seq) => `n-${seq}`).join(", ")}]`
    case "ExistsResult":
      return `${tag} ${path(m.seq)} ${m.exists ? "exists" : "does not exist"}`
    case "NodeDeleted":
      return `${tag} watch: NodeDeleted ${path(m.seq)}`
    case "SessionExpired":
      return `${tag} session expired`
    case "Ping":
      return `${tag} ping`
  }
}

export const formatZkTimer = (timer: ZkTimer): string => (timer._tag === "Expire" ? `expire session of ${timer.node}` : "keep-alive")

export const zkView = (s: ZkState): unknown => {
  if (s.role === "node") {
    const { role: _role, self: _self, ...shown } = s
    return shown
  }
  return {
    children: s.children.map((c) => `n-${c.seq} (${c.owner})`),
    sessions: s.sessions.map((r) => `${r.node} s${r.session}${r.live ? "" : " expired"}`),
    watches: s.watches.map((w) => `n-${w.seq}: ${w.watcher}`)
  }
}
