/**
 * A local cluster's directory, as `parley cluster` keeps it:
 *   cluster.json     the cluster file every node reads
 *   cluster.secret   the key peers prove to each other, mode 0600 (credentials.ts)
 *   client.token     the clients' bearer token, mode 0600
 *   ID.pid           the node's process id while it runs
 *   ID.log           the node's JSON log lines
 *   ID.sqlite        the node's durable state
 *   events/          each node's event log (event-log.ts), unless turned off
 *   partition.json   the partition in force, re-applied to a node on restart
 */
import type { NodeId } from "@parley/core"
import { Result, Schema } from "effect"
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ClusterFile, oneLine } from "./cluster-file.ts"
import type { NodeEntry } from "./cluster-file.ts"
import { ClusterControlError } from "./errors.ts"

export const clusterFilePath = (dir: string): string => join(dir, "cluster.json")
export const pidPath = (dir: string, id: NodeId): string => join(dir, `${id}.pid`)
export const logPath = (dir: string, id: NodeId): string => join(dir, `${id}.log`)
const partitionPath = (dir: string): string => join(dir, "partition.json")

const Partition = Schema.Record(Schema.String, Schema.Array(Schema.String))
/** For each node, the nodes it drops traffic with. */
export type Partition = typeof Partition.Type

export const readCluster = (dir: string): Result.Result<ClusterFile, ClusterControlError> => {
  const path = clusterFilePath(dir)
  if (!existsSync(path)) return Result.fail(new ClusterControlError({ message: `no cluster in ${dir}: ${path} does not exist (start one with \`parley cluster up\`)` }))
  try {
    const decoded = Schema.decodeUnknownResult(ClusterFile)(JSON.parse(readFileSync(path, "utf8")))
    if (Result.isSuccess(decoded)) return Result.succeed(decoded.success)
    return Result.fail(new ClusterControlError({ message: `${path} is not a cluster file: ${oneLine(decoded.failure.message)}` }))
  } catch (error) {
    return Result.fail(new ClusterControlError({ message: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}` }))
  }
}

/**
 * Writes the cluster file whole, by a rename, so that a running node that
 * re-reads it for its peers (address-book.ts) never sees half of it.
 */
export const writeCluster = (dir: string, file: ClusterFile): void => {
  const path = clusterFilePath(dir)
  writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 2) + "\n")
  renameSync(`${path}.tmp`, path)
}

/** The node's process id, when its pid file names a live process. */
export const livePid = (dir: string, id: NodeId): number | undefined => {
  const path = pidPath(dir, id)
  if (!existsSync(path)) return undefined
  const pid = Number(readFileSync(path, "utf8").trim())
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  try {
    process.kill(pid, 0)
  } catch {
    return undefined
  }
  return isZombie(pid) ? undefined : pid
}

/** A killed process nobody has reaped yet still answers signal 0; on Linux, /proc says it is a zombie. */
const isZombie = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")
  } catch {
    return false
  }
}

export const forgetPid = (dir: string, id: NodeId): void => rmSync(pidPath(dir, id), { force: true })

export const readPartition = (dir: string): Partition => {
  const path = partitionPath(dir)
  if (!existsSync(path)) return {}
  const decoded = Schema.decodeUnknownResult(Partition)(JSON.parse(readFileSync(path, "utf8")))
  return Result.isSuccess(decoded) ? decoded.success : {}
}

export const writePartition = (dir: string, partition: Partition): void => {
  if (Object.keys(partition).length === 0) rmSync(partitionPath(dir), { force: true })
  else writeFileSync(partitionPath(dir), JSON.stringify(partition, null, 2) + "\n")
}

/**
 * `A,B/C`: the nodes left of the slash lose contact with those right of it.
 * Nodes named on neither side keep talking to both.
 */
export const parsePartition = (text: string, nodes: ReadonlyArray<NodeEntry>): Result.Result<Partition, ClusterControlError> => {
  const fail = (why: string) => Result.fail(new ClusterControlError({ message: `partition ${JSON.stringify(text)}: ${why}` }))
  const sides = text.split("/").map((side) => side.split(",").map((id) => id.trim()).filter((id) => id.length > 0))
  if (sides.length !== 2 || sides[0]!.length === 0 || sides[1]!.length === 0) return fail("expected two sides such as n1,n2/n3")
  const known = new Set(nodes.map((node) => node.id))
  const unknown = sides.flat().filter((id) => !known.has(id))
  if (unknown.length > 0) return fail(`no node ${unknown.join(", ")}; the nodes: ${[...known].join(", ")}`)
  const [left, right] = sides as [Array<string>, Array<string>]
  const both = left.filter((id) => right.includes(id))
  if (both.length > 0) return fail(`${both.join(", ")} on both sides`)
  const partition: Record<NodeId, ReadonlyArray<NodeId>> = {}
  for (const id of left) partition[id] = right
  for (const id of right) partition[id] = left
  return Result.succeed(partition)
}
