/**
 * The commands of the scenario files, in the manner of etcd/raft's
 * `testdata/*.txt`: one line names an event, and running it returns the
 * lines that describe what every node did. A random schedule is a list of
 * the same commands, so any schedule it finds failing can be pasted into a
 * scenario file as it stands.
 *
 *   add-nodes 3 [prevote] [checkquorum] [leasereads] [pipeline] [transfer] [batch=N] [snapshot=N] [chunk=BYTES] [add=n4] [remove=n1] [bug=noLogCheck]
 *     (add: a spare node a leader may add; remove: a member it may remove)
 *   timeout n1 | heartbeat n1 | check-quorum n1 | lease n1     fire a pending timer
 *   add-member n1 | remove-member n1                 the environment asks leader n1 for the planned change
 *   transfer-leadership n1                           ... or to hand leadership to the next member (add-nodes ... transfer)
 *   deliver n1->n2 [k] | drop n1->n2 [k]            the k-th waiting message (default the oldest)
 *   drop n1->n2 all                                  every message waiting on the link
 *   deliver-all                                      what waits now, link by link
 *   stabilize                                        deliver until no message waits
 *   request c1 n1 [#seq] put x 1 | get x | cas x 1 2 | delete x   (cas x - 1: x absent)
 *   crash n2 | restart n2 | partition n1,n2/n3 | heal | status | messages
 */
import { parseKvInput } from "@parley/kv"
import { formatRaftMessage, formatRaftRequest } from "../../../src/raft/format.ts"
import { RaftTimer } from "../../../src/raft/messages.ts"
import { noBugs } from "../../../src/raft/state.ts"
import type { RaftBugs } from "../../../src/raft/state.ts"
import { Cluster, defaultOptions, linkName } from "./cluster.ts"
import type { ClusterOptions } from "./cluster.ts"

/** A bound on `stabilize`, so a cluster that never quiets fails the scenario instead of hanging it. */
const maxStabilizeRounds = 100

/** The command that fires each kind of timer; a random schedule writes it, a scenario names the timer by it. */
export const timerCommand: Readonly<Record<RaftTimer, string>> = {
  election: "timeout",
  heartbeat: "heartbeat",
  "check-quorum": "check-quorum",
  "add-member": "add-member",
  "remove-member": "remove-member",
  "transfer-leadership": "transfer-leadership",
  lease: "lease"
}

const timerOfCommand = new Map(RaftTimer.literals.map((timer) => [timerCommand[timer], timer]))

const isBug = (name: string): name is keyof RaftBugs => Object.hasOwn(noBugs, name)

const parseOptions = (args: ReadonlyArray<string>): ClusterOptions => {
  const [size, ...flags] = args
  let options: ClusterOptions = { ...defaultOptions, size: Number(size) }
  if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`add-nodes needs a cluster size, got ${size}`)
  for (const flag of flags) {
    const [name, value = ""] = flag.split("=")
    if (flag === "prevote") options = { ...options, preVote: true }
    else if (flag === "checkquorum") options = { ...options, checkQuorum: true }
    else if (flag === "transfer") options = { ...options, leadershipTransfer: true }
    else if (flag === "leasereads") options = { ...options, leaseReads: true }
    else if (flag === "pipeline") options = { ...options, pipelinedAppends: true }
    else if (name === "batch") options = { ...options, maxEntriesPerAppend: Number(value) }
    else if (name === "snapshot") options = { ...options, snapshotEvery: Number(value) }
    else if (name === "chunk") options = { ...options, snapshotChunkBytes: Number(value) }
    else if (name === "add" || name === "remove") options = { ...options, membership: { ...options.membership, [name]: value } }
    else if (name === "bug" && isBug(value)) options = { ...options, bugs: { ...options.bugs, [value]: true } }
    else throw new Error(`add-nodes has no option ${flag}`)
  }
  return options
}

const parseLink = (link: string | undefined): readonly [string, string] => {
  const [from, to, ...rest] = (link ?? "").split("->")
  if (from === undefined || to === undefined || rest.length > 0) throw new Error(`expected a link such as n1->n2, got ${link}`)
  return [from, to]
}

/** `k` in `deliver n1->n2 k` is 1-based, as a person counts the waiting messages. */
const parsePosition = (word: string | undefined): number => {
  if (word === undefined) return 0
  const position = Number(word)
  if (!Number.isInteger(position) || position < 1) throw new Error(`expected a message position from 1, got ${word}`)
  return position - 1
}

export class Interpreter {
  private current: Cluster | undefined
  private readonly lastSeq = new Map<string, number>()

  get cluster(): Cluster {
    if (this.current === undefined) throw new Error("no cluster yet: start with add-nodes")
    return this.current
  }

  /** Runs one command line; throws on a command that is malformed, so a typo fails its scenario. */
  run(line: string): ReadonlyArray<string> {
    const [command = "", ...args] = line.trim().split(/\s+/)
    const timer = timerOfCommand.get(command)
    if (timer !== undefined) return this.cluster.fireTimer(this.node(args), timer)
    switch (command) {
      case "add-nodes": {
        const { cluster, lines } = Cluster.start(parseOptions(args))
        this.current = cluster
        this.lastSeq.clear()
        return lines
      }
      case "deliver":
        return this.cluster.deliver(...parseLink(args[0]), parsePosition(args[1]))
      case "drop":
        return args[1] === "all" ? this.dropAll(...parseLink(args[0])) : this.cluster.drop(...parseLink(args[0]), parsePosition(args[1]))
      case "deliver-all":
        return this.deliverWaiting()
      case "stabilize":
        return this.stabilize()
      case "request":
        return this.request(args)
      case "crash":
        return this.cluster.crash(this.node(args))
      case "restart":
        return this.cluster.restart(this.node(args))
      case "partition":
        return this.cluster.partition((args[0] ?? "").split("/").map((group) => group.split(",")))
      case "heal":
        this.cluster.heal()
        return []
      case "status":
        return this.cluster.status()
      case "messages":
        return this.waiting()
      default:
        throw new Error(`unknown command "${line}"`)
    }
  }

  private node(args: ReadonlyArray<string>): string {
    const [node] = args
    if (node === undefined || args.length !== 1) throw new Error(`expected one node, got "${args.join(" ")}"`)
    return node
  }

  private request(args: ReadonlyArray<string>): ReadonlyArray<string> {
    const [client, node, ...rest] = args
    if (client === undefined || node === undefined) throw new Error("request needs a client and a node: request c1 n1 put x 1")
    const explicitSeq = rest[0]?.startsWith("#") === true ? Number(rest[0].slice(1)) : undefined
    const seq = explicitSeq ?? (this.lastSeq.get(client) ?? 0) + 1
    if (!Number.isInteger(seq) || seq < 1) throw new Error(`a request's seq is a whole number from 1, got ${rest[0]}`)
    this.lastSeq.set(client, Math.max(seq, this.lastSeq.get(client) ?? 0))
    const request = { seq, op: parseKvInput(explicitSeq === undefined ? rest : rest.slice(1)) }
    return [`${client}->${node} ${formatRaftRequest(request)}`, ...this.cluster.request(client, node, request)]
  }

  /** Delivers what waits now on every link, link by link; what those deliveries send waits for the next round. */
  private deliverWaiting(): ReadonlyArray<string> {
    const cluster = this.cluster
    const waiting = cluster.busyLinks().map(([from, to]) => [from, to, cluster.mailbox(from, to).length] as const)
    const lines: Array<string> = []
    for (const [from, to, count] of waiting) for (let k = 0; k < count; k++) lines.push(...cluster.deliver(from, to))
    return lines
  }

  private dropAll(from: string, to: string): ReadonlyArray<string> {
    const lines: Array<string> = []
    while (this.cluster.mailbox(from, to).length > 0) lines.push(...this.cluster.drop(from, to))
    return lines
  }

  private stabilize(): ReadonlyArray<string> {
    const lines: Array<string> = []
    for (let round = 0; round < maxStabilizeRounds; round++) {
      if (this.cluster.busyLinks().length === 0) return lines
      lines.push(...this.deliverWaiting())
    }
    throw new Error(`stabilize: messages still waiting after ${maxStabilizeRounds} rounds`)
  }

  private waiting(): ReadonlyArray<string> {
    const cluster = this.cluster
    return cluster.busyLinks().flatMap(([from, to]) =>
      cluster.mailbox(from, to).map((message) => `${linkName(from, to)} ${formatRaftMessage(message)}`))
  }
}
