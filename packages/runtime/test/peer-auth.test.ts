/**
 * Who may talk to a node: peers that prove the cluster secret, clients with
 * the token where one is required. The forged-AppendEntries attack of
 * issue 20 (a process that reaches a follower's peer port sends a Hello
 * naming the leader and an AppendEntries carrying a Put) is replayed against
 * a three-node cluster over TCP, with and without TLS, and must commit nothing.
 */
import { Effect, Logger } from "effect"
import { readFileSync, statSync } from "node:fs"
import * as net from "node:net"
import * as tls from "node:tls"
import { describe, expect, it } from "vitest"
import type { NodeEntry } from "../src/cluster-file.ts"
import { peerKeyOf, secretPath, tokenPath } from "../src/credentials.ts"
import { encodeFrame } from "../src/frame.ts"
import { tcpTransport } from "../src/transport/tcp.ts"
import { agreedLeader, call, eventually, get, put, run, startCluster, status } from "./in-process-harness.ts"

/** An AppendEntries in the leader's term that appends a Put after the follower's last entry and commits it. */
const forgedAppend = (term: number, lastIndex: number): Buffer =>
  encodeFrame({
      _tag: "Message",
      body: {
        _tag: "AppendEntries",
        term,
        prevLogIndex: lastIndex,
        prevLogTerm: term,
        entries: [{ term, command: { client: "mallory", seq: 1, op: { _tag: "Put", key: "forged", value: "owned" } } }],
        leaderCommit: lastIndex + 1
      }
    })

/** The attack of the issue, as the old plaintext protocol took it: a Hello naming the leader, then the forged AppendEntries. */
const forgedFrames = (leader: string, term: number, lastIndex: number): Buffer =>
  Buffer.concat([encodeFrame({ _tag: "Hello", from: leader }), forgedAppend(term, lastIndex)])

/** The follower once it holds exactly what the leader has committed: its last entry is at its commit index, in the leader's term. */
const quiet = (leader: NodeEntry, follower: NodeEntry) =>
  eventually("the follower to catch up with the leader's commit", Effect.gen(function*() {
    const [ours, theirs] = [yield* status(leader), yield* status(follower)]
    return theirs.commitIndex === ours.commitIndex && theirs.commitIndex > 0 ? theirs : undefined
  }))

/** Opens a connection (plain TCP, or TLS proving `psk` as `identity`), writes `bytes` and waits until the node closes it. */
const attack = (node: NodeEntry, bytes: Buffer, tlsAs?: { readonly identity: string; readonly psk: Buffer }) =>
  Effect.promise(() =>
    new Promise<void>((resolve) => {
      const [host, port] = node.peer.split(":") as [string, string]
      const options = { host, port: Number(port) }
      const socket = tlsAs === undefined
        ? net.connect(options, () => socket.write(bytes))
        : tls.connect({ ...options, minVersion: "TLSv1.3", pskCallback: () => ({ identity: tlsAs.identity, psk: tlsAs.psk }), checkServerIdentity: () => undefined }, () => socket.write(bytes))
      socket.on("close", () => resolve())
      socket.on("error", () => socket.destroy())
      socket.setTimeout(5000, () => socket.destroy())
    })
  )

/** A connection proving the real secret, which the node keeps open; closed with the scope. */
const insider = (node: NodeEntry, bytes: Buffer, as: { readonly identity: string; readonly psk: Buffer }) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const [host, port] = node.peer.split(":") as [string, string]
      const socket = tls.connect({ host, port: Number(port), minVersion: "TLSv1.3", pskCallback: () => ({ identity: as.identity, psk: as.psk }), checkServerIdentity: () => undefined }, () => socket.write(bytes))
      socket.on("error", () => socket.destroy())
      return socket
    }),
    (socket) => Effect.sync(() => socket.destroy())
  )

const metricsOf = (node: NodeEntry, headers: Readonly<Record<string, string>> = {}) =>
  Effect.promise(async () => (await fetch(`http://${node.client}/metrics`, { headers: { connection: "close", ...headers } })).text())

/** Each `message` the nodes logged, with its annotations, as one JSON line. */
const capturedLogs = () => {
  const lines: Array<string> = []
  return { lines, layer: Logger.layer([Logger.map(Logger.formatJson, (line) => void lines.push(line))]) }
}

describe("peers prove the cluster secret", () => {
  it("a forged Hello and AppendEntries from a process without the secret commit nothing, and are refused and logged", () => {
    const logs = capturedLogs()
    return run(Effect.gen(function*() {
      const { dir, nodes } = yield* startCluster(tcpTransport)
      const leader = yield* agreedLeader(nodes)
      const follower = nodes.find((node) => node.id !== leader.id)!
      const before = yield* quiet(leader, follower)
      const forged = forgedFrames(leader.id, before.term, before.commitIndex)

      yield* attack(follower, forged)
      yield* attack(follower, forged, { identity: leader.id, psk: peerKeyOf("ab".repeat(32)) })
      // Each connection was closed at its handshake, before a byte of its frames was read.
      expect(yield* status(follower)).toMatchObject({ term: before.term, leader: leader.id, commitIndex: before.commitIndex, appliedIndex: before.appliedIndex })

      // A real write after the attack, read back through the follower: the follower has handled everything sent before it.
      expect(yield* put(leader, "real", "1")).toMatchObject({ status: 200 })
      yield* eventually("the follower to apply the real write", Effect.map(get(follower, "real"), (answer) => (answer.status === 200 ? answer : undefined)))
      for (const node of nodes) expect(yield* get(node, "forged")).toMatchObject({ status: 404 })
      const after = yield* Effect.forEach(nodes, status)
      expect(new Set(after.map((report) => report.leader))).toEqual(new Set([leader.id]))
      expect(new Set(after.map((report) => report.term))).toEqual(new Set([before.term]))

      expect(yield* metricsOf(follower)).toMatch(/^parley_peer_refused_connections_total 2$/m)
      const refused = logs.lines.filter((line) => line.includes("refused a peer connection") && line.includes(`"node":"${follower.id}"`))
      expect(refused).toHaveLength(2)
      expect(refused[0]).toMatch(/not a TLS handshake/)
      expect(refused[1]).toMatch(/does not hold the cluster secret/)
      expect(statSync(secretPath(dir)).mode & 0o777).toBe(0o600)

      // The same frames from a holder of the secret are taken as the leader's: the secret is all that stopped them.
      const now = yield* quiet(leader, follower)
      const secret = readFileSync(secretPath(dir), "utf8").trim()
      yield* insider(follower, forgedAppend(now.term, now.commitIndex), { identity: leader.id, psk: peerKeyOf(secret) })
      yield* eventually("the follower to commit the insider's entry", Effect.map(status(follower), (report) => (report.commitIndex === now.commitIndex + 1 ? report : undefined)))
    }).pipe(Effect.provide(logs.layer)))
  }, 60_000)

  it("a node with another secret is shut out, and both sides log why; the others elect a leader and serve", () => {
    const logs = capturedLogs()
    return run(Effect.gen(function*() {
      const { nodes } = yield* startCluster(tcpTransport, { stranger: "n3" })
      const members = nodes.filter((node) => node.id !== "n3")
      const leader = yield* agreedLeader(members)
      expect(yield* put(leader, "k", "v")).toMatchObject({ status: 200 })
      yield* eventually("both sides to log the refusal", Effect.sync(() => {
        const refusedBy = logs.lines.some((line) => line.includes("refused a peer connection") && line.includes("does not hold the cluster secret"))
        const told = logs.lines.some((line) => line.includes("a peer refused this node's connection") && line.includes(`"node":"n3"`))
        return refusedBy && told ? true : undefined
      }))
      expect(yield* status(nodes[2]!)).toMatchObject({ leader: null, commitIndex: 0 })
    }).pipe(Effect.provide(logs.layer)))
  }, 60_000)
})

describe("client tokens", () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  it("on loopback a request may omit the token, but a wrong one is refused with 401", () =>
    run(Effect.gen(function*() {
      const { dir, nodes } = yield* startCluster(tcpTransport)
      const node = nodes[0]!
      const token = readFileSync(tokenPath(dir), "utf8").trim()
      expect(yield* call(node, "GET", "/v1/status")).toMatchObject({ status: 200 })
      expect(yield* call(node, "GET", "/v1/status", undefined, bearer(token))).toMatchObject({ status: 200 })
      expect(yield* call(node, "GET", "/v1/status", undefined, bearer("x".repeat(43)))).toEqual({
        status: 401,
        body: { error: "the bearer token is not this cluster's" }
      })
    })), 60_000)

  it("when the cluster requires it, every route answers 401 without the right token, naming the problem", () =>
    run(Effect.gen(function*() {
      const { dir, nodes } = yield* startCluster(tcpTransport, { requireClientToken: true })
      const token = readFileSync(tokenPath(dir), "utf8").trim()
      const node = nodes[0]!
      const missing = yield* call(node, "PUT", "/v1/kv/k", "v")
      expect(missing.status).toBe(401)
      expect(missing.body["error"]).toMatch(/^this node requires a bearer token: send `Authorization: Bearer TOKEN`/)
      expect(yield* call(node, "POST", "/v1/admin/partition", `{"blocked":["n2"]}`, { authorization: "Basic abc" })).toEqual({
        status: 401,
        body: { error: "the Authorization header must be `Bearer TOKEN`" }
      })
      const unauthorizedMetrics = yield* Effect.promise(() => fetch(`http://${node.client}/metrics`, { headers: { connection: "close" } }))
      expect(unauthorizedMetrics.status).toBe(401)
      expect(unauthorizedMetrics.headers.get("www-authenticate")).toBe(`Bearer realm="parley"`)
      yield* Effect.promise(() => unauthorizedMetrics.text())

      yield* eventually("a write with the token to succeed", Effect.map(
        call(node, "PUT", "/v1/kv/k", "v", bearer(token)),
        (answer) => (answer.status === 200 ? answer : undefined)
      ))
      expect(yield* call(node, "GET", "/v1/kv/k", undefined, bearer(token))).toEqual({ status: 200, body: { key: "k", value: "v" } })
    })), 60_000)
})

describe("GET /metrics", () => {
  it("serves Prometheus text: the spec's status as gauges, leader changes, batches, fsync and traffic per peer", () =>
    run(Effect.gen(function*() {
      const { nodes } = yield* startCluster(tcpTransport)
      const leader = yield* agreedLeader(nodes)
      expect(yield* put(leader, "k", "v")).toMatchObject({ status: 200 })
      const { term, commitIndex } = yield* status(leader)
      const text = yield* metricsOf(leader)
      const peer = nodes.find((node) => node.id !== leader.id)!.id
      expect(text).toMatch(new RegExp(`^parley_node_info\\{node="${leader.id}",spec="raft"\\} 1$`, "m"))
      expect(text).toMatch(new RegExp(`^parley_status_term ${term}$`, "m"))
      expect(text).toMatch(/^parley_status_role\{value="leader"\} 1$/m)
      expect(text).not.toMatch(/parley_status_role\{value="(follower|candidate)"\}/)
      expect(text).toMatch(/^parley_status_changes_total\{field="leader"\} [1-9]\d*$/m)
      expect(text).toMatch(/^# TYPE parley_status_commit_index gauge$/m)
      expect(Number(/^parley_status_commit_index (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(commitIndex)
      expect(text).toMatch(/^parley_proposals_total [1-9]\d*$/m)
      expect(text).toMatch(/^# TYPE parley_fsync_duration_seconds histogram$/m)
      expect(text).toMatch(/^parley_fsync_duration_seconds_bucket\{le="\+Inf"\} [1-9]\d*$/m)
      expect(text).toMatch(/^parley_apply_duration_seconds_count [1-9]\d*$/m)
      expect(text).toMatch(new RegExp(`^parley_peer_sent_bytes_total\\{peer="${peer}"\\} [1-9]\\d*$`, "m"))
      expect(text).toMatch(new RegExp(`^parley_peer_received_messages_total\\{peer="${peer}"\\} [1-9]\\d*$`, "m"))
    })), 60_000)
})
