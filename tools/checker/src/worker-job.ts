/**
 * What every checker worker thread runs, by the role its job names: a
 * breadth-first search's worker (`check-worker.ts`) or a swarm's walker
 * (`swarm-worker.ts`). One entry for both, so that one prebuilt bundle
 * carries both (`@parley/checker/worker`, see
 * `packages/cli/bin/worker-bundle.mjs`); under tsx the thread runs
 * `worker-main.ts`, which calls it.
 */
import { workerData } from "node:worker_threads"
import type { WorkerSetup } from "./check-worker.ts"
import type { WalkerSetup } from "./swarm-worker.ts"

export { importModule, preloadModules } from "./model-source.ts"

export type WorkerJob =
  | { readonly role: "search"; readonly setup: WorkerSetup }
  | { readonly role: "walk"; readonly setup: WalkerSetup }

/** Runs the job the thread was started with (its `workerData`). */
export const runWorkerJob = async (): Promise<void> => {
  const job = workerData as WorkerJob
  if (job.role === "search") await (await import("./check-worker.ts")).runCheckWorker(job.setup)
  else await (await import("./swarm-worker.ts")).runWalker(job.setup)
}
