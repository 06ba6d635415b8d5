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
  startYoungGenerationsLarger()
  const bundle = job.setup.source.bundle
  return bundle === undefined
    ? new Worker(sourceScript, { workerData: job, execArgv: ["--import", tsxLoader] })
    // No Node options: a thread inherits its parent's by default, and a loader the parent runs under (tsx) is what the bundle spares it.
    : new Worker(startFromBundle(bundle), { eval: true, workerData: job, execArgv: [] })
}

/**
 * The semi-space a new isolate's young generation starts with, in
 * megabytes: V8 starts it at 1 MB and doubles it as the program allocates,
 * up to 64 MB, and each size on the way costs a few scavenges. The main
 * thread has grown its own by the time a worker takes part; a worker
 * starting at 1 MB went through 41 scavenges where the main thread, for as
 * much work, went through 30 or so, and on two threads every scavenge costs
 * its whole work in wall time, as V8's helper threads that share it with
 * the main thread on one find no idle core (see `docs/figures.md`).
 */
const WORKER_SEMI_SPACE_MB = Number(process.env["PARLEY_WORKER_SEMI_SPACE_MB"] ?? 16)

let youngGenerationsSized = false

/**
 * Has every isolate started from now on begin with a young generation of
 * `WORKER_SEMI_SPACE_MB`. A Worker's `execArgv` refuses V8 flags and its
 * `resourceLimits` set only the largest size; V8 reads this flag when it
 * sets up a new isolate's heap, so it applies to the threads started
 * after, and leaves the running isolate as it is.
 */
const startYoungGenerationsLarger = (): void => {
  if (youngGenerationsSized) return
  youngGenerationsSized = true
  setFlagsFromString(`--min-semi-space-size=${WORKER_SEMI_SPACE_MB}`)
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
