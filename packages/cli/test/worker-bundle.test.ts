import { checkSwarm } from "@parley/checker"
import type { ModelSource } from "@parley/checker"
import { defaultConfig } from "@parley/core"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, describe, expect, it, onTestFinished } from "vitest"
import { workerBundle } from "../bin/worker-bundle.mjs"
import { registry } from "../src/registry.ts"
import { workerSource } from "../src/worker-source.ts"

// A model module of its own in a scratch directory: a counter from 0 to `top`, one state a step.
const scratch = mkdtempSync(join(tmpdir(), "parley-worker-bundle-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const counter = join(scratch, "counter.ts")
const cacheDir = join(scratch, "cache")
const writeCounter = (top: number) =>
  writeFileSync(counter, `export const counterModel = (): object => ({
  init: () => [0],
  actions: () => ["inc"],
  next: (n: number) => (n < ${top} ? n + 1 : undefined),
  properties: [],
  describe: () => ({ _tag: "Local", node: "counter", label: "inc" }),
  lanes: (n: number) => ({ counter: n })
})
`)
const source: ModelSource = { module: pathToFileURL(counter).href, export: "counterModel", input: null }

const bundled = async () => {
  const result = await workerBundle({ modules: [source.module], cacheDir })
  if (result._tag === "Failed") throw new Error(result.reason)
  return result
}

/** The states each worker thread of a swarm reached, one walk each to the counter's end (walker 0 is the main thread's). */
const walked = async (bundle: string) => {
  const swarm = await checkSwarm({ ...source, bundle }, { strategy: "sim", walks: 1, maxDepth: 100, seed: 1 }, 3)
  return swarm.perWalker.slice(1).map((walker) => walker.distinctStates)
}

describe("a worker bundle", () => {
  let first = ""

  it("is built the first time, and its threads build the model from the module it carries", async () => {
    writeCounter(10)
    const result = await bundled()
    expect(result._tag).toBe("Built")
    first = result.path
    expect(await walked(first)).toEqual([11, 11])
    // The threads kept V8's code for the bundle beside it, for the next threads not to compile it again.
    expect(existsSync(`${first}.v8`)).toBe(true)
    expect(await bundled()).toEqual({ _tag: "Fresh", path: first })
  }, 60_000)

  it("is built again when the module changes; threads from the old one still run the old code, not the source", async () => {
    writeCounter(20)
    const result = await bundled()
    expect(result._tag).toBe("Built")
    expect(result.path).not.toBe(first)
    expect(await walked(result.path)).toEqual([21, 21])
    expect(await walked(first)).toEqual([11, 11])
  }, 60_000)
})

describe("the CLI's worker threads", () => {
  const twoPc = registry.find((spec) => spec.name === "2pc")!

  it("run from the spec's bundle, carrying the CLI's model builder and the spec's module", async () => {
    const found = await workerSource(twoPc, defaultConfig(twoPc))
    expect(found.module).toMatch(/worker-model\.ts$/)
    expect(found.bundle !== undefined && existsSync(found.bundle)).toBe(true)
  }, 60_000)

  it("run from source under tsx with PARLEY_BUNDLE=off", async () => {
    const before = process.env["PARLEY_BUNDLE"]
    process.env["PARLEY_BUNDLE"] = "off"
    onTestFinished(() => {
      if (before === undefined) delete process.env["PARLEY_BUNDLE"]
      else process.env["PARLEY_BUNDLE"] = before
    })
    expect((await workerSource(twoPc, defaultConfig(twoPc))).bundle).toBeUndefined()
  })
})
