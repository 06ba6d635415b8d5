import { checkHistory, findModel, pairOperations } from "./src/index.ts"
import { simulateHistory } from "./src/simulate.ts"
import { Result } from "effect"
const cases: Array<[string, Parameters<typeof simulateHistory>[0], string]> = [
  ["kv50", { seed: 1, clients: 50, operations: 1700, keys: 8, values: "unique", crashRate: 0.01, readRate: 0.5, casRate: 0.2, staleReadAt: 0.7 }, "kv"],
  ["kv50-clean", { seed: 1, clients: 50, operations: 1700, keys: 8, values: "unique", crashRate: 0.01, readRate: 0.5, casRate: 0.2 }, "kv"],
  ["reg10k", { seed: 2, clients: 10, operations: 10000, values: 5, crashRate: 0.04, readRate: 0.5, casRate: 0.25 }, "cas-register"],
  ["reg10k-unique", { seed: 2, clients: 10, operations: 10000, values: "unique", crashRate: 0.04, readRate: 0.5, casRate: 0.25 }, "cas-register"],
  ["reg10k-stale", { seed: 2, clients: 10, operations: 10000, values: "unique", crashRate: 0.04, readRate: 0.5, casRate: 0.25, staleReadAt: 0.5 }, "cas-register"],
]
const only = process.argv[2]
for (const [name, options, modelName] of cases) {
  if (only && name !== only) continue
  const records = simulateHistory(options).map((record, i) => ({ line: i + 1, record }))
  const model = findModel(modelName)!
  const history = pairOperations(model, records)
  if (Result.isFailure(history)) throw new Error(history.failure)
  const t = performance.now()
  const checked = checkHistory(model, history.success, { maxMilliseconds: 20000, maxMemoryBytes: 2e9 })
  console.log(name, checked.verdict.verdict, history.success.counts, Math.round(performance.now() - t), "ms", checked.verdict.stats, checked.verdict.blocked)
}
