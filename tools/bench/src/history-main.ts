/**
 * `npm run bench:history`: the linearizability checker on histories
 * simulated from a seed (`tools/history/src/simulate.ts`): a 50-client
 * key-value history of about 1,700 operations with a stale read injected,
 * 10-client register histories of 10,000 operations with a few hundred
 * crashed clients, and 80-operation ones where two in five crash. One JSON line per history: its verdict, the check's
 * time, the configurations explored, the largest memo, and the peak
 * resident memory of the process (each history is checked in a fresh one,
 * generation included). Arguments, if any, pick histories by name;
 * `--write DIR` also writes each history as JSON lines, for
 * `parley history check`.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { checkHistory, findModel, pairOperations, simulateHistory } from "@parley/history"
import type { SimulationOptions } from "@parley/history"
import { Result } from "effect"

interface Scenario {
  readonly name: string
  readonly model: string
  readonly simulation: SimulationOptions
}

const kv: SimulationOptions = { seed: 1, clients: 50, operations: 1700, keys: 5, values: "unique", crashRate: 0.02, readRate: 0.5, casRate: 0.2 }
/** Jepsen's cas-register workload: values 0 to 4, reads, writes and compare-and-sets. */
const jepsenRegister: SimulationOptions = { seed: 2, clients: 10, operations: 10_000, values: 5, crashRate: 0.05, readRate: 0.5, casRate: 0.25 }

const scenarios: ReadonlyArray<Scenario> = [
  { name: "kv-50-clients-stale-read", model: "kv", simulation: { ...kv, staleReadAt: 0.6 } },
  { name: "kv-50-clients", model: "kv", simulation: kv },
  { name: "register-10k", model: "cas-register", simulation: jepsenRegister },
  { name: "register-10k-stale-read", model: "cas-register", simulation: { ...jepsenRegister, staleReadAt: 0.5 } },
  { name: "register-10k-unique-values", model: "cas-register", simulation: { ...jepsenRegister, values: "unique", crashRate: 0.04 } },
  { name: "register-80-many-crashes", model: "cas-register", simulation: { ...jepsenRegister, clients: 5, operations: 80, crashRate: 0.4, seed: 5 } },
  {
    name: "register-80-many-crashes-stale-read",
    model: "cas-register",
    simulation: { ...jepsenRegister, clients: 5, operations: 80, crashRate: 0.4, seed: 5, values: "unique", staleReadAt: 0.7 }
  },
  { name: "register-10k-unique-values-stale-read", model: "cas-register", simulation: { ...jepsenRegister, values: "unique", crashRate: 0.04, staleReadAt: 0.5 } }
]

const budget = { maxMilliseconds: 60_000, maxMemoryBytes: 2 * 1024 ** 3 }

/** Simulates and checks one history in this process, and prints its figures. */
const run = (scenario: Scenario, writeTo: string | undefined) => {
  const records = simulateHistory(scenario.simulation)
  if (writeTo !== undefined) {
    mkdirSync(writeTo, { recursive: true })
    writeFileSync(join(writeTo, `${scenario.name}.jsonl`), records.map((record) => JSON.stringify(record)).join("\n") + "\n")
  }
  const model = findModel(scenario.model)!
  const history = pairOperations(model, records.map((record, index) => ({ line: index + 1, record })))
  if (Result.isFailure(history)) throw new Error(history.failure)
  const { verdict } = checkHistory(model, history.success, budget)
  console.log(JSON.stringify({
    bench: "history",
    history: scenario.name,
    model: scenario.model,
    clients: scenario.simulation.clients,
    operations: history.success.operations.length,
    unknownOutcome: history.success.counts.info + history.success.counts.open,
    verdict: verdict.verdict,
    checkMs: Math.round(verdict.stats.milliseconds),
    explored: verdict.stats.explored,
    memoMB: Math.round(verdict.stats.memoBytes / 1e5) / 10,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024)
  }))
}

const args = process.argv.slice(2)
const writeAt = args.indexOf("--write")
const writeTo = writeAt === -1 ? undefined : args[writeAt + 1]
const names = args.filter((arg, index) => (writeAt === -1 || (index !== writeAt && index !== writeAt + 1)) && arg !== "--child")
const chosen = scenarios.filter((scenario) => names.length === 0 || names.includes(scenario.name))
if (args.includes("--child")) for (const scenario of chosen) run(scenario, writeTo)
else {
  const self = fileURLToPath(import.meta.url)
  for (const scenario of chosen) {
    const extra = writeTo === undefined ? [] : ["--write", writeTo]
    process.stdout.write(execFileSync(process.execPath, [...process.execArgv, self, "--child", scenario.name, ...extra], { encoding: "utf8" }))
  }
}
