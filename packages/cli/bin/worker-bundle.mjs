// @ts-check
/**
 * The checker's worker threads as prebuilt code: a thread started from
 * source runs under tsx, which compiles and loads the checker, the spec and
 * all of `@parley/core` (effect with it) before the thread takes any state,
 * about a second of CPU a thread. A worker bundle is the thread's entry
 * (`@parley/checker/worker`) with the modules its model is built from, one
 * bundle per list of modules (a spec's: the CLI's `worker-model.ts` and the
 * spec's module), built on demand and kept fresh as the CLI's own bundle is
 * (`cli-bundle.mjs`). The bundle hands the thread its copies of those
 * modules (`preloadModules`), so that the model source's imports find them
 * rather than the sources.
 *
 * Why a bundle per spec rather than one carrying the CLI's whole registry:
 * a thread then loads only the spec it checks (about a fifth of the
 * registry's code), and editing one spec leaves the others' bundles fresh.
 */
import { createHash } from "node:crypto"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { freshBundle } from "./cli-bundle.mjs"

const root = fileURLToPath(new URL("../../..", import.meta.url))

/**
 * @typedef {object} WorkerBundleRequest
 * @property {ReadonlyArray<string>} modules the file URLs of the modules the thread's model is built from
 * @property {string} [cacheDir] where bundles are kept: the CLI's cache unless given
 */

/**
 * A fresh worker bundle carrying `modules`: from the cache, or built now.
 * Never throws: a failure says why, for the caller to run the threads from
 * source instead.
 * @param {WorkerBundleRequest} request
 * @returns {Promise<import("./cli-bundle.mjs").BundleResult>}
 */
export const workerBundle = ({ modules, cacheDir = join(root, "node_modules", ".cache", "parley") }) => {
  const entrySource = [
    `import { preloadModules, runWorkerJob } from "@parley/checker/worker"`,
    ...modules.map((module, i) => `import * as module${i} from ${JSON.stringify(fileURLToPath(module))}`),
    `preloadModules({ ${modules.map((module, i) => `${JSON.stringify(module)}: module${i}`).join(", ")} })`,
    `await runWorkerJob()`,
    ""
  ].join("\n")
  const name = `worker-${createHash("sha256").update(modules.join("\n")).digest("hex").slice(0, 12)}`
  // Named as a file beside this one, so that its imports resolve as this package's do.
  return freshBundle({ root, entry: fileURLToPath(new URL("./worker-entry.mjs", import.meta.url)), entrySource, cacheDir, name })
}
