/**
 * validate on in-process Raft clusters: a run with a crash and recovery
 * validates; a run where one node ran a doctored reducer (it drops one
 * timer from one step) diverges at exactly that step, with a trace ending
 * there. The reader forgives a line cut short at the end of a run and
 * nothing else; the merge refuses a receive that no send explains.
 */
import { defaultEventLog, EventLogFormat, hexDigester } from "@parley/runtime"
import type { StepInput } from "@parley/runtime"
import type { Actor, AnyHostedSpec, NodeId, Step } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Effect, References, Result } from "effect"
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { mergeRun, readNodeLog, replayNode } from "../src/index.ts"
import type { ReplayedNode } from "../src/index.ts"
import { inProcessCluster } from "./in-process.ts"
import { validateRaftLogs } from "./raft-logs.ts"
import type { TestCluster } from "./in-process.ts"

const dirs: Array<string> = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const validate = (cluster: TestCluster) => validateRaftLogs(join(cluster.dir, "events"), cluster.ids)

const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect.pipe(Effect.provideService(References.MinimumLogLevel, "Error")))

/** Writes through the leader, crashes a follower, writes more, restarts it, writes more; then stops every node. */
const workload = (cluster: TestCluster) =>
  Effect.gen(function*() {
    dirs.push(cluster.dir)
    let leader = yield* cluster.leader
    for (let seq = 1; seq <= 5; seq++) yield* cluster.put(leader, "c1", seq, `k${seq % 2}`, `v${seq}`)
    const follower = cluster.ids.find((id) => id !== leader)!
    yield* cluster.crash(follower)
    for (let seq = 6; seq <= 10; seq++) yield* cluster.put(leader, "c1", seq, `k${seq % 2}`, `v${seq}`)
    yield* cluster.start(follower)
    leader = yield* cluster.leader
    for (let seq = 11; seq <= 15; seq++) yield* cluster.put(leader, "c2", seq, `k${seq % 2}`, `v${seq}`)
    yield* Effect.sleep(1000)
    yield* cluster.stop
    return follower
  })

type AnyActor = Actor<unknown, unknown, unknown, unknown, unknown, unknown>
type AnyStep = Step<unknown, unknown, unknown, unknown>

/** `actor`'s handlers, each step it takes passed through `through`. */
const eachStep = (actor: AnyActor, through: (step: AnyStep) => AnyStep): Omit<AnyActor, "durable"> => ({
  init: (context) => through(actor.init(context)),
  recover: (context, durable) => through(actor.recover(context, durable)),
  onMessage: (state, from, message) => through(actor.onMessage(state, from, message)),
  onTimer: (state, timer) => through(actor.onTimer(state, timer)),
  onRequest: (state, client, request) => through(actor.onRequest(state, client, request))
})

/**
 * Raft, but from its 20th step on, the first step that sets a timer does
 * not: the one step at which it differs from the reducer that was checked.
 * `changed.at` is that step's number in the node's log.
 */
const raft: AnyHostedSpec = raftHosted

const doctored = (changed: { at: number | undefined }): AnyHostedSpec => {
  // Counted across the node's runs, as its log numbers its steps.
  let steps = 0
  const doctor = (step: AnyStep): AnyStep => {
    const index = steps++
    if (changed.at !== undefined || index < 20 || !step.out.some((output) => output._tag === "SetTimer")) return step
    changed.at = index
    return { state: step.state, out: step.out.filter((output) => output._tag !== "SetTimer") }
  }
  return {
    ...raft,
    actor: (nodes, options, variant) => {
      const actor: AnyActor = raft.actor(nodes, options, variant)
      return { ...eachStep(actor, doctor), durable: (state) => actor.durable(state) }
    }
  }
}

type RaftDurable = { readonly term: number; readonly votedFor: NodeId | null }

/**
 * Raft whose durable state, from its 20th step on, says a term one past
 * its own: the reducer takes and sends what the checked one does, and
 * saves a state the checked one would not. The log digests a batch's last
 * step only, so it shows at the first batch that ends after that step.
 */
const doctoredDurable = (): AnyHostedSpec => {
  let steps = 0
  const count = (step: AnyStep): AnyStep => (steps++, step)
  return {
    ...raft,
    actor: (nodes, options, variant) => {
      const actor: AnyActor = raft.actor(nodes, options, variant)
      return {
        ...eachStep(actor, count),
        durable: (state) => {
          const durable = actor.durable(state) as RaftDurable
          return steps > 20 ? { ...durable, term: durable.term + 1 } : durable
        }
      }
    }
  }
}

const isAppendWithEntries = (input: StepInput): boolean =>
  input._tag === "Message" && typeof input.message === "object" && input.message !== null &&
  "_tag" in input.message && input.message._tag === "AppendEntries" && "entries" in input.message && Array.isArray(input.message.entries) && input.message.entries.length > 0

/**
 * Writes through the leader; then a follower takes the next write's
 * AppendEntries, saves it and answers, and dies before its log has the
 * batch (`tamper` may change what it saved); it starts again, more writes
 * follow, every node stops, and the logs are validated.
 */
const lostBatchRun = (cluster: TestCluster, tamper: (durable: unknown, leader: NodeId, follower: NodeId) => unknown, appends = 1) =>
  Effect.gen(function*() {
    dirs.push(cluster.dir)
    const leader = yield* cluster.leader
    for (let seq = 1; seq <= 3; seq++) yield* cluster.put(leader, "c1", seq, `k${seq % 2}`, `v${seq}`)
    const follower = cluster.ids.find((id) => id !== leader)!
    const killed = cluster.loseBatch(follower, (held) => held.filter(({ input }) => isAppendWithEntries(input)).length >= appends)
    for (let seq = 4; seq < 4 + appends; seq++) yield* cluster.put(leader, "c1", seq, `k${seq % 2}`, `v${seq}`)
    yield* killed.fired
    yield* cluster.crash(follower)
    cluster.tamper(follower, (durable) => tamper(durable, leader, follower))
    yield* cluster.start(follower)
    for (let seq = 4 + appends; seq <= 10; seq++) yield* cluster.put(leader, "c1", seq, `k${seq % 2}`, `v${seq}`)
    yield* Effect.sleep(500)
    yield* cluster.stop
    return { follower, validation: Result.getOrThrow(validate(cluster)) }
  })

describe("validate", () => {
  it("validates a run with a crash and a recovery, every check passing", async () => {
    const cluster = await run(inProcessCluster())
    const follower = await run(workload(cluster))
    const validation = Result.getOrThrow(validate(cluster))
    expect(validation.verdict.verdict).toBe("valid")
    expect(validation.verdict.checks.map((check) => check.outcome)).toEqual(["passed", "passed", "passed", "passed"])
    expect(validation.verdict.nodes.find((node) => node.node === follower)?.runs).toBe(2)
    expect(validation.verdict.checks[3]?.detail).toBe("15 operations, linearizable")
    expect(validation.trace).toBeUndefined()
  }, 60_000)

  it("rebuilds the batch a kill -9 kept from a follower's log after its save and its answer, and validates the run", async () => {
    const cluster = await run(inProcessCluster())
    const { follower, validation } = await run(lostBatchRun(cluster, (durable) => durable))
    expect(validation.verdict.verdict).toBe("valid")
    expect(validation.verdict.checks.map((check) => check.outcome)).toEqual(["passed", "passed", "passed", "passed"])
    expect(validation.verdict.checks[0]?.detail).toMatch(/1 lost batch rebuilt/)
    expect(validation.verdict.notes.join("\n")).toMatch(
      // The batch holds the AppendEntries, and whatever else waited in the follower's inbox with it.
      new RegExp(`${follower} lost its last logged batch at the crash ending its run 1: \\d+ steps? rebuilt from the messages and timers it had pending \\(Message(, \\w+)*\\), which give the durable state its next run recovered and the \\d+ messages? others received from it`)
    )
    expect(validation.verdict.checks[3]?.detail).toBe("10 operations, linearizable")
  }, 60_000)

  it("rebuilds the appends a follower held back from its log when a kill -9 takes them with it", async () => {
    const cluster = await run(inProcessCluster())
    // Two writes' appends, each a batch of messages alone, held back from the log and lost together.
    const { follower, validation } = await run(lostBatchRun(cluster, (durable) => durable, 2))
    expect(validation.verdict.verdict).toBe("valid")
    expect(validation.verdict.checks.map((check) => check.outcome)).toEqual(["passed", "passed", "passed", "passed"])
    expect(validation.verdict.checks[0]?.detail).toMatch(/1 lost batch rebuilt/)
    expect(validation.verdict.notes.join("\n")).toMatch(
      new RegExp(`${follower} lost its last logged batch at the crash ending its run 1: \\d+ steps rebuilt from the messages and timers it had pending \\(Message(, Message)+\\)`)
    )
    expect(validation.verdict.checks[3]?.detail).toBe("10 operations, linearizable")
  }, 60_000)

  it("still finds a recovered durable state that no lost batch reaches: storage made it up", async () => {
    const cluster = await run(inProcessCluster())
    // A vote in its term for the one node it never voted for: no message or timer it had pending gives that.
    const third = (leader: NodeId, follower: NodeId) => cluster.ids.find((id) => id !== leader && id !== follower)!
    const { follower, validation } = await run(lostBatchRun(cluster, (durable, leader, follower) => ({ ...(durable as RaftDurable), votedFor: third(leader, follower) })))
    expect(validation.verdict.verdict).toBe("invalid")
    expect(validation.verdict.divergence).toMatch(new RegExp(`^${follower} diverges at its step \\d+ \\(run 2, .*${follower}\\.events\\.1\\.jsonl:\\d+\\): recovered`))
    expect(validation.verdict.divergence).toMatch(/no such batch reaches/)
    expect(validation.trace?.steps.at(-1)?.action).toBe(`${follower} diverges: recovered`)
  }, 60_000)

  it("finds the first step of a doctored node's log that the checked reducer does not produce", async () => {
    const changed: { at: number | undefined } = { at: undefined }
    const n2 = doctored(changed)
    const cluster = await run(inProcessCluster((id: NodeId) => (id === "n2" ? n2 : raftHosted)))
    await run(workload(cluster))
    expect(changed.at).toBeDefined()
    const validation = Result.getOrThrow(validate(cluster))
    expect(validation.verdict.verdict).toBe("invalid")
    expect(validation.verdict.divergence).toMatch(new RegExp(`^n2 diverges at its step ${changed.at} \\(run \\d, .*n2\\.events\\.1\\.jsonl:\\d+\\): outputs`))
    // The replayed step sets the timer the doctored one did not.
    expect(validation.verdict.divergence).toMatch(/replayed: (.|\n)*"SetTimer"/)
    const trace = validation.trace!
    expect(trace.property.name).toBe("ReplayMatchesLog")
    expect(trace.steps.at(-1)?.action).toBe("n2 diverges: outputs")
    expect(trace.steps.length).toBe(21)
  }, 60_000)

  it("finds a doctored durable state at the end of the first batch it was saved in", async () => {
    const cluster = await run(inProcessCluster((id: NodeId) => (id === "n2" ? doctoredDurable() : raftHosted)))
    await run(workload(cluster))
    const validation = Result.getOrThrow(validate(cluster))
    expect(validation.verdict.verdict).toBe("invalid")
    const found = /^n2 diverges at its step (\d+) \(run \d, (.*n2\.events\.1\.jsonl):(\d+)\): durable/.exec(validation.verdict.divergence ?? "")
    expect(found, validation.verdict.divergence).not.toBeNull()
    expect(Number(found![1])).toBeGreaterThanOrEqual(20)
    // The step it names ends a batch: its line carries the digest the replay does not reach.
    const line = readFileSync(found![2]!, "utf8").split("\n")[Number(found![3]) - 1]!
    expect(JSON.parse(line)).toHaveProperty("durable")
    expect(validation.trace?.steps.at(-1)?.action).toBe("n2 diverges: durable")
  }, 60_000)

  it("reads a version-2 log, a digest on every step, and compares every one", async () => {
    const cluster = await run(inProcessCluster())
    await run(workload(cluster))
    const events = join(cluster.dir, "events")
    /** Each of `node`'s lines as version 2 wrote them: every step with the digest of its durable state; `doctor` may change one. */
    const rewrite = (node: NodeId, doctor: (line: number) => string | undefined = () => undefined): void => {
      const replayed = replayNode(Result.getOrThrow(readNodeLog(events, node, raftHosted)), raftHosted)
      const file = join(events, `${node}.events.1.jsonl`)
      const lines = readFileSync(file, "utf8").split("\n")
      const digest = hexDigester()
      for (const step of replayed.steps) {
        const line = Number(step.logged.where.split(":").at(-1)) - 1
        const durable = doctor(line) ?? digest(replayed.runs[step.incarnation]!.actor.durable(step.after))
        lines[line] = JSON.stringify({ ...JSON.parse(lines[line]!), durable })
      }
      writeFileSync(file, lines.map((line) => line.replace(`"format":"${EventLogFormat}"`, '"format":"parley-events/2"')).join("\n"))
    }
    // A step of this version's log that ended no batch, and so has no digest there.
    const unbatched = cluster.ids.flatMap((node) => {
      const line = readFileSync(join(events, `${node}.events.1.jsonl`), "utf8").split("\n").findIndex((text) => text.startsWith('{"_tag":"Step"') && !text.includes('"durable"'))
      return line < 0 ? [] : [{ node, line }]
    })[0]!
    for (const id of cluster.ids) rewrite(id)
    expect(readFileSync(join(events, `${unbatched.node}.events.1.jsonl`), "utf8")).toMatch(/"format":"parley-events\/2"/)
    expect(Result.getOrThrow(validate(cluster)).verdict.verdict).toBe("valid")
    // Its digest in version 2 is compared, as version 2 did.
    rewrite(unbatched.node, (line) => (line === unbatched.line ? "0" : undefined))
    const where = `${unbatched.node}\\.events\\.1\\.jsonl:${unbatched.line + 1}`
    expect(Result.getOrThrow(validate(cluster)).verdict.divergence).toMatch(new RegExp(`^${unbatched.node} diverges at its step \\d+ \\(run \\d, .*${where}\\): durable`))
  }, 60_000)

  it("forgives a line cut short at the end of a run, and refuses one in the middle", async () => {
    const cluster = await run(inProcessCluster())
    await run(workload(cluster))
    const file = join(cluster.dir, "events", "n1.events.1.jsonl")
    appendFileSync(file, '{"_tag":"Step","at":17')
    const torn = Result.getOrThrow(readNodeLog(join(cluster.dir, "events"), "n1", raftHosted))
    expect(torn.notes.join(" ")).toMatch(/cut short/)
    expect(Result.isSuccess(validate(cluster))).toBe(true)
    const lines = readFileSync(file, "utf8").split("\n")
    lines.splice(3, 0, "not json")
    writeFileSync(file, lines.join("\n"))
    const broken = readNodeLog(join(cluster.dir, "events"), "n1", raftHosted)
    expect(Result.isFailure(broken) && broken.failure.message).toMatch(/n1\.events\.1\.jsonl:4: not an event log record/)
  }, 60_000)

  it("serves on when its event log cannot be written: the log is switched off, not the node", async () => {
    const cluster = await run(inProcessCluster(() => raftHosted, defaultEventLog, "/dev/null/events"))
    dirs.push(cluster.dir)
    const leader = await run(cluster.leader)
    const answer = await run(cluster.put(leader, "c1", 1, "x", "1"))
    expect(answer).toMatchObject({ _tag: "Done", seq: 1 })
    await run(cluster.stop)
  }, 60_000)

  it("keeps a node's log within its bounds, and replays what rotation kept", async () => {
    const cluster = await run(inProcessCluster(() => raftHosted, { maxFileBytes: 4096, maxFiles: 2 }))
    await run(workload(cluster))
    const files = readdirSync(join(cluster.dir, "events"))
    for (const id of cluster.ids) expect(files.filter((name) => name.startsWith(`${id}.`)).length).toBeLessThanOrEqual(2)
    // The leader, at least, logged more than two files' worth: its first is gone.
    expect(cluster.ids.some((id) => !files.includes(`${id}.events.1.jsonl`))).toBe(true)
    // A file is closed at the first flush past its bound: a batch's steps over it at most.
    for (const name of files) expect(statSync(join(cluster.dir, "events", name)).size).toBeLessThan(4096 * 3)
    const validation = Result.getOrThrow(validate(cluster))
    expect(validation.verdict.verdict).toBe("valid")
    expect(validation.verdict.checks.map((check) => [check.check, check.outcome])).toEqual([
      ["replay", "passed"],
      ["merge", "skipped"],
      ["invariants", "skipped"],
      ["linearizability", "skipped"]
    ])
    expect(validation.verdict.notes.join(" ")).toMatch(/rotated away/)
  }, 60_000)
})

describe("mergeRun", () => {
  const step = (node: NodeId, index: number, input: ReplayedNode["steps"][number]["logged"]["input"], wire: unknown, out: ReplayedNode["steps"][number]["logged"]["out"]) => ({
    node,
    index,
    incarnation: 0,
    logged: { at: index, input, wire, out, durable: "0", where: `${node}:${index}` },
    before: undefined,
    after: {},
    out: []
  })

  it("matches a receive to the earliest equal send on its link, and refuses one nobody sent", () => {
    const sender: ReplayedNode = {
      node: "n1",
      steps: [step("n1", 0, { _tag: "Init" }, undefined, [{ _tag: "Send", to: "n2", message: { ping: 1 } }, { _tag: "Send", to: "n2", message: { ping: 1 } }])],
      runs: [],
      divergence: undefined
    }
    const receiver = (messages: ReadonlyArray<unknown>): ReplayedNode => ({
      node: "n2",
      steps: [step("n2", 0, { _tag: "Init" }, undefined, []), ...messages.map((message, i) => step("n2", i + 1, { _tag: "Message", from: "n1", message }, message, []))],
      runs: [],
      divergence: undefined
    })
    const merged = mergeRun([sender, receiver([{ ping: 1 }, { ping: 1 }])])
    expect(merged._tag).toBe("Merged")
    const unmatched = mergeRun([sender, receiver([{ ping: 1 }, { ping: 1 }, { ping: 1 }])])
    expect(unmatched._tag === "Unmatched" && unmatched.message).toMatch(/n2 received from n1 a message that n1's log never sent/)
    const forged = mergeRun([sender, receiver([{ ping: 2 }])])
    expect(forged._tag).toBe("Unmatched")
  })
})
