/**
 * wrk (https://github.com/wg/wrk) as a light closed-loop HTTP client: C
 * with an event loop per thread, so at 64 connections it measures the
 * server rather than the client, which Node's fetch on the same two cores
 * does not. A POST body goes through a Lua script, as wrk takes it.
 */
import { execFile, execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ReadRequest } from "./target.ts"

export const wrkOnPath = (): boolean => {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" })
    return true
  } catch (error) {
    // wrk --version prints its banner and exits 1.
    return (error as { status?: number }).status === 1
  }
}

export interface WrkFigures {
  readonly concurrency: number
  readonly seconds: number
  readonly requests: number
  /** Answers other than 2xx/3xx, and socket errors (connect, read, write, timeout). */
  readonly failed: number
  readonly opsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
}

const toMs = (text: string): number => {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text)
  if (match === null) return NaN
  const value = Number(match[1])
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value
}

const luaString = (text: string): string => JSON.stringify(text)

/** Parses wrk's `--latency` report: requests, rate, failures, the 50th and 99th percentiles. */
export const parseWrk = (output: string, concurrency: number, seconds: number): WrkFigures => {
  const number = (pattern: RegExp): number => Number(pattern.exec(output)?.[1] ?? NaN)
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  const failed = number(/Non-2xx or 3xx responses: (\d+)/) || 0
  return {
    concurrency,
    seconds,
    requests: number(/(\d+) requests in/),
    failed: failed + (socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0)),
    opsPerSecond: Math.round(number(/Requests\/sec:\s+([\d.]+)/)),
    p50Ms: toMs(/^\s+50%\s+(\S+)/m.exec(output)?.[1] ?? ""),
    p99Ms: toMs(/^\s+99%\s+(\S+)/m.exec(output)?.[1] ?? "")
  }
}

/** `concurrency` connections sending `request` for `seconds` (one wrk thread, two from 2 connections on). */
export const wrkLoad = async (request: ReadRequest, concurrency: number, seconds: number): Promise<WrkFigures> => {
  const dir = mkdtempSync(join(tmpdir(), "wrk-"))
  const script = join(dir, "request.lua")
  writeFileSync(script, [
    `wrk.method = ${luaString(request.method)}`,
    ...(request.body === undefined ? [] : [`wrk.body = ${luaString(request.body)}`, `wrk.headers["Content-Type"] = "application/json"`])
  ].join("\n") + "\n")
  const threads = String(Math.min(2, concurrency))
  try {
    const output = await new Promise<string>((resolve, reject) =>
      execFile("wrk", ["-t", threads, "-c", String(concurrency), "-d", `${seconds}s`, "--latency", "-s", script, request.url], { timeout: (seconds + 30) * 1000 }, (error, stdout) =>
        error === null ? resolve(stdout) : reject(error)))
    return parseWrk(output, concurrency, seconds)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
