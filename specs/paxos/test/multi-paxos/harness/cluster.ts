/**
 * A Multi-Paxos cluster driven by hand, one event per command, for the
 * scenario files. Messages wait per link, oldest first; replies to clients
 * are printed, not delivered. Each command returns what every node did: the
 * fields of its view that changed, then what it sent.
 *
 *   add-nodes 3 [bug=forgetPromise|ignoreAccepted] [heartbeats]
 *   campaign n1                                  fire n1's campaign timer
 *   heartbeat n1                                 fire n1's heartbeat timer
 *   request c1 n1 [#seq] put x 1 | get x | delete x | cas x 1 2 (cas x - 1: x absent)
 *   deliver n1->n2 [k] | drop n1->n2 [k]         the k-th message waiting on the link (default the oldest)
 *   stabilize                                    deliver until no message waits, link by link
 *   crash n2 | restart n2 | messages
 */
import { parseKvInput } from "@parley/kv"
import { noBugs } from "../../../src/bugs.ts"
import type { PaxosBugs } from "../../../src/bugs.ts"
import { MultiPaxos } from "../../../src/index.ts"

type State = MultiPaxos.MultiPaxosState
type Message = MultiPaxos.MultiPaxosMessage
type Output = MultiPaxos.MultiPaxosOutput
type Step = { readonly state: State; readonly out: ReadonlyArray<Output> }

interface Waiting {
  readonly from: string
  readonly to: string
  readonly message: Message
}

const maxStabilizeRounds = 100

const shown = (value: unknown): string => {
  if (value === undefined) return "-"
  if (Array.isArray(value)) return `[${value.map(shown).join(", ")}]`
  if (typeof value === "object" && value !== null) return `{${Object.entries(value).map(([k, v]) => `${k}=${shown(v)}`).join(", ")}}`
  return String(value)
}

export class Cluster {
  private actor: MultiPaxos.MultiPaxosActor | undefined
  private nodes: ReadonlyArray<string> = []
  private readonly states = new Map<string, State>()
  private readonly disks = new Map<string, MultiPaxos.MultiPaxosDurable>()
  private waiting: Array<Waiting> = []

  run(command: string): ReadonlyArray<string> {
    const [name, ...args] = command.trim().split(/\s+/)
    switch (name) {
      case "add-nodes":
        return this.addNodes(args)
      case "campaign":
        return this.step(args[0]!, (s) => this.need().onTimer(s, "campaign"))
      case "heartbeat":
        return this.step(args[0]!, (s) => this.need().onTimer(s, "heartbeat"))
      case "request": {
        const [client, node, ...rest] = args
        const seq = rest[0]?.startsWith("#") ? Number(rest.shift()!.slice(1)) : 1
        return this.step(node!, (s) => this.need().onRequest(s, client!, { seq, op: parseKvInput(rest) }))
      }
      case "deliver":
        return this.deliver(this.take(args), true)
      case "drop":
        this.take(args)
        return []
      case "stabilize":
        return this.stabilize()
      case "crash":
        return this.crash(args[0]!)
      case "restart":
        return this.restart(args[0]!)
      case "messages":
        return this.waiting.map((w) => `${w.from}->${w.to} ${MultiPaxos.formatMultiPaxosMessage(w.message)}`)
      default:
        throw new Error(`unknown command "${name}"`)
    }
  }

  private need(): MultiPaxos.MultiPaxosActor {
    if (this.actor === undefined) throw new Error("add-nodes first")
    return this.actor
  }

  private addNodes(args: ReadonlyArray<string>): ReadonlyArray<string> {
    const [size, ...flags] = args
    let bugs: PaxosBugs = noBugs
    const heartbeats = flags.includes("heartbeats")
    for (const flag of flags.filter((f) => f !== "heartbeats")) {
      const bug = flag.replace(/^bug=/, "")
      if (!flag.startsWith("bug=") || !Object.hasOwn(noBugs, bug)) throw new Error(`add-nodes has no option ${flag}`)
      bugs = { ...bugs, [bug]: true }
    }
    this.nodes = Array.from({ length: Number(size) }, (_, i) => `n${i + 1}`)
    this.actor = MultiPaxos.multiPaxosActor({ nodes: this.nodes, bugs, heartbeats })
    for (const self of this.nodes) this.states.set(self, this.actor.init({ self, nodes: this.nodes }).state)
    return []
  }

  private state(node: string): State {
    const state = this.states.get(node)
    if (state === undefined) throw new Error(`${node} is down or unknown`)
    return state
  }

  /** Runs one handler on `node` and reports the fields of its view that changed and what it sent. */
  private step(node: string, handle: (s: State) => Step): ReadonlyArray<string> {
    const before = this.state(node)
    const result = handle(before)
    this.states.set(node, result.state)
    return [...this.changes(node, before, result.state), ...this.perform(node, result.out)]
  }

  private changes(node: string, before: State, after: State): ReadonlyArray<string> {
    const was = MultiPaxos.multiPaxosView(before) as Record<string, unknown>
    const is = MultiPaxos.multiPaxosView(after) as Record<string, unknown>
    const changed = [...new Set([...Object.keys(was), ...Object.keys(is)])]
      .filter((key) => shown(was[key]) !== shown(is[key]))
      .map((key) => `${key} ${shown(was[key])} -> ${shown(is[key])}`)
    return changed.length === 0 ? [] : [`${node}: ${changed.join(", ")}`]
  }

  private perform(node: string, out: ReadonlyArray<Output>): ReadonlyArray<string> {
    const lines: Array<string> = []
    for (const output of out) {
      if (output._tag === "Send") {
        this.waiting.push({ from: node, to: output.to, message: output.message })
        lines.push(`${node}->${output.to} ${MultiPaxos.formatMultiPaxosMessage(output.message)}`)
      } else if (output._tag === "Reply") {
        lines.push(`${node}->${output.client} ${MultiPaxos.formatMultiPaxosResponse(output.response)}`)
      }
    }
    return lines
  }

  private take(args: ReadonlyArray<string>): Waiting {
    const [link, k = "1"] = args
    const onLink = this.waiting.filter((w) => `${w.from}->${w.to}` === link)
    const chosen = onLink[Number(k) - 1]
    if (chosen === undefined) throw new Error(`no message ${k} waiting on ${link}`)
    this.waiting = this.waiting.filter((w) => w !== chosen)
    return chosen
  }

  private deliver(w: Waiting, quiet: boolean): ReadonlyArray<string> {
    const heading = quiet ? [] : [`> ${w.from}->${w.to} ${MultiPaxos.formatMultiPaxosMessage(w.message)}`]
    // A message to a crashed node is lost, as the checker's network loses it.
    if (!this.states.has(w.to)) return [...heading, `${w.to}: down, message lost`]
    return [...heading, ...this.step(w.to, (s) => this.need().onMessage(s, w.from, w.message))]
  }

  private stabilize(): ReadonlyArray<string> {
    const lines: Array<string> = []
    for (let round = 0; this.waiting.length > 0; round++) {
      if (round === maxStabilizeRounds) throw new Error(`still ${this.waiting.length} messages after ${maxStabilizeRounds} rounds`)
      const next = this.waiting[0]!
      this.waiting = this.waiting.slice(1)
      lines.push(...this.deliver(next, false))
    }
    return lines
  }

  private crash(node: string): ReadonlyArray<string> {
    const durable = this.need().durable(this.state(node))
    this.states.delete(node)
    this.disks.set(node, durable)
    return [`${node}: crashed, its disk keeps promised ${durable.promised}, accepted ${shown(durable.accepted.map(formatVote))}`]
  }

  private restart(node: string): ReadonlyArray<string> {
    const durable = this.disks.get(node)
    if (durable === undefined || this.states.has(node)) throw new Error(`${node} is not down`)
    const recovered = this.need().recover({ self: node, nodes: this.nodes }, durable).state
    this.states.set(node, recovered)
    return [`${node}: restarted, promised ${recovered.promised}, accepted ${shown(recovered.accepted.map(formatVote))}`]
  }
}

const formatVote = (vote: MultiPaxos.SlotVote): string => `s${vote.slot} b${vote.ballot}=${MultiPaxos.formatSlotValue(vote.command)}`
