import { Effect, Redacted, Result, Schema } from "effect"
import { X509Certificate } from "node:crypto"
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { ensureClientCertificates, subjectNamesOf } from "../src/client-tls-certificates.ts"
import { caFileOf, generatedTls, serverFilesOf } from "../src/client-tls-files.ts"
import { readClientTrust, ServerTls, serverTlsLayer } from "../src/client-tls.ts"
import { writeCluster } from "../src/cluster-dir.ts"
import { ClusterFile, loopbackNodes } from "../src/cluster-file.ts"
import { tempDirs } from "./temp-dirs.ts"

const freshDir = tempDirs("parley-client-tls-")

const nodes = loopbackNodes(7000, 3)
const serverTlsOf = (dir: string, settings: typeof generatedTls | undefined) =>
  Effect.gen(function*() {
    return yield* ServerTls
  }).pipe(Effect.provide(serverTlsLayer(dir, settings, "n1")))
const refusalOf = (dir: string) => Effect.runPromise(Effect.flip(serverTlsOf(dir, generatedTls)))

describe("the client API's certificates", () => {
  it("are a CA and a certificate per node it signed, for the node's address, keys owner-only; made once", async () => {
    const dir = freshDir()
    expect(await Effect.runPromise(ensureClientCertificates(dir, nodes))).toEqual(["n1", "n2", "n3"])
    const ca = new X509Certificate(readFileSync(caFileOf(dir, generatedTls)))
    expect(ca.ca).toBe(true)
    expect(statSync(join(dir, "tls/ca.key")).mode & 0o777).toBe(0o600)
    for (const node of nodes) {
      const files = serverFilesOf(dir, generatedTls, node.id)
      const certificate = new X509Certificate(readFileSync(files.cert))
      expect(certificate.ca).toBe(false)
      expect(certificate.verify(ca.publicKey)).toBe(true)
      expect(certificate.checkIssued(ca)).toBe(true)
      expect(certificate.checkIP("127.0.0.1")).toBe("127.0.0.1")
      expect(certificate.checkHost("localhost")).toBe("localhost")
      expect(certificate.checkIP("10.0.0.1")).toBeUndefined()
      expect(statSync(files.key).mode & 0o777).toBe(0o600)
    }
    const before = readFileSync(serverFilesOf(dir, generatedTls, "n2").cert, "utf8")
    // A node added later gets one from the same CA; those there are kept.
    expect(await Effect.runPromise(ensureClientCertificates(dir, [...nodes, { id: "n4", client: "127.0.0.1:7004", peer: "127.0.0.1:7104" }]))).toEqual(["n4"])
    expect(readFileSync(serverFilesOf(dir, generatedTls, "n2").cert, "utf8")).toBe(before)
    expect(new X509Certificate(readFileSync(join(dir, "tls/n4.crt"))).checkIssued(ca)).toBe(true)
  })

  it("name the host a node binds, and on a wildcard address this machine's name and loopback", () => {
    expect(subjectNamesOf({ id: "a", client: "db1.example:7001", peer: "db1.example:7101" })).toEqual([{ type: "dns", value: "db1.example" }])
    expect(subjectNamesOf({ id: "a", client: "10.1.2.3:7001", peer: "10.1.2.3:7101" })).toEqual([{ type: "ip", value: "10.1.2.3" }])
    expect(subjectNamesOf({ id: "a", client: "0.0.0.0:7001", peer: "0.0.0.0:7101" }).map((name) => name.value)).toEqual([hostname(), "localhost", "127.0.0.1", "::1"])
  })

  it("a node refuses a missing certificate, or a key open to other users, naming the file", async () => {
    const dir = freshDir()
    expect((await refusalOf(dir)).message).toMatch(/no client API certificate at .*tls\/n1\.crt: `parley cluster up --client-tls` creates one/)
    await Effect.runPromise(ensureClientCertificates(dir, nodes))
    const key = serverFilesOf(dir, generatedTls, "n1").key
    chmodSync(key, 0o644)
    expect((await refusalOf(dir)).message).toMatch(/n1\.key \(the client API private key\) is open to other users \(mode 644\); run `chmod 600/)
    chmodSync(key, 0o600)
    // Another node's key, or a file that only looks like PEM, is refused too.
    const n1Key = readFileSync(key, "utf8")
    writeFileSync(key, readFileSync(serverFilesOf(dir, generatedTls, "n2").key, "utf8"), { mode: 0o600 })
    expect((await refusalOf(dir)).message).toMatch(/n1\.key is not the key of the certificate .*n1\.crt/)
    writeFileSync(key, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", { mode: 0o600 })
    expect((await refusalOf(dir)).message).toMatch(/n1\.key is not a private key OpenSSL can read/)
    writeFileSync(key, n1Key, { mode: 0o600 })
    const loaded = await Effect.runPromise(serverTlsOf(dir, generatedTls))
    expect(Redacted.value(loaded!.key)).toMatch(/BEGIN PRIVATE KEY/)
    // Without clientTls in the cluster file the node serves plain HTTP.
    expect(await Effect.runPromise(serverTlsOf(dir, undefined))).toBeUndefined()
  })

  it("the cluster file's clientTls defaults to the generated files, and may name one's own, {node} standing for the id", async () => {
    const decode = Schema.decodeUnknownSync(ClusterFile)
    const base = { spec: "raft", nodes }
    expect(decode({ ...base, clientTls: {} }).clientTls).toEqual(generatedTls)
    const own = decode({ ...base, clientTls: { ca: "/etc/pki/ca.pem", cert: "certs/{node}.pem", key: "certs/{node}-key.pem" } }).clientTls!
    expect(serverFilesOf("/srv/c", own, "n2")).toEqual({ cert: "/srv/c/certs/n2.pem", key: "/srv/c/certs/n2-key.pem" })
    expect(caFileOf("/srv/c", own)).toBe("/etc/pki/ca.pem")
    expect(decode(base).clientTls).toBeUndefined()
    const wrong = Schema.decodeUnknownResult(ClusterFile)({ ...base, clientTls: { ca: 5 } })
    expect(Result.isFailure(wrong) && wrong.failure.message).toMatch(/clientTls.*ca|ca.*clientTls/s)
  })

  it("clients trust the CA the cluster file names, and say so when it cannot be read", async () => {
    const dir = freshDir()
    writeCluster(dir, Schema.decodeUnknownSync(ClusterFile)({ spec: "raft", nodes }))
    expect(Result.getOrThrow(readClientTrust(dir))).toBeUndefined()
    writeCluster(dir, Schema.decodeUnknownSync(ClusterFile)({ spec: "raft", nodes, clientTls: {} }))
    const missing = readClientTrust(dir)
    expect(Result.isFailure(missing) && missing.failure.message).toMatch(/serves clients over TLS, but its CA .*tls\/ca\.crt cannot be read/)
    await Effect.runPromise(ensureClientCertificates(dir, nodes))
    const tls = Result.getOrThrow(readClientTrust(dir))
    expect(tls?.trust.ca).toBe(readFileSync(join(dir, "tls/ca.crt"), "utf8"))
    expect(tls?.caFile).toBe(join(dir, "tls/ca.crt"))
  })
})
