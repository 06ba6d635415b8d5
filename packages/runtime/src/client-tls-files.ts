/**
 * Where a cluster's client-API certificates live. The cluster file's
 * `clientTls` names three files, relative to the cluster file's directory
 * unless absolute; `{node}` in a path stands for the node's id, so one
 * entry serves every node (or, without it, one certificate serves them all):
 *   ca    the CA clients trust          default tls/ca.crt
 *   cert  a node's server certificate   default tls/{node}.crt
 *   key   its private key, mode 0600    default tls/{node}.key
 * `parley cluster up --client-tls` writes the defaults and creates the files
 * (client-tls-certificates.ts); point them elsewhere to serve your own.
 */
import type { NodeId } from "@parley/core"
import { Effect, Schema } from "effect"
import { isAbsolute, join } from "node:path"

export const ClientTlsSettings = Schema.Struct({
  ca: Schema.String.pipe(Schema.withDecodingDefault(Effect.succeed("tls/ca.crt"))),
  cert: Schema.String.pipe(Schema.withDecodingDefault(Effect.succeed("tls/{node}.crt"))),
  key: Schema.String.pipe(Schema.withDecodingDefault(Effect.succeed("tls/{node}.key")))
})
export type ClientTlsSettings = typeof ClientTlsSettings.Type

/** What `cluster up --client-tls` writes: the certificates it creates itself. */
export const generatedTls: ClientTlsSettings = { ca: "tls/ca.crt", cert: "tls/{node}.crt", key: "tls/{node}.key" }

/** The CA's own private key, beside the generated CA certificate: `cluster add` signs a new node's certificate with it. */
export const caKeyPath = (dir: string): string => join(dir, "tls", "ca.key")

const resolve = (dir: string, path: string, id?: NodeId): string => {
  const named = id === undefined ? path : path.replaceAll("{node}", id)
  return isAbsolute(named) ? named : join(dir, named)
}

export const caFileOf = (dir: string, settings: ClientTlsSettings): string => resolve(dir, settings.ca)

export const serverFilesOf = (dir: string, settings: ClientTlsSettings, id: NodeId): { readonly cert: string; readonly key: string } => ({
  cert: resolve(dir, settings.cert, id),
  key: resolve(dir, settings.key, id)
})
