import type { AnyHostedSpec } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Effect, Layer, Redacted } from "effect"
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { ClientAuth, ensureCredentials, isLoopback, PeerKey, refusalOf, secretPath, tokenPath } from "../src/credentials.ts"
import { nodeLayer } from "../src/host.ts"
import { NodeConfig } from "../src/node-config.ts"
import { freeBasePort } from "../src/ports.ts"
import { Storage } from "../src/storage.ts"
import { tempDirs } from "./temp-dirs.ts"

const freshDir = tempDirs("parley-credentials-")

const failureOf = (effect: Effect.Effect<unknown, { readonly message: string }>) => Effect.runPromise(Effect.flip(effect)).then((error) => error.message)
const loadKey = (path: string) => Effect.asVoid(Layer.build(PeerKey.fromFile(path)).pipe(Effect.scoped))

describe("the cluster secret and the client token", () => {
  it("are created owner-only, once: a second run keeps them", async () => {
    const dir = freshDir()
    await Effect.runPromise(ensureCredentials(dir))
    const secret = readFileSync(secretPath(dir), "utf8")
    const token = readFileSync(tokenPath(dir), "utf8")
    expect(secret.trim()).toMatch(/^[0-9a-f]{64}$/)
    expect(token.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/)
    for (const path of [secretPath(dir), tokenPath(dir)]) expect(statSync(path).mode & 0o777).toBe(0o600)
    await Effect.runPromise(ensureCredentials(dir))
    expect([readFileSync(secretPath(dir), "utf8"), readFileSync(tokenPath(dir), "utf8")]).toEqual([secret, token])
  })

  it("a secret that is missing, open to other users or not 64 hex digits is refused, naming the file and the fix", async () => {
    const dir = freshDir()
    const path = secretPath(dir)
    expect(await failureOf(loadKey(path))).toBe(
      `no cluster secret at ${path}: \`parley cluster up\` creates one; for a cluster written by hand, run \`openssl rand -hex 32 > ${path}; chmod 600 ${path}\``
    )
    writeFileSync(path, "ab".repeat(32), { mode: 0o644 })
    chmodSync(path, 0o644)
    expect(await failureOf(loadKey(path))).toBe(`${path} (the cluster secret) is open to other users (mode 644); run \`chmod 600 ${path}\``)
    chmodSync(path, 0o600)
    await Effect.runPromise(loadKey(path))
    writeFileSync(path, "not hex at all")
    expect(await failureOf(loadKey(path))).toBe(`${path} does not hold a cluster secret: expected 64 or more hex digits`)
  })
})

describe("the client policy", () => {
  const token = "t".repeat(43)
  const open = { token: Redacted.make(token), required: false }
  const required = { token: Redacted.make(token), required: true }

  it("serves loopback without a token, refuses a wrong or malformed one, and requires one where told", () => {
    expect(refusalOf(open, undefined)).toBeUndefined()
    expect(refusalOf(open, `Bearer ${token}`)).toBeUndefined()
    expect(refusalOf(open, "Bearer wrong")).toBe("the bearer token is not this cluster's")
    expect(refusalOf(open, `Basic ${token}`)).toBe("the Authorization header must be `Bearer TOKEN`")
    expect(refusalOf(required, undefined)).toMatch(/^this node requires a bearer token/)
    expect(refusalOf(required, `bearer ${token}`)).toBeUndefined()
    expect(refusalOf({ token: undefined, required: false }, "Bearer x")).toMatch(/has no client token/)
  })

  it("takes only 127/8, ::1 and localhost for loopback", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "localhost"].filter(isLoopback)).toHaveLength(4)
    expect(["0.0.0.0", "::", "10.0.0.1", "example.com", "127.0.0.1.example.com"].some(isLoopback)).toBe(false)
  })

  it("a node that would serve clients beyond loopback without a token does not start, and binds nothing there", async () => {
    const base = await Effect.runPromise(freeBasePort(1))
    const self = { id: "n1", client: `0.0.0.0:${base + 1}`, peer: `127.0.0.1:${base + 101}` }
    const node = nodeLayer(Storage.memory({ value: undefined })).pipe(
      Layer.provide(PeerKey.layer("00".repeat(32))),
      Layer.provide(Layer.succeed(NodeConfig, NodeConfig.of({
        self: self.id,
        nodes: [self],
        hosted: raftHosted as unknown as AnyHostedSpec,
        options: { prevote: false, checkquorum: false, maxEntriesPerAppend: 64 },
        timers: raftHosted.timers
      })))
    )
    const message = await failureOf(Layer.build(node).pipe(Effect.scoped, Effect.provideService(ClientAuth, { token: undefined, required: false })))
    expect(message).toMatch(new RegExp(`^node n1 serves clients on 0\\.0\\.0\\.0:${base + 1}, which is not a loopback address, but has no client token`))
  })
})
