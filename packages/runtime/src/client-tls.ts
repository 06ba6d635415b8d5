/**
 * TLS on the client API, both ends. A node whose cluster file has
 * `clientTls` serves HTTPS with its certificate (ServerTls); whatever calls
 * the API trusts the CA the same file names (ClientTrust), and nothing else:
 * a certificate the system's CAs vouch for is not enough.
 */
import type { NodeId } from "@parley/core"
import { Context, Effect, Layer, Redacted, Result } from "effect"
import { createPrivateKey, X509Certificate } from "node:crypto"
import { readFileSync } from "node:fs"
import { Agent } from "undici"
import type { Dispatcher } from "undici"
import { readCluster } from "./cluster-dir.ts"
import { caFileOf, serverFilesOf } from "./client-tls-files.ts"
import type { ClientTlsSettings } from "./client-tls-files.ts"
import { readCredentialFile } from "./credentials.ts"
import type { CredentialShape } from "./credentials.ts"
import { ClusterControlError, CredentialError } from "./errors.ts"

export interface ServerTlsFiles {
  readonly cert: string
  readonly key: Redacted.Redacted<string>
}

/** The node's certificate and key when it serves HTTPS; undefined: plain HTTP. */
export const ServerTls = Context.Reference<ServerTlsFiles | undefined>("@parley/runtime/ServerTls", { defaultValue: () => undefined })

const pemFile = (what: string, ownerOnly: boolean): CredentialShape => ({
  pattern: /^-----BEGIN [A-Z ]+-----[\s\S]+-----END [A-Z ]+-----$/,
  shape: `a PEM ${what}`,
  howToMake: "`parley cluster up --client-tls` creates one, or point the cluster file's clientTls at yours",
  ownerOnly
})

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Nothing renews a certificate, so a node says at every start when its own runs out, and warns within the last 30 days. */
const warnOfExpiry = (path: string, certificate: X509Certificate) =>
  Effect.gen(function*() {
    const expires = certificate.validToDate
    const daysLeft = Math.floor((expires.getTime() - Date.now()) / 86_400_000)
    const annotated = Effect.annotateLogs({ certificate: path, expires: expires.toISOString(), daysLeft })
    if (daysLeft < 30) yield* Effect.logWarning(daysLeft < 0 ? "the client API certificate has expired: clients will refuse it" : "the client API certificate expires soon").pipe(annotated)
    else yield* Effect.logInfo("client API certificate").pipe(annotated)
  })

/** Node `id`'s certificate and key, when the cluster file in `dir` asks for TLS; refused when either is missing, or the key is open to others. */
export const serverTlsLayer = (dir: string, settings: ClientTlsSettings | undefined, id: NodeId) =>
  Layer.effect(ServerTls, Effect.gen(function*() {
    if (settings === undefined) return undefined
    const files = serverFilesOf(dir, settings, id)
    const cert = yield* readCredentialFile(files.cert, "client API certificate", pemFile("certificate", false))
    const key = yield* readCredentialFile(files.key, "client API private key", pemFile("private key", true))
    const certificate = yield* Effect.try({
      try: () => new X509Certificate(cert),
      catch: (error) => new CredentialError({ path: files.cert, message: `${files.cert} is not a certificate OpenSSL can read: ${messageOf(error)}` })
    })
    const privateKey = yield* Effect.try({
      try: () => createPrivateKey(key),
      catch: (error) => new CredentialError({ path: files.key, message: `${files.key} is not a private key OpenSSL can read: ${messageOf(error)}` })
    })
    if (!certificate.checkPrivateKey(privateKey)) {
      return yield* new CredentialError({ path: files.key, message: `${files.key} is not the key of the certificate ${files.cert}` })
    }
    yield* warnOfExpiry(files.cert, certificate)
    return { cert, key: Redacted.make(key) }
  }))

/** How a client reaches nodes that serve HTTPS: the cluster CA it trusts, as a connection pool that checks against it alone. */
export interface ClientTrust {
  readonly ca: string
  readonly dispatcher: Dispatcher
}

const pools = new Map<string, ClientTrust>()

/** One pool per CA for the process, so calls to the same cluster reuse their connections. */
export const trustOf = (ca: string): ClientTrust => {
  const known = pools.get(ca)
  if (known !== undefined) return known
  const trust = { ca, dispatcher: new Agent({ connect: { ca, minVersion: "TLSv1.2" } }) }
  pools.set(ca, trust)
  return trust
}

/** The cluster in `dir`'s CA, and the file it came from, when its nodes serve HTTPS; undefined when they serve HTTP; refused when the CA cannot be read. */
export const readClientTrust = (dir: string): Result.Result<{ readonly trust: ClientTrust; readonly caFile: string } | undefined, ClusterControlError> => {
  const file = readCluster(dir)
  if (Result.isFailure(file)) return Result.fail(file.failure)
  const settings = file.success.clientTls
  if (settings === undefined) return Result.succeed(undefined)
  const path = caFileOf(dir, settings)
  try {
    return Result.succeed({ trust: trustOf(readFileSync(path, "utf8")), caFile: path })
  } catch (error) {
    return Result.fail(new ClusterControlError({ message: `the cluster in ${dir} serves clients over TLS, but its CA ${path} cannot be read: ${messageOf(error)}` }))
  }
}

/** The scheme of a node's client API URL. */
export const schemeOf = (trust: ClientTrust | undefined): "http" | "https" => (trust === undefined ? "http" : "https")
