/**
 * The worker threads of a parallel search, each running `check-worker.ts`
 * and answering one request at a time.
 */
import { Worker } from "node:worker_threads"
import type { FromWorker, ToWorker, WorkerSetup } from "./check-worker.ts"

export interface PoolWorker {
  ask<T extends FromWorker["_tag"]>(message: ToWorker, answer: T): Promise<Extract<FromWorker, { _tag: T }>>
  stop(): Promise<void>
}

const workerScript = new URL("./check-worker.ts", import.meta.url)
/** Resolved here rather than by the worker, which may start in any directory. */
const tsxLoader = import.meta.resolve("tsx")

/** A worker that runs TypeScript through tsx, as the repository runs everything, and answers one request at a time. */
export const startWorker = (setup: WorkerSetup): Promise<PoolWorker> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(workerScript, { workerData: setup, execArgv: ["--import", tsxLoader] })
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
