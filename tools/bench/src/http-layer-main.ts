/**
 * `npm run bench:http-layer -- [SECONDS] [ROUNDS]`: what serving a node's
 * client API through effect's HttpApi would cost beside the runtime's own
 * router, the HTTP layer alone (`http-layer/servers.ts`: the same
 * `PUT /v1/kv/{key}` route with the same Schemas, answered at once, each
 * layer in a process of its own, both up at once). `wrk` (Debian's) at one
 * connection and at 32, in phases whose order turns each round; per phase,
 * requests/s and the server's CPU per request from /proc. Prints a line a
 * phase, then per layer and connection count the median and worst round,
 * and HttpApi's over the runtime's. Defaults: 4 s phases, 5 rounds, after
 * one unmeasured phase per layer (warm-up).
 */
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import { cpuMs } from "./cluster/proc.ts"
import { runWrk, wrkOnPath } from "./cluster/wrk.ts"
import type { HttpRequest } from "./cluster/target.ts"
import { value100 } from "./cluster/workload.ts"

const seconds = Number(process.argv[2] ?? 4)
const rounds = Number(process.argv[3] ?? 5)
const layers = [{ name: "runtime", port: 7391 }, { name: "httpapi", port: 7392 }] as const
const write: HttpRequest = { method: "PUT", path: "/v1/kv/wrk-key", body: JSON.stringify({ value: value100 }) }
const servers = fileURLToPath(new URL("./http-layer/servers.ts", import.meta.url))

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const start = (name: string, port: number): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, servers, name, String(port)], { stdio: ["ignore", "pipe", "inherit"] })
    child.once("exit", (code) => reject(new Error(`the ${name} server exited with ${code} before it listened`)))
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) resolve(child)
    })
  })

interface Phase {
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly cpuUsPerRequest: number
}

const phase = async (pid: number, port: number, connections: number): Promise<Phase> => {
  const before = cpuMs(pid)!
  const figures = await runWrk(`http://127.0.0.1:${port}`, write, connections, seconds)
  if (figures.errors > 0) throw new Error(`${figures.errors} requests failed on port ${port}`)
  const cpuUsPerRequest = Math.round(((cpuMs(pid)! - before) * 1000) / figures.requests)
  return { requestsPerSecond: figures.requestsPerSecond, p50Ms: figures.p50Ms, cpuUsPerRequest }
}

if (!wrkOnPath()) {
  console.log(JSON.stringify({ bench: "http-layer", skipped: "needs wrk on the PATH (Debian package wrk)" }))
} else {
  const children = await Promise.all(layers.map(({ name, port }) => start(name, port)))
  try {
    const results = new Map<string, Array<Phase>>()
    for (const [i, { port }] of layers.entries()) await phase(children[i]!.pid!, port, 8)
    for (let round = 0; round < rounds; round++) {
      for (const connections of [1, 32]) {
        const order = round % 2 === 0 ? [0, 1] : [1, 0]
        for (const i of order) {
          const { name, port } = layers[i]!
          const figures = await phase(children[i]!.pid!, port, connections)
          console.log(JSON.stringify({ bench: "http-layer", round, layer: name, connections, ...figures }))
          const key = `${name}/${connections}`
          results.set(key, [...(results.get(key) ?? []), figures])
        }
      }
    }
    for (const connections of [1, 32]) {
      const of = (name: string) => results.get(`${name}/${connections}`)!
      const summary = (name: string) => ({
        requestsPerSecond: { median: median(of(name).map((p) => p.requestsPerSecond)), worst: Math.min(...of(name).map((p) => p.requestsPerSecond)) },
        cpuUsPerRequest: { median: median(of(name).map((p) => p.cpuUsPerRequest)), worst: Math.max(...of(name).map((p) => p.cpuUsPerRequest)) }
      })
      const runtime = summary("runtime")
      const httpapi = summary("httpapi")
      console.log(JSON.stringify({
        bench: "http-layer-summary",
        connections,
        runtime,
        httpapi,
        httpApiRateOverRuntime: Math.round((httpapi.requestsPerSecond.median / runtime.requestsPerSecond.median) * 100) / 100,
        httpApiCpuOverRuntime: Math.round((httpapi.cpuUsPerRequest.median / runtime.cpuUsPerRequest.median) * 100) / 100
      }))
    }
  } finally {
    for (const child of children) child.kill("SIGKILL")
  }
}
