import { defaultConfig } from "@parley/core"
import { systemModel } from "../../../tools/checker/src/actor-system.ts"
import { check } from "../../../tools/checker/src/search.ts"
import { raftSpec } from "../src/index.ts"
import { multiPaxosSpec } from "../../paxos/src/index.ts"

const [which, json, max, sym, aside] = process.argv.slice(2)
const spec = which === "mp" ? multiPaxosSpec : raftSpec
const overrides = JSON.parse(json ?? "{}")
const config = { ...defaultConfig(spec), ...overrides }
const built = spec.build(config)
if (built._tag !== "System") throw new Error("not a system")
const asideNames = (aside ?? "").split(",").filter((x) => x)
const system = { ...built.system, properties: built.system.properties.filter((p: { name: string }) => !asideNames.includes(p.name)), transitions: (built.system.transitions ?? []).filter((p: { name: string }) => !asideNames.includes(p.name)) }
const model = systemModel(system as typeof built.system)
const t0 = Date.now()
const result = check(model as never, {
  strategy: "bfs",
  maxStates: Number(max ?? 3_000_000),
  symmetry: sym === "sym",
  onProgress: (p) => console.error(`  ${p.distinctStates} depth ${p.depth} ${Math.round(p.elapsedMs / 1000)}s`),
  progressIntervalMs: 20000
})
console.log(JSON.stringify({
  overrides, result: result.result, states: result.distinctStates, depth: result.maxDepth, s: (Date.now() - t0) / 1000,
  violation: result.violation && { property: result.violation.property, depth: result.violation.path.actionIndices.length },
  unreached: result.unreached
}))
