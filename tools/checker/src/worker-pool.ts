/**
 * The worker threads of a parallel search, each running `check-worker.ts`
 * and answering one request at a time; and how any checker thread starts.
 */
import { pathToFileURL } from "node:url"
import { setFlagsFromString } from "node:v8"
import { Worker } from "node:worker_threads"
import type { FromWorker, ToWorker, WorkerSetup } from "./check-worker.ts"
import type { WorkerJob } from "./worker-job.ts"

export interface PoolWorker {
  ask<T extends FromWorker["_tag"]>(message: ToWorker, answer: T): Promise<Extract<FromWorker, { _tag: T }>>
  stop(): Promise<void>
}

const sourceScript = new URL("./worker-main.ts", import.meta.url)
/** Resolved here rather than by the worker, which may start in any directory. */
const tsxLoader = import.meta.resolve("tsx")

/**
 * A checker worker thread for `job`: from the bundle its model source names
 * (one prebuilt file, no compiler), else from source under tsx, as the
 * repository runs everything.
 */
export const startThread = (job: WorkerJob): Worker => {
  sizeNewHeaps()
  const bundle = job.setup.source.bundle
  return bundle === undefined
    ? new Worker(sourceScript, { workerData: job, execArgv: ["--import", tsxLoader] })
    // No Node options: a thread inherits its parent's by default, and a loader the parent runs under (tsx) is what the bundle spares it.
    : new Worker(startFromBundle(bundle), { eval: true, workerData: job, execArgv: [] })
}

/**
 * How a new isolate's heap starts, in megabytes. V8 starts a young
 * generation's semi-space at 1 MB and doubles it as the program allocates,
 * up to 64 MB, each size on the way costing a few scavenges; and it starts
 * the old generation's limit low, so that its first mark-compacts come
 * while it holds a few megabytes. The main thread has grown its heap by the
 * time a worker takes part: a worker starting from the smallest sizes went
 * through 36 to 42 scavenges and 2 mark-compacts of its own where the main
 * thread, for as much work, went through about 30 and none. On two threads
 * that work is not free, as it is on one, where V8's helper threads do half
 * of it on the idle core (see `docs/figures.md`).
 */
const WORKER_SEMI_SPACE_MB = 16
const WORKER_OLD_SPACE_MB = 128

let heapsSized = false

/**
 * Has every isolate started from now on begin with the heap above. A
 * Worker's `execArgv` refuses V8 flags and its `resourceLimits` set only
 * the largest sizes; V8 reads these flags when it sets up a new isolate's
 * heap, so they apply to the threads started after, and leave the running
 * isolate as it is.
 */
const sizeNewHeaps = (): void => {
  if (heapsSized) return
  heapsSized = true
  setFlagsFromString(`--min-semi-space-size=${WORKER_SEMI_SPACE_MB}`)
  setFlagsFromString(`--initial-old-space-size=${WORKER_OLD_SPACE_MB}`)
}

/**
 * A thread's first script when it runs from a bundle: it keeps V8's
 * compiled code for the bundle beside it (`<bundle>.v8`, as the CLI does
 * for its own bundle, Node 22.1 and later), so that the next thread, in
 * this search or the next, does not compile the bundle's code again; then
 * it runs the bundle.
 */
const startFromBundle = (bundle: string): string =>
  [
    `require("node:module").enableCompileCache?.(${JSON.stringify(`${bundle}.v8`)})`,
    `import(${JSON.stringify(pathToFileURL(bundle).href)})`
  ].join("\n")

/** A worker of a breadth-first search, answering one request at a time once it is ready. */
export const startWorker = (setup: WorkerSetup): Promise<PoolWorker> =>
  new Promise((resolve, reject) => {
    const worker = startThread({ role: "search", setup })
    let pending: { readonly answer: string; resolve(message: FromWorker): void; reject(error: Error): void } | undefined
    const fail = (error: Error) => {
      if (pending !== undefined) pending.reject(error)
      else reject(error)
      pending = undefined
    }
    worker.on("error", fail)
    worker.on("exit", (code) => fail(new Error(`a checker worker exited with code ${code}`)))
    worker.on("message", (message: FromWorker) => {
      if (message._tag === "Ready") {
        resolve(pool)
        return
      }
      if (message._tag === "Failed") return fail(new Error(message.message))
      const waiting = pending
      pending = undefined
      if (waiting !== undefined && waiting.answer === message._tag) waiting.resolve(message)
      else if (waiting !== undefined) waiting.reject(new Error(`a checker worker answered ${message._tag}, not ${waiting.answer}`))
    })
    const pool: PoolWorker = {
      ask: (message, answer) =>
        new Promise((resolveAnswer, rejectAnswer) => {
          pending = { answer, resolve: resolveAnswer as (message: FromWorker) => void, reject: rejectAnswer }
          worker.postMessage(message)
        }),
      stop: async () => {
        worker.removeAllListeners("exit")
        await worker.terminate()
      }
    }
  })
