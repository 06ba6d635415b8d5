/**
 * What a node proves its membership with, and what it asks of clients. Two
 * files, each readable by its owner alone (mode 0600), as ssh insists of a
 * private key:
 *   cluster.secret  the cluster's pre-shared key, 32 random bytes as hex. Every
 *                   node holds it; peers prove it to each other in a TLS 1.3
 *                   handshake (transport/tcp.ts). Without it a node does not start.
 *   client.token    the bearer token clients send (`Authorization: Bearer …`).
 *                   Optional on loopback; a node that serves clients on any
 *                   other address does not start without it.
 * `parley cluster up` creates both in the cluster directory; for a cluster
 * written by hand, `openssl rand -hex 32` makes either.
 */
import { Context, Effect, Layer, Redacted } from "effect"
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { CredentialError } from "./errors.ts"

export const secretPath = (dir: string): string => join(dir, "cluster.secret")
export const tokenPath = (dir: string): string => join(dir, "client.token")

/** 256 bits: 64 hex digits at the least. */
const secretPattern = /^[0-9a-fA-F]{64,}$/
/** The characters RFC 6750 allows in a bearer token, 32 of them at the least. */
const tokenPattern = /^[A-Za-z0-9._~+/=-]{32,}$/

/** The key peers prove they hold: derived from the secret, so the secret itself never keys anything else. */
export const peerKeyOf = (secret: string): Buffer => createHmac("sha256", Buffer.from(secret, "hex")).update("parley peer key v1").digest()

export class PeerKey extends Context.Service<PeerKey, {
  /** The TLS pre-shared key of every link between the cluster's nodes. */
  readonly key: Redacted.Redacted<Buffer>
}>()("@parley/runtime/PeerKey") {
  /** The key of the cluster secret in `path`, refused when the file is missing, malformed or open to other users. */
  static readonly fromFile = (path: string) =>
    Layer.effect(PeerKey, Effect.map(readCredential(path, "cluster secret", secretPattern, "64 or more hex digits"), (secret) => PeerKey.of({ key: Redacted.make(peerKeyOf(secret)) })))

  /** A key of a given secret: for tests, and for clusters in one process. */
  static readonly layer = (secret: string) => Layer.succeed(PeerKey, PeerKey.of({ key: Redacted.make(peerKeyOf(secret)) }))
}

/** What this node asks of clients: the token, and whether a request without one is served. */
export interface ClientAuthPolicy {
  readonly token: Redacted.Redacted<string> | undefined
  /** Whether every request must carry the token; set for a node serving beyond loopback, and by `requireClientToken`. */
  readonly required: boolean
}

/** No token: every request is served. The client API refuses to listen beyond loopback with this policy. */
export const ClientAuth = Context.Reference<ClientAuthPolicy>("@parley/runtime/ClientAuth", {
  defaultValue: () => ({ token: undefined, required: false })
})

/** The policy of a node reading its token (if any) from `path`. */
export const clientAuthLayer = (path: string, required: boolean) =>
  Layer.effect(ClientAuth, Effect.gen(function*() {
    if (!existsSync(path)) return { token: undefined, required }
    const token = yield* readCredential(path, "client token", tokenPattern, "32 or more characters of A-Z a-z 0-9 . _ ~ + / = -")
    return { token: Redacted.make(token), required }
  }))

/** Loopback addresses reach only this machine; `0.0.0.0`, `::` and any other name may reach beyond it. */
export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)

/** Why a request may not be served, or undefined when it may: the whole policy in one place. */
export const refusalOf = (policy: ClientAuthPolicy, authorization: string | undefined): string | undefined => {
  if (authorization === undefined) {
    return policy.required ? "this node requires a bearer token: send `Authorization: Bearer TOKEN` with the token in the cluster directory's client.token" : undefined
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
  if (match === null) return "the Authorization header must be `Bearer TOKEN`"
  if (policy.token === undefined) return "this node has no client token, so it cannot check the one sent; remove the Authorization header"
  return sameSecret(match[1]!, Redacted.value(policy.token)) ? undefined : "the bearer token is not this cluster's"
}

/** Compares in time independent of where the two differ, and of their lengths. */
const sameSecret = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest())

/** What a credential file must hold, how to make one, and whether only its owner may read it. */
export interface CredentialShape {
  readonly pattern: RegExp
  readonly shape: string
  readonly howToMake: string
  readonly ownerOnly: boolean
}

/** The text of a credential file, trimmed; refused, naming the file and the fix, when it is missing, open to other users (if it must not be) or of the wrong shape. */
export const readCredentialFile = (path: string, what: string, expected: CredentialShape) =>
  Effect.gen(function*() {
    const fail = (message: string) => Effect.fail(new CredentialError({ path, message }))
    if (!existsSync(path)) return yield* fail(`no ${what} at ${path}: ${expected.howToMake}`)
    const stat = statSync(path)
    if (expected.ownerOnly && (stat.mode & 0o077) !== 0) {
      return yield* fail(`${path} (the ${what}) is open to other users (mode ${(stat.mode & 0o777).toString(8)}); run \`chmod 600 ${path}\``)
    }
    const text = readFileSync(path, "utf8").trim()
    if (!expected.pattern.test(text)) return yield* fail(`${path} does not hold a ${what}: expected ${expected.shape}`)
    return text
  })

const readCredential = (path: string, what: string, pattern: RegExp, shape: string) =>
  readCredentialFile(path, what, {
    pattern,
    shape,
    ownerOnly: true,
    howToMake: `\`parley cluster up\` creates one; for a cluster written by hand, run \`openssl rand -hex 32 > ${path}; chmod 600 ${path}\``
  })

/** Creates the cluster secret and the client token in `dir`, each owner-only, unless they exist already. */
export const ensureCredentials = (dir: string) =>
  Effect.gen(function*() {
    yield* createOnce(secretPath(dir), () => randomBytes(32).toString("hex"))
    yield* createOnce(tokenPath(dir), () => randomBytes(32).toString("base64url"))
    yield* readCredential(secretPath(dir), "cluster secret", secretPattern, "64 or more hex digits")
    return yield* readCredential(tokenPath(dir), "client token", tokenPattern, "32 or more characters of A-Z a-z 0-9 . _ ~ + / = -")
  })

const createOnce = (path: string, make: () => string) =>
  Effect.try({
    try: () => {
      // `wx` fails when the file exists, so a cluster started again keeps its secret and its clients' token.
      if (!existsSync(path)) writeFileSync(path, make() + "\n", { mode: 0o600, flag: "wx" })
    },
    catch: (error) => new CredentialError({ path, message: `cannot create ${path}: ${error instanceof Error ? error.message : String(error)}` })
  })

/** The token in a cluster directory, for `parley kv` and `parley cluster`; undefined when there is none. */
export const readClientToken = (dir: string): string | undefined => {
  try {
    const text = readFileSync(tokenPath(dir), "utf8").trim()
    return text.length > 0 ? text : undefined
  } catch {
    // No token file (or none this user may read): send none, and let the node say whether it needs one.
    return undefined
  }
}
