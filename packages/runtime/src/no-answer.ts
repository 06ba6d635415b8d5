/**
 * Why a node gave a client no usable answer, in words a user can act on:
 * nothing listens (not running), no answer in time, a certificate the
 * cluster's CA does not vouch for or that names another host (and which
 * file to fix), a node that speaks plain HTTP where TLS was expected, the
 * client token refused, or an HTTP error with its status. `parley cluster
 * status` says it of each node, and `parley kv` of the first when none
 * answered.
 */
import { Schema } from "effect"

export const NoAnswerKind = Schema.Literals([
  "refused",
  "timed-out",
  "untrusted-certificate",
  "expired-certificate",
  "certificate-name",
  "not-tls",
  "token-refused",
  "http-error",
  "bad-status",
  "credentials",
  "unreachable"
])
export type NoAnswerKind = typeof NoAnswerKind.Type

/** Why a node did not answer: the kind, for a script; the reason with its fix, for a person. */
export interface NoAnswer {
  readonly kind: NoAnswerKind
  readonly reason: string
}

/** What a call knew when it got no answer: where it went, how long it waited, and the files its trust and token came from. */
export interface CallContext {
  /** The node's client address, `host:port`. */
  readonly address: string
  readonly timeoutMs: number
  /** The CA file the client trusts, when it spoke HTTPS. */
  readonly caFile?: string
  /** The client token's file, when the client sent one. */
  readonly tokenFile?: string
  /** The node's log, where a local cluster keeps one. */
  readonly log?: string
}

const untrustedCodes = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED"
])

const expiredCodes = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"])

/** The error fetch raised and the lower one that says why (undici puts the socket's or TLS's error in `cause`). */
const layers = (error: unknown): { readonly name: string; readonly code: string; readonly message: string } => {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  if (!(cause instanceof Error)) return { name: "", code: "", message: String(cause) }
  const code = "code" in cause && typeof cause.code === "string" ? cause.code : ""
  // Node's own advice after the semicolon (the system's CAs) does not apply: parley trusts the cluster's CA alone.
  return { name: error instanceof Error ? error.name : "", code, message: cause.message.split(";")[0]!.split("\n")[0]!.trim() }
}

const logHint = (context: CallContext): string => (context.log === undefined ? "" : `; its log: ${context.log}`)

const theCa = (context: CallContext): string => (context.caFile === undefined ? "the cluster's CA" : `the cluster's CA ${context.caFile}`)

/** Why a call raised instead of answering. */
export const noAnswerOfError = (error: unknown, context: CallContext): NoAnswer => {
  const { name, code, message } = layers(error)
  if (name === "TimeoutError" || name === "AbortError") {
    return { kind: "timed-out", reason: `no answer within ${context.timeoutMs} ms from ${context.address}: busy, paused, or cut off${logHint(context)}` }
  }
  if (code === "ECONNREFUSED") {
    return { kind: "refused", reason: `${context.address} refused the connection: nothing listens there (not running, or still starting)${logHint(context)}` }
  }
  if (untrustedCodes.has(code)) {
    return {
      kind: "untrusted-certificate",
      reason: `its certificate does not verify against ${theCa(context)}: ${message}; ` +
        "the cluster file's clientTls.ca must name the CA that signed the nodes' certificates (`parley cluster up --client-tls` makes both)"
    }
  }
  if (expiredCodes.has(code)) {
    return {
      kind: "expired-certificate",
      reason: `its certificate is out of its validity period: ${message}; give the node a new one signed by ${theCa(context)} (clientTls.cert) and restart it`
    }
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return {
      kind: "certificate-name",
      reason: `its certificate does not name the address dialled, ${context.address}: ${message}; ` +
        "the certificate's subjectAltName must hold the host clients dial (the node's client address in the cluster file)"
    }
  }
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "EPROTO") {
    return {
      kind: "not-tls",
      reason: `${context.address} does not speak TLS: the node serves plain HTTP though the cluster file has clientTls (started before it was set? restart it)`
    }
  }
  return { kind: "unreachable", reason: message === "" ? String(error) : message }
}

/** Why an answer other than 200 is no status: a refused token, or an HTTP error with its status. */
export const noAnswerOfStatus = (status: number, body: Readonly<Record<string, unknown>>, context: CallContext): NoAnswer => {
  const said = typeof body["error"] === "string" ? body["error"] : JSON.stringify(body)
  if (status === 401 || status === 403) {
    const token = context.tokenFile === undefined ? "no token was sent" : `the token sent is ${context.tokenFile}'s`
    return { kind: "token-refused", reason: `the node refused the client token (HTTP ${status}: ${said}); ${token}, and a node keeps the one it read when it started` }
  }
  return { kind: "http-error", reason: `HTTP ${status}: ${said}` }
}
