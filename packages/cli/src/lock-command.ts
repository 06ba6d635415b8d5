/**
 * `parley lock`: the client of a running `lock` or `zk-lock` cluster.
 * `acquire` takes a lock, prints its fencing token and keeps the lease
 * alive while it runs (a command given after `--`, or until Ctrl-C), then
 * releases it; `release` is the atomic compare-and-delete on a token;
 * `status` shows a lock and its resource entry; `write` writes to the
 * protected resource with a token, which the resource refuses when it is
 * older than one it has taken.
 */
import { spawn } from "node:child_process"
import { constants, hostname } from "node:os"
import { Console, Effect, Option, Schedule } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { UsageError } from "./errors.ts"
import { acquireLock, call, errorOf, fail, leaseIn, lockPath, openLockCluster, parseDuration, resourcePath } from "./lock-client.ts"
import type { Lease, LockCluster } from "./lock-client.ts"

/** Where a command run under `acquire` finds the lock it holds: `parley lock write` reads them. */
export const tokenVariable = "PARLEY_LOCK_TOKEN"
export const dirVariable = "PARLEY_LOCK_DIR"

const dir = Flag.String("dir").pipe(
  Flag.withDefault(process.env[dirVariable] ?? ".parley/cluster"),
  Flag.withDescription(`The cluster's directory (default: $${dirVariable}, else .parley/cluster)`)
)
const json = Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("Print the answers as JSON"))
const lockName = Argument.String("name").pipe(Argument.withDescription("The lock's name: letters, digits, _ . : -"))

const duration = (flag: string, text: string) =>
  Effect.fromResult(parseDuration(flag, text)).pipe(Effect.mapError((message) => new UsageError({ message })))

const leaseLine = (lease: Lease): string => `token ${lease.token}, held by ${lease.holder}, expires in at most ${lease.expiresInMs} ms`

/** The naive recipe renews nothing and releases with GET then DEL; the fenced one renews and compares-and-deletes. */
const naive = (cluster: LockCluster): boolean => cluster.variant === "naive"

/** Whether the lease was released, and the last answer, which says why not. */
const release = (cluster: LockCluster, name: string, token: number) =>
  Effect.gen(function*() {
    if (!naive(cluster)) {
      const answer = yield* call(cluster, "POST", lockPath(name, "release"), { token })
      return { released: answer.status === 200, answer }
    }
    // The naive recipe's two steps: between them the lease may run out and another client take the lock, whose lease the DEL deletes.
    const read = yield* call(cluster, "GET", lockPath(name), undefined)
    if (leaseIn(read)?.token !== token) return { released: false, answer: { ...read, body: { ...read.body, error: `token ${token} does not hold it` } } }
    const answer = yield* call(cluster, "DELETE", lockPath(name), undefined)
    return { released: answer.status === 200, answer }
  })

/** Says on stderr, once, that the lease is gone: whichever of the renewal and the release finds it first. */
const lossReporter = (name: string) => {
  let said = false
  return (token: number, why: unknown) =>
    Effect.suspend(() => {
      if (said) return Effect.void
      said = true
      return Console.error(`parley: lost the lock ${name} (token ${token}): ${String(why)}`)
    })
}

type ReportLoss = ReturnType<typeof lossReporter>

/** Renews every third of the ttl while it runs, until the lease is gone. */
const keepAlive = (cluster: LockCluster, name: string, lease: Lease, reportLoss: ReportLoss) =>
  call(cluster, "POST", lockPath(name, "renew"), { token: lease.token }, Math.max(1000, lease.ttlMs / 3)).pipe(
    Effect.flatMap((answer) => answer.status === 409 ? reportLoss(lease.token, answer.body["error"]).pipe(Effect.as(false)) : Effect.succeed(true)),
    Effect.catch(() => Effect.succeed(true)),
    Effect.repeat({ schedule: Schedule.spaced(Math.max(50, Math.floor(lease.ttlMs / 3))), while: (alive) => alive }),
    Effect.delay(Math.max(50, Math.floor(lease.ttlMs / 3)))
  )

/** Runs `argv` with the lock's name and token in its environment; its exit code. */
const runCommand = (argv: ReadonlyArray<string>, cluster: LockCluster, lease: Lease) =>
  Effect.callback<number>((resume) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: "inherit",
      env: { ...process.env, [tokenVariable]: String(lease.token), PARLEY_LOCK_NAME: lease.name, [dirVariable]: cluster.dir }
    })
    child.on("error", (error) => resume(Effect.succeed(127).pipe(Effect.tap(() => Console.error(`parley: cannot run ${argv[0]}: ${error.message}`)))))
    // Killed by a signal, it exits as a shell says so: 128 and the signal's number.
    child.on("exit", (code, signal) => resume(Effect.succeed(code ?? 128 + (signal === null ? 0 : constants.signals[signal]))))
    return Effect.sync(() => child.kill("SIGTERM"))
  })

const acquire = Command.make(
  "acquire",
  {
    name: lockName,
    command: Argument.String("command").pipe(Argument.variadic(), Argument.withDescription("A command to run while holding the lock, after --")),
    ttl: Flag.String("ttl").pipe(Flag.withDefault("5s"), Flag.withDescription("The lease's length (5s, 500ms, 2m); it is renewed every third of it")),
    wait: Flag.String("wait").pipe(Flag.withDefault("30s"), Flag.withDescription("How long to wait for the lock while another holds it")),
    owner: Flag.String("owner").pipe(Flag.optional, Flag.withDescription("Who holds the lease (default: host, pid and a random part)")),
    dir,
    json
  },
  ({ name, command, ttl, wait, owner, dir, json }) =>
    Effect.gen(function*() {
      const ttlMs = yield* duration("ttl", ttl)
      const waitMs = yield* duration("wait", wait)
      const cluster = yield* openLockCluster(dir)
      const who = Option.getOrElse(owner, () => `${hostname().replace(/[^A-Za-z0-9_.:-]/g, "-").slice(0, 64)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`)
      // Ctrl-C while waiting stops the wait; a lease granted in that moment runs out by itself.
      // A release refused means the lease was gone before the command ended (a paused client's, say): said, if the renewal did not.
      const reportLoss = lossReporter(name)
      const lease = yield* Effect.acquireRelease(Effect.interruptible(acquireLock(cluster, name, who, ttlMs, waitMs)), (held) =>
        release(cluster, name, held.token).pipe(
          Effect.flatMap(({ released, answer }) => released ? Effect.void : reportLoss(held.token, answer.body["error"])),
          Effect.ignore
        ))
      yield* Console.log(json ? JSON.stringify(lease) : `acquired ${name}: ${leaseLine(lease)}`)
      if (naive(cluster)) yield* Console.error(`parley: the cluster runs the naive recipe: the lease is not renewed, and it ends after ${ttlMs} ms`)
      else yield* Effect.forkScoped(keepAlive(cluster, name, lease, reportLoss))
      if (command.length === 0) return yield* Effect.never
      const code = yield* runCommand(command, cluster, lease)
      process.exitCode = code
    }).pipe(Effect.scoped)
).pipe(Command.withDescription(
  "Take a lock and print its fencing token; keep the lease alive while a command given after -- runs (with $PARLEY_LOCK_TOKEN set), or until Ctrl-C; then release it"
))

const tokenFlag = Flag.Int("token").pipe(Flag.optional, Flag.withDescription(`The lease's fencing token (default: $${tokenVariable}, set for a command run by acquire)`))

/** The token given, or the one `acquire` handed the command this runs in. */
const tokenOf = (given: Option.Option<number>) =>
  Option.match(given, {
    onSome: (token) => Effect.succeed(token),
    onNone: () => {
      const text = process.env[tokenVariable]
      return text !== undefined && /^[1-9][0-9]*$/.test(text)
        ? Effect.succeed(Number(text))
        : Effect.fail(new UsageError({ message: `give --token, or run under parley lock acquire, which sets $${tokenVariable}` }))
    }
  })

const releaseCommand = Command.make("release", { name: lockName, token: tokenFlag, dir, json }, ({ name, token, dir, json }) =>
  Effect.gen(function*() {
    const held = yield* tokenOf(token)
    const cluster = yield* openLockCluster(dir)
    const { released, answer } = yield* release(cluster, name, held)
    if (json) yield* Console.log(JSON.stringify(answer.body))
    if (!released) return yield* fail(`lock ${name} was not released: ${errorOf(answer)}`)
    if (!json) yield* Console.log(`released ${name} (token ${held})`)
  })).pipe(Command.withDescription("Release a lock: an atomic compare-and-delete, which deletes the lease only if TOKEN still holds it"))

const status = Command.make("status", { name: lockName, dir, json }, ({ name, dir, json }) =>
  Effect.gen(function*() {
    const cluster = yield* openLockCluster(dir)
    const lock = yield* call(cluster, "GET", lockPath(name), undefined)
    if (lock.status !== 200) return yield* fail(errorOf(lock))
    const entry = (yield* call(cluster, "GET", resourcePath(name), undefined)).body
    if (json) return yield* Console.log(JSON.stringify({ name, lease: leaseIn(lock), resource: entry }))
    const lease = leaseIn(lock)
    yield* Console.log(`${name}: ${lease === null ? "free" : leaseLine(lease)}`)
    yield* Console.log(`resource ${name}: newest token ${String(entry["newest"])}, value ${JSON.stringify(entry["value"])}, refused ${String(entry["rejected"])} stale writes`)
  })).pipe(Command.withDescription("Who holds a lock, with which token and for how long; and its entry at the resource"))

const write = Command.make(
  "write",
  { name: lockName, value: Argument.String("value").pipe(Argument.withDescription("The value to write")), token: tokenFlag, dir, json },
  ({ name, value, token, dir, json }) =>
    Effect.gen(function*() {
      const fencing = yield* tokenOf(token)
      const cluster = yield* openLockCluster(dir)
      const answer = yield* call(cluster, "PUT", resourcePath(name), { token: fencing, value })
      if (json) yield* Console.log(JSON.stringify(answer.body))
      if (answer.status !== 200) return yield* fail(`write to ${name} refused: ${errorOf(answer)}`)
      if (!json) yield* Console.log(`wrote ${name} with token ${fencing}`)
    })
).pipe(Command.withDescription("Write VALUE to the protected resource NAME with a fencing token; refused when the token is older than one the resource took"))

export const lockCommand = Command.make("lock").pipe(
  Command.withDescription("Take, release and inspect locks on a running lock or zk-lock cluster, and write to its protected resource"),
  Command.withSubcommands([acquire, releaseCommand, status, write])
)
