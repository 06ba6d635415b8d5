/**
 * Random schedules for a harness cluster. fast-check draws plain numbers
 * (which shrink well); `nextCommand` reads one draw against the cluster as it
 * is and turns it into a scenario command that is enabled now, so a failing
 * schedule prints as a scenario file that replays it.
 */
import fc from "fast-check"
import type { RaftTimer } from "../../../src/raft/messages.ts"
import type { Cluster } from "./cluster.ts"
import { timerCommand } from "./commands.ts"

export interface Draw {
  /** Which kind of event, by the weights of `kinds`. */
  readonly kind: number
  /** Which link, timer, node or partition. */
  readonly first: number
  /** Which message on the link; which client and operation. */
  readonly second: number
}

export const drawArbitrary: fc.Arbitrary<Draw> = fc.record({
  kind: fc.nat({ max: 99 }),
  first: fc.nat({ max: 0xffff }),
  second: fc.nat({ max: 0xffff })
})

export interface ScheduleBounds {
  readonly crashes: number
  readonly clients: number
}

/**
 * Deliveries dominate, as in a real network; election timeouts and faults
 * are rarer, so that leaders live long enough to commit, and runs reach the
 * states where safety is at stake (entries committed, then a leader lost).
 */
const kinds = [
  { kind: "deliver", weight: 46 },
  { kind: "leader-timer", weight: 12 },
  { kind: "request", weight: 14 },
  { kind: "election", weight: 6 },
  { kind: "drop", weight: 7 },
  { kind: "crash", weight: 4 },
  { kind: "restart", weight: 5 },
  { kind: "partition", weight: 3 },
  { kind: "heal", weight: 3 }
] as const

type Kind = (typeof kinds)[number]["kind"]

const kindIndex = (draw: number): number => {
  let rest = draw
  for (const [index, { weight }] of kinds.entries()) {
    if (rest < weight) return index
    rest -= weight
  }
  return 0
}

const pick = <T>(items: ReadonlyArray<T>, draw: number): T | undefined => items[draw % Math.max(items.length, 1)]

/** Few values, so that the operations of different clients interfere (a Cas that succeeds, a Get that sees a Put). */
const values = 3

/** Each client's last request, so a retry repeats its operation with its seq. */
export class ClientScripts {
  private readonly last = new Map<string, { readonly seq: number; readonly op: string }>()

  request(client: string, node: string, draw: number): string {
    const previous = this.last.get(client)
    if (previous !== undefined && draw % 4 === 0) return `request ${client} ${node} #${previous.seq} ${previous.op}`
    const seq = (previous?.seq ?? 0) + 1
    const value = `${(draw >> 2) % values}`
    const ops = [`put x ${value}`, "get x", `cas x ${(draw >> 4) % values} ${value}`, "delete x"]
    const op = ops[(draw >> 6) % ops.length] ?? "get x"
    this.last.set(client, { seq, op })
    return `request ${client} ${node} #${seq} ${op}`
  }
}

const pendingTimers = (cluster: Cluster, up: ReadonlyArray<string>, wanted: (timer: RaftTimer) => boolean): ReadonlyArray<string> =>
  up.flatMap((id) => {
    const slot = cluster.slot(id)
    return slot.up ? [...slot.timers].filter(wanted).sort().map((timer) => `${timerCommand[timer]} ${id}`) : []
  })

/**
 * The command `draw` stands for in `cluster` now. When its kind has nothing
 * enabled (no message waits, say) the next kind in `kinds` is tried, so that
 * no draw is wasted: a quiet cluster gets a heartbeat, as time passing would.
 */
export const nextCommand = (cluster: Cluster, draw: Draw, bounds: ScheduleBounds, clients: ClientScripts): string => {
  const first = kindIndex(draw.kind)
  for (let k = 0; k < kinds.length; k++) {
    const command = commandOfKind(kinds[(first + k) % kinds.length]!.kind, cluster, draw, bounds, clients)
    if (command !== undefined) return command
  }
  return "heal"
}

const commandOfKind = (kind: Kind, cluster: Cluster, draw: Draw, bounds: ScheduleBounds, clients: ClientScripts): string | undefined => {
  const up = cluster.ids.filter((id) => cluster.slot(id).up)
  const down = cluster.ids.filter((id) => !cluster.slot(id).up)
  switch (kind) {
    case "deliver":
    case "drop": {
      const link = pick(cluster.busyLinks(), draw.first)
      if (link === undefined) return undefined
      const [from, to] = link
      // Any waiting message, not only the oldest: Raft must be safe when a network reorders.
      const position = draw.second % cluster.mailbox(from, to).length
      return `${kind} ${from}->${to}${position === 0 ? "" : ` ${position + 1}`}`
    }
    case "election":
      return pick(pendingTimers(cluster, up, (timer) => timer === "election"), draw.first)
    case "leader-timer":
      return pick(pendingTimers(cluster, up, (timer) => timer !== "election"), draw.first)
    case "request": {
      // Mostly to a leader, so that commands commit; sometimes anywhere, for redirects.
      const leaders = up.filter((id) => {
        const slot = cluster.slot(id)
        return slot.up && slot.state.role === "leader"
      })
      const node = pick(draw.first % 4 === 0 || leaders.length === 0 ? cluster.ids : leaders, draw.first >> 2)
      return node === undefined ? undefined : clients.request(`c${(draw.second % bounds.clients) + 1}`, node, draw.second >> 1)
    }
    case "crash": {
      const node = pick(up, draw.first)
      return node === undefined || cluster.crashes >= bounds.crashes ? undefined : `crash ${node}`
    }
    case "restart": {
      const node = pick(down, draw.first)
      return node === undefined ? undefined : `restart ${node}`
    }
    case "partition": {
      const side = cluster.ids.filter((_, i) => ((draw.first >> i) & 1) === 1)
      const other = cluster.ids.filter((id) => !side.includes(id))
      return side.length === 0 || other.length === 0 ? undefined : `partition ${side.join(",")}/${other.join(",")}`
    }
    case "heal":
      return cluster.ids.every((id) => cluster.connected(cluster.ids[0]!, id)) ? undefined : "heal"
  }
}
