import { describe, expect, it } from "vitest"
import { checkParallel } from "../src/index.ts"
import { gridModel } from "./grid-model.ts"

describe("a parallel search whose worker thread cannot start", () => {
  it("stops with the reason instead of searching on the main thread alone", async () => {
    // The main thread is handed a model of 9 million states, searched for seconds; the worker's module does not exist, so its thread fails as it loads it.
    const source = { module: new URL("./no-such-model.ts", import.meta.url).href, export: "gridModel", input: { size: 3000 } }
    const search = checkParallel(source, { strategy: "bfs" }, 2, { model: gridModel({ size: 3000 }) })
    await expect(search).rejects.toThrow(/a checker worker thread could not start, so the search cannot run on 2 threads: .*no-such-model/)
  })

  it("stops with the reason when the search waits for its workers", async () => {
    const source = { module: new URL("./no-such-model.ts", import.meta.url).href, export: "gridModel", input: { size: 3 } }
    const search = checkParallel(source, { strategy: "bfs" }, 2, { model: gridModel({ size: 3 }), waitForWorkers: true })
    await expect(search).rejects.toThrow(/a checker worker thread could not start, so the search cannot run on 2 threads: .*no-such-model/)
  })
})
