import { awaitLeader, clusterAccess, clusterDown, clusterKill, clusterRestart, clusterStatus, clusterUp, eventFilePattern, readCluster } from "@parley/runtime"
import type { Launcher } from "@parley/runtime"
import { Effect, Result } from "effect"
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { DatabaseSync } from "node:sqlite"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { cpuMs, diskBytes, rssMiB } from "./proc.ts"
import { memberFetch } from "./target.ts"
import type { ClusterTarget, Member } from "./target.ts"

const launcher: Launcher = {
  executable: process.execPath,
  args: [fileURLToPath(new URL("../../../../packages/cli/bin/parley.mjs", import.meta.url))]
}

/** The event log's files of `node`, none when it logs nothing. */
const eventFiles = (dir: string, node: string): ReadonlyArray<string> => {
  const events = join(dir, "events")
  return existsSync(events) ? readdirSync(events).filter((name) => eventFilePattern(node).test(name)).map((name) => join(events, name)) : []
}

/**
 * A 3-node `parley cluster` of `spec` (raft unless named) with its default timers, in a fresh directory; with its event log unless told not,
 * and the spec's `options` (the cluster file's), named in the system's label after `label`; with `clientTls`, its client API over HTTPS
 * (`cluster up --client-tls`), trusted by the cluster's CA.
 */
export const startParley = async (
  basePort: number,
  spec = "raft",
  eventLog = true,
  options?: { readonly label: string; readonly values: Readonly<Record<string, unknown>> },
  clientTls = false
): Promise<ClusterTarget> => {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-"))
  await Effect.runPromise(clusterUp({ spec, nodes: 3, dir, basePort, launcher, eventLog, clientTls, ...(options === undefined ? {} : { options: options.values }) }))
  const nodes = Result.getOrThrow(readCluster(dir)).nodes
  const trust = Result.getOrThrow(clusterAccess(dir)).trust
  const members: ReadonlyArray<Member> = nodes.map((node) =>
    trust === undefined ? { id: node.id, url: `http://${node.client}` } : { id: node.id, url: `https://${node.client}`, dispatcher: trust.dispatcher })
  const pids = async (): Promise<ReadonlyArray<number | undefined>> => (await Effect.runPromise(clusterStatus(dir))).map((report) => report.pid)
  return {
    system: `parley ${spec}${eventLog ? "" : " (no event log)"}${options === undefined ? "" : ` (${options.label})`}${clientTls ? " (client TLS)" : ""}`,
    members,
    rssMiB: async () => (await pids()).map((pid) => (pid === undefined ? undefined : rssMiB(pid)) ?? 0),
    cpuMs: async () => (await pids()).map((pid) => (pid === undefined ? undefined : cpuMs(pid)) ?? 0),
    pids,
    readRequest: (key) => ({ method: "GET", path: `/v1/kv/${key}` }),
    read: async (member, key) => {
      const response = await memberFetch(member, `/v1/kv/${key}`, { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      return response.status === 200
    },
    // A node's sqlite files and its event log (DIR/events/ID.events.N.jsonl, when on).
    diskBytes: async () =>
      nodes.map((node) =>
        ["", "-wal", "-shm"].reduce((total, suffix) => total + diskBytes(join(dir, `${node.id}.sqlite${suffix}`)), 0) +
        eventFiles(dir, node.id).reduce((total, file) => total + diskBytes(file), 0)
      ),
    durableReadMs: async (member) => {
      const start = performance.now()
      const db = new DatabaseSync(join(dir, `${member.id}.sqlite`), { readOnly: true })
      try {
        for (const row of db.prepare("SELECT json FROM field").all()) if (typeof row["json"] === "string") JSON.parse(row["json"])
        for (const row of db.prepare("SELECT json FROM element ORDER BY name, idx").all()) JSON.parse(String(row["json"]))
      } finally {
        db.close()
      }
      return Math.round((performance.now() - start) * 10) / 10
    },
    put: async (member, key, value, timeoutMs) => {
      const response = await memberFetch(member, `/v1/kv/${key}?timeout=${timeoutMs}`, { method: "PUT", body: value, signal: AbortSignal.timeout(timeoutMs) })
      await response.arrayBuffer()
      return response.status === 200
    },
    leader: async () => {
      const { leader } = await Effect.runPromise(awaitLeader(dir, 30_000))
      return members.find((member) => member.id === leader.id)!
    },
    kill: async (member) => {
      await Effect.runPromise(clusterKill(dir, member.id))
    },
    restart: async (member) => {
      await Effect.runPromise(clusterRestart(dir, member.id, launcher))
      await Effect.runPromise(awaitLeader(dir, 30_000))
    },
    stop: async () => {
      await Effect.runPromise(clusterDown(dir))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
