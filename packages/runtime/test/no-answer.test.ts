/**
 * Why a node gave no answer, told from what a real call raised: each kind
 * of failure is made to happen on loopback (a closed port, a server that
 * never answers, a certificate from another CA, one for another host, plain
 * HTTP where TLS was expected) and its description names the kind and what
 * to fix; the refusals a node answers with are told from their status.
 */
import { Effect } from "effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import type { Server } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callNode } from "../src/api-client.ts"
import { ensureClientCertificates } from "../src/client-tls-certificates.ts"
import { trustOf } from "../src/client-tls.ts"
import type { NodeEntry } from "../src/cluster-file.ts"
import { noAnswerOfError, noAnswerOfStatus } from "../src/no-answer.ts"
import type { CallContext, NoAnswer } from "../src/no-answer.ts"

const dir = mkdtempSync(join(tmpdir(), "parley-no-answer-"))
const otherCa = mkdtempSync(join(tmpdir(), "parley-no-answer-other-"))
const servers: Array<Server> = []

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) => {
    servers.push(server)
    server.listen(0, "127.0.0.1", () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`))
  })

const entry = (client: string): NodeEntry => ({ id: "n1", client, peer: "127.0.0.1:1" })

let plain = ""
let silent = ""
let tls = ""
let elsewhere = ""
let closed = ""
let ca = ""

beforeAll(async () => {
  // n1's certificate names loopback; n2's names only 192.0.2.1 (TEST-NET), and is served on loopback.
  await Effect.runPromise(ensureClientCertificates(dir, [entry("127.0.0.1:1"), { id: "n2", client: "192.0.2.1:1", peer: "192.0.2.1:2" }]))
  await Effect.runPromise(ensureClientCertificates(otherCa, [entry("127.0.0.1:1")]))
  ca = readFileSync(join(dir, "tls/ca.crt"), "utf8")
  const files = (id: string) => ({ cert: readFileSync(join(dir, `tls/${id}.crt`)), key: readFileSync(join(dir, `tls/${id}.key`)) })
  plain = await listen(createServer((_, response) => response.end("{}")))
  silent = await listen(createServer(() => undefined))
  tls = await listen(createHttpsServer(files("n1"), (_, response) => response.end("{}")))
  elsewhere = await listen(createHttpsServer(files("n2"), (_, response) => response.end("{}")))
  const gone = createServer()
  closed = await listen(gone)
  await new Promise((resolve) => gone.close(resolve))
})

afterAll(() => {
  for (const server of servers) server.closeAllConnections?.()
  for (const server of servers) server.close()
  rmSync(dir, { recursive: true, force: true })
  rmSync(otherCa, { recursive: true, force: true })
})

/** What a status call to `address` raised, described; the call must raise. */
const whyNot = async (address: string, trustedCa: string | undefined): Promise<NoAnswer> => {
  const context: CallContext = { address, timeoutMs: 300, caFile: "DIR/tls/ca.crt", log: "DIR/n1.log" }
  try {
    const answer = await callNode(entry(address), "GET", "/v1/status", undefined, 300, {}, trustedCa === undefined ? undefined : trustOf(trustedCa))
    throw new Error(`${address} answered ${answer.status}`)
  } catch (error) {
    return noAnswerOfError(error, context)
  }
}

describe("why a node gave no answer", () => {
  it("a closed port: refused, not running", async () => {
    const why = await whyNot(closed, undefined)
    expect(why.kind).toBe("refused")
    expect(why.reason).toBe(`${closed} refused the connection: nothing listens there (not running, or still starting); its log: DIR/n1.log`)
  })

  it("a node that never answers: timed out", async () => {
    const why = await whyNot(silent, undefined)
    expect(why).toEqual({ kind: "timed-out", reason: `no answer within 300 ms from ${silent}: busy, paused, or cut off; its log: DIR/n1.log` })
  })

  it("a certificate another CA signed: not trusted, and which CA file the cluster file must name", async () => {
    const why = await whyNot(tls, readFileSync(join(otherCa, "tls/ca.crt"), "utf8"))
    expect(why.kind).toBe("untrusted-certificate")
    expect(why.reason).toBe(
      "its certificate does not verify against the cluster's CA DIR/tls/ca.crt: unable to verify the first certificate; " +
        "the cluster file's clientTls.ca must name the CA that signed the nodes' certificates (`parley cluster up --client-tls` makes both)"
    )
  })

  it("a certificate for another host: the name it lacks", async () => {
    const why = await whyNot(elsewhere, ca)
    expect(why.kind).toBe("certificate-name")
    expect(why.reason).toMatch(new RegExp(`^its certificate does not name the address dialled, ${elsewhere}: .*IP: 127\\.0\\.0\\.1 is not in the cert's list: 192\\.0\\.2\\.1; `))
  })

  it("plain HTTP where the client speaks TLS: not TLS", async () => {
    const why = await whyNot(plain, ca)
    expect(why.kind).toBe("not-tls")
    expect(why.reason).toMatch(/does not speak TLS: the node serves plain HTTP though the cluster file has clientTls/)
  })

  it("the right CA and name: an answer", async () => {
    expect((await callNode(entry(tls), "GET", "/", undefined, 2000, {}, trustOf(ca))).status).toBe(200)
  })

  it("a refused token and an HTTP error, by their status", () => {
    const context: CallContext = { address: "127.0.0.1:7001", timeoutMs: 1000, tokenFile: "DIR/client.token" }
    expect(noAnswerOfStatus(401, { error: "the bearer token is not this cluster's" }, context)).toEqual({
      kind: "token-refused",
      reason: "the node refused the client token (HTTP 401: the bearer token is not this cluster's); " +
        "the token sent is DIR/client.token's, and a node keeps the one it read when it started"
    })
    expect(noAnswerOfStatus(401, { error: "this node requires a bearer token" }, { address: context.address, timeoutMs: 1000 }).reason).toMatch(/; no token was sent,/)
    expect(noAnswerOfStatus(500, { error: "storage failed" }, context)).toEqual({ kind: "http-error", reason: "HTTP 500: storage failed" })
  })
})
