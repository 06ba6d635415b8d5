/**
 * wrk (https://github.com/wg/wrk) as a light closed-loop HTTP client: C
 * with an event loop per thread, so at 64 connections it measures the
 * server rather than the client, which Node's fetch on the same two cores
 * does not, and at one connection its own loop adds nothing to a write's
 * latency. Each system's own request (parley: `PUT /v1/kv/KEY`; etcd: its
 * gateway's `POST /v3/kv/put`, `POST /v3/kv/range` for a linearizable
 * read). wrk's summary comes back as data through a Lua `done` hook that
 * prints one JSON line.
 */
import { execFile, execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { HttpRequest } from "./target.ts"
import { value100 } from "./workload.ts"

export const wrkOnPath = (): boolean => {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" })
    return true
  } catch (error) {
    // wrk prints its usage and exits 1 on --version: it is there when it could be started at all.
    return typeof error === "object" && error !== null && "status" in error && error.status === 1
  }
}


export const parleyWrite: HttpRequest = { method: "PUT", path: "/v1/kv/wrk-key", body: value100 }

const b64 = (text: string): string => Buffer.from(text).toString("base64")
export const etcdWrite: HttpRequest = { method: "POST", path: "/v3/kv/put", body: JSON.stringify({ key: b64("wrk-key"), value: b64(value100) }) }

export interface WrkFigures {
  readonly connections: number
  readonly seconds: number
  readonly requests: number
  /** Non-2xx answers, socket errors and timeouts together. */
  readonly errors: number
  readonly requestsPerSecond: number
  readonly meanMs: number
  readonly p50Ms: number
  readonly p90Ms: number
  readonly p99Ms: number
}

const script = (request: HttpRequest): string => `
wrk.method = ${JSON.stringify(request.method)}
wrk.path = ${JSON.stringify(request.path)}
${request.body === undefined ? "" : `wrk.body = ${JSON.stringify(request.body)}\nwrk.headers["Content-Type"] = "application/json"`}
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format('WRK {"requests":%d,"errors":%d,"micros":%d,"mean":%f,"p50":%d,"p90":%d,"p99":%d}\\n',
    summary.requests, errors, summary.duration, latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
`

const ms = (micros: number): number => Math.round(micros / 10) / 100

/** Runs wrk with `connections` connections (one thread, two from two connections on) against `baseUrl` for `seconds`. */
export const runWrk = async (baseUrl: string, request: HttpRequest, connections: number, seconds: number): Promise<WrkFigures> => {
  const dir = mkdtempSync(join(tmpdir(), "parley-wrk-"))
  try {
    const scriptFile = join(dir, "write.lua")
    writeFileSync(scriptFile, script(request))
    const args = [`-t${Math.min(2, connections)}`, `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", scriptFile, baseUrl]
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile("wrk", args, { timeout: (seconds + 30) * 1000 }, (error, out) => error === null ? resolve(out) : reject(error))
    )
    const line = stdout.split("\n").find((l) => l.startsWith("WRK "))
    if (line === undefined) throw new Error(`wrk printed no summary:\n${stdout}`)
    const raw = JSON.parse(line.slice(4)) as { requests: number; errors: number; micros: number; mean: number; p50: number; p90: number; p99: number }
    const elapsed = raw.micros / 1e6
    return {
      connections,
      seconds: Math.round(elapsed * 100) / 100,
      requests: raw.requests,
      errors: raw.errors,
      requestsPerSecond: Math.round((raw.requests - raw.errors) / elapsed),
      meanMs: ms(raw.mean),
      p50Ms: ms(raw.p50),
      p90Ms: ms(raw.p90),
      p99Ms: ms(raw.p99)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
