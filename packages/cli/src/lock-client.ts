/**
 * `parley lock`'s client of a lock cluster, `lock` or `zk-lock`, which
 * serve the same routes: acquire, renew, release, inspect, and the
 * resource's writes. Each call goes to any node (the node hands it to the
 * one that takes it) and is sent again under the same session while the
 * outcome is unknown, so it takes effect once.
 */
import { callExactlyOnce, callNode, bearer, clusterAccess, ClusterControlError, freshSession, readCluster } from "@parley/runtime"
import type { ClusterAccess } from "@parley/runtime"
import type { ApiAnswer, NodeEntry } from "@parley/runtime"
import { Console, Duration, Effect, Result } from "effect"

export interface LockCluster {
  readonly dir: string
  readonly spec: string
  readonly nodes: ReadonlyArray<NodeEntry>
  /** The client token and, for a cluster serving HTTPS, its CA. */
  readonly access: ClusterAccess
  /** The known-buggy variant the cluster hosts, as its nodes report it; undefined for the correct recipe. */
  readonly variant: string | undefined
}

export const fail = (message: string) => Effect.fail(new ClusterControlError({ message }))

/** `5s`, `500ms`, `2m`, or a whole number of milliseconds. */
export const parseDuration = (flag: string, text: string): Result.Result<number, string> => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  if (match === null) return Result.fail(`--${flag} must be a duration such as 5s, 500ms or 2m, got ${JSON.stringify(text)}`)
  const scale = match[2] === "m" ? 60_000 : match[2] === "s" ? 1000 : 1
  return Result.succeed(Math.round(Number(match[1]) * scale))
}

const lockSpecs = ["lock", "zk-lock"]

export const openLockCluster = (dir: string) =>
  Effect.gen(function*() {
    const file = yield* Effect.fromResult(readCluster(dir))
    if (!lockSpecs.includes(file.spec)) return yield* fail(`the cluster in ${dir} runs ${file.spec}; parley lock talks to lock and zk-lock clusters`)
    const access = yield* Effect.fromResult(clusterAccess(dir))
    const statuses = yield* Effect.forEach(file.nodes, (node) =>
      Effect.promise(() => callNode(node, "GET", "/v1/status", undefined, 2000, bearer(access.token), access.trust).catch(() => undefined)))
    const variant = statuses.map((answer) => answer?.body["variant"]).find((value) => typeof value === "string")
    return { dir, spec: file.spec, nodes: file.nodes, access, variant: typeof variant === "string" ? variant : undefined } satisfies LockCluster
  })

/** One operation, tried at every node in turn until it has an answer or `deadlineMs` passes. */
export const call = (cluster: LockCluster, method: string, path: string, body: unknown, deadlineMs = 10_000) =>
  Effect.gen(function*() {
    const answer = yield* Effect.promise(() =>
      callExactlyOnce(cluster.nodes, method, path, body === undefined ? undefined : JSON.stringify(body), {
        session: freshSession("lock"),
        deadlineMs,
        // A watch waits for a deletion: one attempt may take as long as the whole call.
        attemptMs: Math.min(deadlineMs, 60_000),
        ...cluster.access
      })
    )
    if (answer === undefined) return yield* fail(`no node of the cluster in ${cluster.dir} answered within ${deadlineMs} ms`)
    return answer
  })

export const lockPath = (name: string, action?: string): string => `/v1/locks/${encodeURIComponent(name)}${action === undefined ? "" : `/${action}`}`
export const resourcePath = (name: string): string => `/v1/resource/${encodeURIComponent(name)}`

export const errorOf = (answer: ApiAnswer): string => `${answer.status}: ${String(answer.body["error"] ?? JSON.stringify(answer.body))}`

export interface Lease {
  readonly name: string
  readonly holder: string
  readonly token: number
  readonly ttlMs: number
  readonly expiresInMs: number
}

const isLease = (value: unknown): value is Lease =>
  typeof value === "object" && value !== null && typeof (value as { token?: unknown }).token === "number" &&
  typeof (value as { holder?: unknown }).holder === "string"

export const leaseIn = (answer: ApiAnswer): Lease | null => {
  const lease = answer.body["lease"]
  return isLease(lease) ? lease : null
}

/** A zk-lock waiter's predecessor, which it watches; absent for the lease lock, whose waiters ask again. */
export const predecessorIn = (answer: ApiAnswer): number | undefined => {
  const waitFor = answer.body["waitFor"]
  return typeof waitFor === "number" ? waitFor : undefined
}

/**
 * Asks for the lock until granted or `waitMs` has passed: the lease lock
 * answers 409 while another holds it, and the client asks again a little
 * later; zk-lock names the node to watch (the predecessor), and the client
 * waits for its deletion and asks again, as the recipe does.
 */
export const acquireLock = (cluster: LockCluster, name: string, owner: string, ttlMs: number, waitMs: number) =>
  Effect.gen(function*() {
    const deadline = Date.now() + waitMs
    for (;;) {
      const answer = yield* call(cluster, "POST", lockPath(name, "acquire"), { owner, ttlMs })
      const lease = leaseIn(answer)
      if (answer.status === 200 && lease !== null) return lease
      if (answer.status !== 409 || answer.body["sessionExpired"] === true) return yield* fail(errorOf(answer))
      const left = deadline - Date.now()
      if (left <= 0) return yield* fail(`gave up after ${waitMs} ms: ${String(answer.body["error"])}`)
      const predecessor = predecessorIn(answer)
      if (predecessor === undefined) {
        yield* Effect.sleep(Duration.millis(Math.min(left, 100 + Math.random() * 150)))
        continue
      }
      yield* Console.error(`parley: ${name} is held by ${leaseIn(answer)?.holder ?? "another"}; watching node ${predecessor}, the one before ours`)
      // Woken by the deletion, or by the watch's own time running out: either way, ask again.
      const woken = yield* call(cluster, "POST", lockPath(name, "watch"), { owner, token: predecessor }, Math.max(1, Math.min(left, 30_000))).pipe(
        Effect.map((watched) => watched.status === 200 && watched.body["deleted"] === true),
        Effect.catch(() => Effect.succeed(false))
      )
      if (woken) yield* Console.error(`parley: node ${predecessor} of ${name} was deleted; asking again`)
    }
  })
