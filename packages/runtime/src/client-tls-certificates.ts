/**
 * The certificates `parley cluster up --client-tls` makes, in-process (no
 * `openssl` binary needed): a cluster CA, and for each node a server
 * certificate signed by it whose names cover the node's client address.
 * ECDSA P-256 over WebCrypto, by @peculiar/x509. Files that exist are kept,
 * so a cluster started again (or a node restarted) serves the same
 * certificate; `cluster add` signs the new node's with the same CA.
 */
import type { NodeId } from "@parley/core"
import * as x509 from "@peculiar/x509"
import { Effect } from "effect"
import type { webcrypto } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { dirname } from "node:path"
import { isIP } from "node:net"
import { addressOf } from "./cluster-file.ts"
import type { NodeEntry } from "./cluster-file.ts"
import { caFileOf, caKeyPath, generatedTls, serverFilesOf } from "./client-tls-files.ts"
import { isLoopback } from "./credentials.ts"
import { CredentialError } from "./errors.ts"

const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const
const day = 86_400_000
/** Long enough for a cluster one leaves running; short enough that a leaked node key does not serve for ever. */
const nodeValidityDays = 825
const caValidityDays = 3650

interface Signer {
  readonly certificate: x509.X509Certificate
  readonly privateKey: webcrypto.CryptoKey
}

const pemKey = async (key: webcrypto.CryptoKey): Promise<string> =>
  x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY")

const serialNumber = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[0] = bytes[0]! & 0x7f // a positive integer, as RFC 5280 requires
  return Buffer.from(bytes).toString("hex")
}

/** Written whole, owner-only for keys, and never over a file that is there. */
const writeNew = (path: string, text: string, mode: number): void => {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  writeFileSync(path, text, { mode, flag: "wx" })
}

const validity = (days: number) => ({ notBefore: new Date(Date.now() - 3_600_000), notAfter: new Date(Date.now() + days * day) })

const createCa = async (certPath: string, keyPath: string): Promise<Signer> => {
  const keys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=parley cluster CA ${serialNumber().slice(0, 8)}`,
    ...validity(caValidityDays),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  writeNew(keyPath, await pemKey(keys.privateKey), 0o600)
  writeNew(certPath, certificate.toString("pem") + "\n", 0o644)
  return { certificate, privateKey: keys.privateKey }
}

const loadCa = async (certPath: string, keyPath: string): Promise<Signer> => {
  const certificate = new x509.X509Certificate(readFileSync(certPath, "utf8"))
  const der = x509.PemConverter.decodeFirst(readFileSync(keyPath, "utf8"))
  const privateKey = await crypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"])
  return { certificate, privateKey }
}

/** The names a client may reach the node's API by: its host, and on loopback or a wildcard address, the loopback names. */
export const subjectNamesOf = (node: NodeEntry): ReadonlyArray<x509.JsonGeneralName> => {
  const host = addressOf(node.client).host.replace(/^\[(.*)\]$/, "$1")
  const wildcard = host === "0.0.0.0" || host === "::"
  const names: Array<x509.JsonGeneralName> = wildcard ? [{ type: "dns", value: hostname() }] : [{ type: isIP(host) === 0 ? "dns" : "ip", value: host }]
  if (wildcard || isLoopback(host)) names.push({ type: "dns", value: "localhost" }, { type: "ip", value: "127.0.0.1" }, { type: "ip", value: "::1" })
  return names.filter((name, i) => names.findIndex((other) => other.type === name.type && other.value === name.value) === i)
}

const createServerCertificate = async (ca: Signer, node: NodeEntry, paths: { readonly cert: string; readonly key: string }): Promise<void> => {
  const keys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=parley node ${node.id}`,
    issuer: ca.certificate.subject,
    ...validity(nodeValidityDays),
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([...subjectNamesOf(node)]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  writeNew(paths.key, await pemKey(keys.privateKey), 0o600)
  writeNew(paths.cert, certificate.toString("pem") + "\n", 0o644)
}

/**
 * A certificate for each node in `nodes` that has none, in `dir`, signed by
 * the generated CA (made first if there is none). Fails, naming the file,
 * when only half of a pair is there. The ids of the nodes it made one for.
 */
export const ensureClientCertificates = (dir: string, nodes: ReadonlyArray<NodeEntry>) =>
  Effect.tryPromise({
    try: async (): Promise<ReadonlyArray<NodeId>> => {
      const missing = nodes.filter((node) => {
        const paths = serverFilesOf(dir, generatedTls, node.id)
        if (existsSync(paths.cert) !== existsSync(paths.key)) throw new Error(`${paths.cert} and ${paths.key} must both be there or neither`)
        return !existsSync(paths.cert)
      })
      if (missing.length === 0) return []
      const caCert = caFileOf(dir, generatedTls)
      const caKey = caKeyPath(dir)
      if (existsSync(caCert) !== existsSync(caKey)) {
        throw new Error(`${existsSync(caCert) ? caKey : caCert} is missing beside ${existsSync(caCert) ? caCert : caKey}; remove ${dir}/tls to make a new CA`)
      }
      const ca = existsSync(caCert) ? await loadCa(caCert, caKey) : await createCa(caCert, caKey)
      for (const node of missing) await createServerCertificate(ca, node, serverFilesOf(dir, generatedTls, node.id))
      const created = missing.map((node) => node.id)
      return created
    },
    catch: (error) => new CredentialError({ path: `${dir}/tls`, message: `cannot make the client API's certificates: ${error instanceof Error ? error.message : String(error)}` })
  })
