/**
 * A 3-member etcd cluster on loopback with etcd's default timeouts
 * (heartbeat 100 ms, election 1000 ms), written to through its JSON gateway
 * (`POST /v3/kv/put`, keys and values base64), the same HTTP/JSON path
 * parley's API offers. Its peers talk plain HTTP unless `peerTls`: then
 * HTTPS with certificates each member makes itself (`--peer-auto-tls`),
 * encrypted as parley's peer links are (TLS 1.3 keyed by the cluster secret).
 * With `clientTls` its clients speak HTTPS too (`--auto-tls`, a certificate
 * each member makes itself, which the bench's clients take unverified: it
 * is the bench's own etcd on loopback), as parley's `--client-tls` does.
 */
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { execFileSync } from "node:child_process"
import { mkdtempSync, openSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Agent } from "undici"
import { cpuMs, diskBytes, rssMiB } from "./proc.ts"
import { memberFetch } from "./target.ts"
import type { ClusterTarget, Member } from "./target.ts"

export const etcdOnPath = (): boolean => {
  try {
    execFileSync("etcd", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

const b64 = (text: string): string => Buffer.from(text).toString("base64")

const post = async (member: Member, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
  const response = await memberFetch(member, path, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) })
  return { status: response.status, json: await response.json() as Record<string, unknown> }
}

export interface EtcdOptions {
  /** Peers over TLS (`--peer-auto-tls`), for a comparison with links as encrypted as parley's. */
  readonly peerTls?: boolean
  /** Clients over HTTPS (`--auto-tls`), for a comparison with parley's `--client-tls`. */
  readonly clientTls?: boolean
}

export const startEtcd = async (basePort: number, options: EtcdOptions = {}): Promise<ClusterTarget> => {
  const dir = mkdtempSync(join(tmpdir(), "etcd-bench-"))
  const peerScheme = options.peerTls === true ? "https" : "http"
  const ids = ["e1", "e2", "e3"]
  const clientPort = (i: number) => basePort + i + 1
  const peerPort = (i: number) => basePort + 100 + i + 1
  const initialCluster = ids.map((id, i) => `${id}=${peerScheme}://127.0.0.1:${peerPort(i)}`).join(",")
  const clientScheme = options.clientTls === true ? "https" : "http"
  const unverified = options.clientTls === true ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined
  const members: ReadonlyArray<Member> = ids.map((id, i) => ({
    id,
    url: `${clientScheme}://127.0.0.1:${clientPort(i)}`,
    ...(unverified === undefined ? {} : { dispatcher: unverified })
  }))
  const processes = new Map<string, ChildProcess>()
  const launch = (i: number) => {
    const id = ids[i]!
    const log = openSync(join(dir, `${id}.log`), "a")
    processes.set(id, spawn("etcd", [
      "--name", id,
      "--data-dir", join(dir, id),
      "--listen-client-urls", `${clientScheme}://127.0.0.1:${clientPort(i)}`,
      "--advertise-client-urls", `${clientScheme}://127.0.0.1:${clientPort(i)}`,
      ...(options.clientTls === true ? ["--auto-tls"] : []),
      "--listen-peer-urls", `${peerScheme}://127.0.0.1:${peerPort(i)}`,
      "--initial-advertise-peer-urls", `${peerScheme}://127.0.0.1:${peerPort(i)}`,
      ...(options.peerTls === true ? ["--peer-auto-tls"] : []),
      "--initial-cluster", initialCluster,
      "--initial-cluster-token", "parley-bench",
      "--initial-cluster-state", "new"
    ], { stdio: ["ignore", log, log] }))
  }
  const leader = async (): Promise<Member> => {
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      for (const member of members) {
        if (processes.get(member.id)?.exitCode !== null || processes.get(member.id)?.signalCode !== null) continue
        const status = await post(member, "/v3/maintenance/status", {}).catch(() => undefined)
        const header = status?.json["header"] as { member_id?: string } | undefined
        if (status?.status === 200 && status.json["leader"] !== undefined && header?.member_id === status.json["leader"]) return member
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`etcd elected no leader within 30 s; logs in ${dir}`)
  }
  ids.forEach((_, i) => launch(i))
  try {
    await leader()
  } catch (error) {
    // A cluster that never came up (a port taken, say) is not left running.
    for (const child of processes.values()) child.kill("SIGKILL")
    throw error
  }
  return {
    system: `etcd${options.peerTls === true ? " (peer TLS)" : ""}${options.clientTls === true ? " (client TLS)" : ""}`,
    members,
    put: async (member, key, value, timeoutMs) => {
      const response = await memberFetch(member, "/v3/kv/put", { method: "POST", body: JSON.stringify({ key: b64(key), value: b64(value) }), signal: AbortSignal.timeout(timeoutMs) })
      await response.arrayBuffer()
      return response.status === 200
    },
    rssMiB: async () => ids.map((id) => {
      const pid = processes.get(id)?.pid
      return (pid === undefined ? undefined : rssMiB(pid)) ?? 0
    }),
    cpuMs: async () => ids.map((id) => {
      const pid = processes.get(id)?.pid
      return (pid === undefined ? undefined : cpuMs(pid)) ?? 0
    }),
    pids: async () => ids.map((id) => processes.get(id)?.pid),
    // serializable defaults to false: a linearizable read, through etcd's ReadIndex.
    readRequest: (key) => ({ method: "POST", path: "/v3/kv/range", body: JSON.stringify({ key: b64(key) }) }),
    read: async (member, key) => {
      const response = await memberFetch(member, "/v3/kv/range", { method: "POST", body: JSON.stringify({ key: b64(key) }), signal: AbortSignal.timeout(2000) })
      const json = await response.json() as { kvs?: ReadonlyArray<unknown> }
      return response.status === 200 && (json.kvs?.length ?? 0) > 0
    },
    diskBytes: async () => ids.map((id) => diskBytes(join(dir, id))),
    leader,
    kill: async (member) => {
      processes.get(member.id)!.kill("SIGKILL")
    },
    restart: async (member) => {
      launch(ids.indexOf(member.id))
      await leader()
    },
    stop: async () => {
      for (const child of processes.values()) child.kill("SIGKILL")
      await unverified?.close()
      await new Promise((resolve) => setTimeout(resolve, 300))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
