import { systemModel, check, replay } from "../../../tools/checker/src/index.ts"
import { raftSpec, formatRaftRequest } from "../src/index.ts"
const built = raftSpec.buildWith({})
if (built._tag !== "System") throw new Error()
const model = systemModel(built.system)
const result = check(model, { strategy: "bfs" })
console.log(result.unreached, result.distinctStates, result.reached.map((r) => r.property)); const w = result.reached.find((r) => r.property === "AnsweredByTwoLeaders")!
const { initial, steps } = replay(model, w.path)
let s = initial
for (const step of steps) { console.log(JSON.stringify(model.describe(s, step.action)).slice(0, 160)); s = step.state }
console.log(JSON.stringify(s.history))
