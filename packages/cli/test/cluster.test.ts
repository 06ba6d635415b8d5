import { clusterPartition, clusterHeal, clusterStatus, ensureClientCertificates, logPath, readCluster, secretPath } from "@parley/runtime"
import { Effect, Result } from "effect"
import { execFile } from "node:child_process"
import { X509Certificate } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import * as https from "node:https"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TLSSocket } from "node:tls"
import { afterEach, describe, expect, it } from "vitest"
import { bin, clusterDir, eventually, get, nodeOf, put, freeBase, startCluster, statuses, stopAll } from "./cluster-harness.ts"
import { expectAllReadable, expectFailoverKeepsWrites, expectRestartOfAllKeepsWrites, frame, peerExchange, rawExchange } from "./cluster-faults.ts"

afterEach(stopAll)

/** A GET over HTTPS trusting `ca` alone (or the system's CAs without it); the status, the body and the certificate the node showed. */
const httpsGet = (url: string, ca: string | undefined, token?: string) =>
  new Promise<{ status: number; body: string; fingerprint: string }>((resolve, reject) => {
    const request = https.get(url, { agent: false, timeout: 10_000, ...(ca === undefined ? {} : { ca }), headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }, (response) => {
      const fingerprint = (response.socket as TLSSocket).getPeerCertificate().fingerprint256
      let body = ""
      response.on("data", (chunk: Buffer) => (body += chunk.toString()))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body, fingerprint }))
    })
    request.on("timeout", () => request.destroy(new Error("no answer within 10 s")))
    request.on("error", reject)
  })

describe("a real raft cluster on loopback", () => {
  it("elects a leader, and a write through any node is readable through every node", async () => {
    const cluster = await startCluster(3)
    const writes = new Map<string, string>()
    for (const node of cluster.nodes) {
      const answer = await put(node, `via-${node.id}`, `written through ${node.id}`)
      expect(answer.status).toBe(200)
      writes.set(`via-${node.id}`, `written through ${node.id}`)
    }
    for (const node of cluster.nodes) await expectAllReadable(cluster, node.id, writes)
    // Reads take no log entry: the leader answered them after a round of heartbeats (ReadIndex).
    const leader = (await statuses(cluster)).find((report) => report.status?.["role"] === "leader")
    expect(leader?.status?.["readsByIndex"]).toBeGreaterThan(0)
    expect(leader?.status?.["readsByLease"]).toBe(0)
    const missing = await get(cluster.nodes[0]!, "never-written")
    expect(missing.status).toBe(404)
    expect(missing.body["error"]).toMatch(/not found/)
  })

  it("survives kill -9 of the leader: a new leader is elected and no acknowledged write is lost", async () => {
    await expectFailoverKeepsWrites(await startCluster(3))
  })

  it("keeps every acknowledged write through kill -9 of every node and a restart", async () => {
    await expectRestartOfAllKeepsWrites(await startCluster(3))
  })

  it("does not let a leader cut off in a minority commit, and converges after heal", async () => {
    const cluster = await startCluster(3)
    expect((await put(nodeOf(cluster, cluster.leader), "before", "1")).status).toBe(200)
    const majority = cluster.nodes.filter((node) => node.id !== cluster.leader).map((node) => node.id)
    await Effect.runPromise(clusterPartition(cluster.dir, `${cluster.leader}/${majority.join(",")}`))
    const cutOff = nodeOf(cluster, cluster.leader)
    const commitBefore = (await statuses(cluster)).find((report) => report.id === cluster.leader)!.status!.commitIndex

    const lonely = await put(cutOff, "from-minority", "lost", 1500)
    expect(lonely.status).toBe(503)
    expect(lonely.body["error"]).toMatch(/within 1500 ms/)
    const cutOffStatus = (await statuses(cluster)).find((report) => report.id === cluster.leader)!.status!
    expect(cutOffStatus.commitIndex).toBe(commitBefore)

    expect((await put(nodeOf(cluster, majority[0]!), "from-majority", "kept", 10_000)).status).toBe(200)
    await Effect.runPromise(clusterHeal(cluster.dir))
    const converged = await eventually("every node on one leader, term and commit index", async () => {
      const reports = await statuses(cluster)
      const first = reports[0]!.status
      const same = reports.every((report) =>
        report.status !== undefined && report.status.leader !== null && report.status.leader === first?.leader &&
        report.status.term === first?.term && report.status.commitIndex === first?.commitIndex
      )
      return same ? first : undefined
    })
    expect(majority).toContain(converged!.leader)
    for (const node of cluster.nodes) {
      expect((await get(node, "from-majority")).body["value"]).toBe("kept")
      expect((await get(node, "from-minority")).status).toBe(404)
    }
  })

  it("answers garbage on a peer port and malformed HTTP with errors, and keeps serving", async () => {
    const cluster = await startCluster(3)
    const target = cluster.nodes[0]!
    // Without the cluster secret nothing gets past the handshake.
    await rawExchange(target.peer, "hello, this is not a frame")
    await rawExchange(target.peer, Buffer.concat([frame(`{"_tag":"Hello","from":"n2"}`), frame(`{"_tag":"Message","body":{"_tag":"Vote","term":9,"pre":false,"granted":true}}`)]))
    const secret = readFileSync(secretPath(cluster.dir), "utf8").trim()
    await peerExchange(target.peer, "ab".repeat(32), "n2", frame(`{"_tag":"Message","body":{"_tag":"Vote","term":9,"pre":false,"granted":true}}`))
    await peerExchange(target.peer, secret, "mallory", frame(`{"_tag":"Message","body":{"_tag":"Vote","term":9,"pre":false,"granted":true}}`))
    // A member's bad frames are dropped, and the node goes on.
    await peerExchange(target.peer, secret, "n2", frame("x".repeat(20)).subarray(0, 10))
    await peerExchange(target.peer, secret, "n2", frame(`{"_tag":"Message","body":{"_tag":"Vote","term":-1,"pre":false,"granted":true}}`))
    await peerExchange(target.peer, secret, "n3", frame(`{"_tag":"Forward","client":"c","request":{"seq":0}}`))
    await peerExchange(target.peer, secret, "n3", frame("{not json"))
    const tooLarge = Buffer.alloc(4)
    tooLarge.writeUInt32BE(64 * 1024 * 1024)
    await peerExchange(target.peer, secret, "n2", tooLarge)

    const malformed = await rawExchange(target.client, "GARBAGE\r\n\r\n")
    expect(malformed).toMatch(/^HTTP\/1\.1 400/)
    expect(malformed).toMatch(/"error":"malformed HTTP request/)

    const client = `http://${target.client}`
    const refusals = [
      [await fetch(`${client}/v1/kv/a`, { method: "PATCH" }), 405, /PATCH is not allowed/],
      [await fetch(`${client}/v1/kv/%zz`), 400, /not valid percent-encoding/],
      [await fetch(`${client}/v1/kv/a/cas`, { method: "POST", body: `{"expected": 1}` }), 400, /does not fit/],
      [await fetch(`${client}/v1/kv/a/cas`, { method: "POST", body: "nope" }), 400, /must be JSON/],
      [await fetch(`${client}/v1/kv/a?timeout=soon`), 400, /timeout must be/],
      [await fetch(`${client}/v1/nowhere`), 404, /no route/],
      [await fetch(`${client}/v1/kv/a`, { method: "PUT", body: "x".repeat(2 * 1024 * 1024) }), 413, /larger than/],
      [await fetch(`${client}/v1/admin/partition`, { method: "POST", body: `{"blocked":["n9"]}` }), 400, /not nodes of this cluster: n9/]
    ] as const
    for (const [response, status, error] of refusals) {
      expect(response.status).toBe(status)
      expect(((await response.json()) as { error: string }).error).toMatch(error)
    }

    expect((await put(target, "still", "serving")).status).toBe(200)
    for (const node of cluster.nodes) expect((await get(node, "still")).body["value"]).toBe("serving")
    const log = readFileSync(logPath(cluster.dir, target.id), "utf8")
    expect(log).toMatch(/frame length \d+ exceeds the limit/)
    expect(log).toMatch(/truncated frame is dropped/)
    expect(log).toMatch(/does not decode as a raft message: .*term/)
    expect(log).toMatch(/does not decode as a raft message: .*seq/)
    expect(log).toMatch(/refused a peer connection.*not a TLS handshake \(ERR_SSL_WRONG_VERSION_NUMBER\)/)
    expect(log).toMatch(/refused a peer connection.*does not hold the cluster secret/)
    expect(log).toMatch(/refused a peer connection.*calls itself \\"mallory\\", which is not another node/)
    expect(log).toMatch(/frame is not JSON/)
    expect(log).toMatch(/"peer":"127\.0\.0\.1:\d+"/)
    expect(log).toMatch(/malformed HTTP request/)
  })
})

describe("parley cluster and parley kv", () => {
  const parley = (...args: ReadonlyArray<string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
    })

  it("starts a cluster, writes, reads, deletes, partitions, heals and stops it", async () => {
    // Stopped and removed by `stopAll` after the test, whatever happens in it.
    const dir = clusterDir()
    // With --require-token every call must carry client.token: parley kv and parley cluster send it.
    // With --client-tls every node serves HTTPS with a certificate from the cluster CA in DIR/tls, which they trust.
    // And with lease reads, whose reads the leader answers at once while its lease holds.
    const up = await parley("cluster", "up", "raft", "--nodes", "3", "--dir", dir, "--base-port", String(await freeBase(4)), "--require-token", "--client-tls", "--lease-reads")
    expect(up.stderr).toBe("")
    expect(up.stdout).toMatch(/raft cluster of 3 up in .*; leader n\d in term \d+/)
    expect(up.stdout).toMatch(/n1 +\d+ +(leader|follower) .* https:\/\/127\.0\.0\.1:\d+/)
    expect(up.stdout).toMatch(/curl --cacert .*tls\/ca\.crt https:\/\//)
    for (const file of ["cluster.secret", "client.token", "tls/ca.key", "tls/n1.key", "tls/n3.key"]) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600)
    const cluster = JSON.parse(readFileSync(join(dir, "cluster.json"), "utf8")) as { nodes: Array<{ client: string }> }
    const url = `https://${cluster.nodes[0]!.client}/v1/status`
    const ca = readFileSync(join(dir, "tls/ca.crt"), "utf8")
    const token = readFileSync(join(dir, "client.token"), "utf8").trim()
    // Without the cluster CA the node's certificate does not verify; plain HTTP is told to use HTTPS.
    await expect(httpsGet(url, undefined, token)).rejects.toMatchObject({ code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" })
    const plain = await fetch(url.replace("https:", "http:"), { signal: AbortSignal.timeout(10_000) })
    expect(plain.status).toBe(400)
    expect(((await plain.json()) as { error: string }).error).toMatch(/this node serves its client API over HTTPS: use https:\/\/127\.0\.0\.1:\d+/)
    const anonymous = await httpsGet(url, ca)
    expect(anonymous.status).toBe(401)
    expect(anonymous.body).toMatch(/requires a bearer token/)
    const served = await httpsGet(url, ca, token)
    expect(served.status).toBe(200)
    expect(served.fingerprint).toBe(new X509Certificate(readFileSync(join(dir, "tls/n1.crt"))).fingerprint256)
    expect((await httpsGet(url.replace("/v1/status", "/metrics"), ca, token)).body).toMatch(/parley_node_info\{node="n1"/)

    expect((await parley("kv", "put", "greeting", "hello", "--dir", dir)).stdout.trim()).toBe("OK")
    expect((await parley("kv", "get", "greeting", "--dir", dir, "--node", "n3")).stdout.trim()).toBe("hello")
    const leased = await Effect.runPromise(clusterStatus(dir))
    expect(leased.find((report) => report.status?.["role"] === "leader")?.status?.["readsByLease"]).toBeGreaterThan(0)
    const absent = await parley("kv", "get", "nothing", "--dir", dir)
    expect(absent.code).not.toBe(0)
    expect(absent.stderr).toMatch(/404: key "nothing" not found/)
    expect((await parley("kv", "cas", "greeting", "hi", "--expected", "hello", "--dir", dir)).stdout.trim()).toBe("swapped")
    const notSwapped = await parley("kv", "cas", "greeting", "again", "--expected", "hello", "--dir", dir)
    expect(notSwapped.code).not.toBe(0)
    expect(notSwapped.stderr).toMatch(/not swapped: greeting is "hi"/)
    expect((await parley("kv", "del", "greeting", "--dir", dir)).stdout.trim()).toBe("deleted")

    // kill -9 and a restart: the node serves TLS again, with the same certificate.
    expect((await parley("cluster", "kill", "n1", "--dir", dir)).code).toBe(0)
    expect((await parley("cluster", "restart", "n1", "--dir", dir)).stdout).toMatch(/n1 running again/)
    expect((await httpsGet(url, ca, token)).fingerprint).toBe(served.fingerprint)
    expect((await parley("kv", "put", "after", "restart", "--dir", dir, "--node", "n1")).stdout.trim()).toBe("OK")
    // A node added later serves a certificate from the same CA.
    expect((await parley("cluster", "add", "n4", "--dir", dir)).stdout).toMatch(/n4 added/)
    const n4 = Result.getOrThrow(readCluster(dir)).nodes.find((node) => node.id === "n4")!
    const added = await httpsGet(`https://${n4.client}/v1/kv/after`, ca, token)
    expect(added).toMatchObject({ status: 200, fingerprint: new X509Certificate(readFileSync(join(dir, "tls/n4.crt"))).fingerprint256 })

    const badSides = await parley("cluster", "partition", "n1/n9", "--dir", dir)
    expect(badSides.code).not.toBe(0)
    expect(badSides.stderr).toMatch(/no node n9; the nodes: n1, n2, n3/)
    expect((await parley("cluster", "partition", "n1/n2,n3", "--dir", dir)).stdout).toMatch(/partitioned n1\/n2,n3/)
    const status = JSON.parse((await parley("cluster", "status", "--json", "--dir", dir)).stdout) as Array<{ id: string; status: { blocked: Array<string> } }>
    expect(status.find((report) => report.id === "n1")!.status.blocked).toEqual(["n2", "n3"])
    expect((await parley("cluster", "heal", "--dir", dir)).code).toBe(0)

    // A token that is not the cluster's: parley cluster status says each node refused it, and which file was sent.
    writeFileSync(join(dir, "client.token"), "x".repeat(43))
    const refusedToken = await parley("cluster", "status", "--dir", dir)
    expect(refusedToken.stdout).toMatch(/n2 +\d+ +token refused/)
    expect(refusedToken.stdout).toContain(`n2: the node refused the client token (HTTP 401: the bearer token is not this cluster's); the token sent is ${join(dir, "client.token")}'s`)
    writeFileSync(join(dir, "client.token"), `${token}\n`)

    // A CA that did not sign the nodes' certificates: parley kv and parley cluster status say why no node answered, and which CA file to fix.
    const elsewhere = mkdtempSync(join(tmpdir(), "parley-other-ca-"))
    await Effect.runPromise(ensureClientCertificates(elsewhere, [{ id: "x", client: "127.0.0.1:1", peer: "127.0.0.1:2" }]))
    writeFileSync(join(dir, "tls/ca.crt"), readFileSync(join(elsewhere, "tls/ca.crt")))
    rmSync(elsewhere, { recursive: true, force: true })
    const untrusted = await parley("kv", "get", "after", "--dir", dir, "--timeout", "500")
    expect(untrusted.code).not.toBe(0)
    expect(untrusted.stderr).toMatch(/no node of the cluster in .* answered within 500 ms \(n1: its certificate does not verify against the cluster's CA .*tls\/ca\.crt: unable to verify the first certificate; /)
    const untrustedStatus = await parley("cluster", "status", "--dir", dir)
    expect(untrustedStatus.stdout).toMatch(/n1 +\d+ +certificate not trusted/)
    expect(untrustedStatus.stdout).toContain(
      `n3: its certificate does not verify against the cluster's CA ${join(dir, "tls/ca.crt")}: unable to verify the first certificate; ` +
        "the cluster file's clientTls.ca must name the CA that signed the nodes' certificates"
    )
    const asJson = JSON.parse((await parley("cluster", "status", "--json", "--dir", dir)).stdout) as ReadonlyArray<{ readonly noAnswer?: { readonly kind: string } }>
    expect(asJson.map((report) => report.noAnswer?.kind)).toEqual(["untrusted-certificate", "untrusted-certificate", "untrusted-certificate", "untrusted-certificate"])

    expect((await parley("cluster", "down", "--dir", dir)).stdout).toMatch(/stopped n1, n2, n3, n4/)
    expect((await parley("cluster", "status", "--dir", dir)).stdout).toMatch(/n1 +- +down/)
  })

  it("refuses a missing or malformed cluster file with a message that names it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-cli-bad-"))
    try {
      const missing = await parley("node", "--spec", "raft", "--id", "n1", "--cluster", join(dir, "none.json"))
      expect(missing.code).toBe(2)
      expect(missing.stderr).toMatch(/cannot read cluster file .*none\.json/)
      const file = join(dir, "cluster.json")
      writeFileSync(file, JSON.stringify({ spec: "raft", nodes: [{ id: "n1", peer: "127.0.0.1:99999", client: "127.0.0.1:1" }] }))
      const badPort = await parley("node", "--spec", "raft", "--id", "n1", "--cluster", file)
      expect(badPort.code).toBe(2)
      expect(badPort.stderr).toMatch(/expected "host:port" with a port from 1 to 65535, got "127\.0\.0\.1:99999"/)
      const noCluster = await parley("kv", "get", "k", "--dir", dir)
      expect(noCluster.code).not.toBe(0)
      expect(noCluster.stderr).toMatch(/cluster\.json is not a cluster file: expected "host:port"/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
