/**
 * A held link (`POST /v1/admin/hold`, `parley cluster hold`): what a node
 * sends to a held peer waits, in order, until the link is released, while
 * its other links and the peer's other senders go on. Shown on a spec that
 * knows no protocol: each node relays every note it is given to every
 * peer, and lists the notes in the order it received them.
 */
import { clientRoute, hostedSpec, noBody, reply, send, step } from "@parley/core"
import { Effect, Layer, Schema } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { loopbackNodes } from "../src/cluster-file.ts"
import { ensureCredentials } from "../src/credentials.ts"
import { nodeConfigLayer, nodeLayer } from "../src/host.ts"
import { freeBasePort } from "../src/ports.ts"
import { Storage } from "../src/storage.ts"
import { MemoryNetwork } from "../src/transport/memory.ts"
import { call, eventually, run } from "./in-process-harness.ts"

const Note = Schema.Struct({ text: Schema.String })
const NoteRequest = Schema.Struct({ seq: Schema.Int, text: Schema.NullOr(Schema.String) })
const NotesResponse = Schema.Struct({ seq: Schema.Int, notes: Schema.Array(Schema.String) })
type Notes = ReadonlyArray<string>
const NotesBody = Schema.Struct({ notes: Schema.Array(Schema.String) })

const relayHosted = hostedSpec({
  name: "relay",
  message: Note,
  request: NoteRequest,
  response: NotesResponse,
  durable: Schema.Null,
  options: Schema.Struct({}),
  actor: (nodes) => ({
    init: () => step<Notes>([]),
    onMessage: (notes, _from, note) => step([...notes, note.text]),
    onTimer: (notes) => step(notes),
    onRequest: (notes, client, { seq, text }) => {
      if (text === null) return step(notes, [reply(client, { seq, notes })])
      return step([...notes, text], [reply(client, { seq, notes: [text] }), ...nodes.map((peer) => send(peer, { text }))])
    },
    durable: () => null,
    recover: () => step<Notes>([])
  }),
  timerKind: () => "none",
  timers: {},
  api: {
    routes: [
      clientRoute({
        method: "POST",
        path: "/v1/notes/{text}",
        params: Schema.Struct({ text: Schema.String }),
        body: noBody,
        request: ({ text }, _, seq) => ({ seq, text }),
        reply: (_, notes: Notes) => ({ status: 200, body: { notes } }),
        summary: "Add a note",
        answer: NotesBody
      }),
      clientRoute({
        method: "GET",
        path: "/v1/notes",
        params: Schema.Struct({}),
        body: noBody,
        request: (_, __, seq) => ({ seq, text: null }),
        reply: (_, notes: Notes) => ({ status: 200, body: { notes } }),
        summary: "Every note",
        answer: NotesBody
      })
    ],
    status: { schema: Schema.Struct({ notes: Schema.Int }), of: (notes: Notes) => ({ notes: notes.length }) },
    answers: (response) => response.seq,
    outcome: (response) => ({ _tag: "Answer", answer: response.notes })
  }
})

/** Three relay nodes over one memory network, each sending to the others only (a node does not send to itself). */
const startRelays = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "parley-held-"))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )
  const nodes = loopbackNodes(yield* freeBasePort(3), 3)
  const clusterFile = join(dir, "cluster.json")
  writeFileSync(clusterFile, JSON.stringify({ spec: "relay", nodes, timers: {}, options: {} }))
  yield* Effect.orDie(ensureCredentials(dir))
  const network = new MemoryNetwork()
  for (const node of nodes) {
    const relay = { ...relayHosted, actor: () => relayHosted.actor(nodes.map((n) => n.id).filter((id) => id !== node.id), {}) }
    const config = nodeConfigLayer({ clusterFile, id: node.id, spec: "relay", dataDir: dir, logLevel: "Warn", hostedSpecs: [relay] })
    yield* Layer.build(nodeLayer(Storage.memory({ value: undefined }), network.transport).pipe(Layer.provide(config)))
  }
  return nodes
})

describe("a held link", () => {
  it("keeps what one node sends one peer, in order, until released, while every other link goes on", () =>
    run(Effect.gen(function*() {
      const [n1, n2, n3] = yield* startRelays
      const notesAt = (node: typeof n1, count: number) =>
        eventually(`${node!.id} to hold ${count} notes`, call(node!, "GET", "/v1/notes").pipe(
          Effect.map((answer) => (answer.body["notes"] as Notes).length >= count ? answer.body["notes"] : undefined)
        ))

      expect(yield* call(n1!, "POST", "/v1/admin/hold", JSON.stringify({ held: ["n3"] }))).toEqual({ status: 200, body: { id: "n1", held: ["n3"] } })
      yield* call(n1!, "POST", "/v1/notes/a")
      yield* call(n1!, "POST", "/v1/notes/b")
      expect(yield* notesAt(n2, 2)).toEqual(["a", "b"])
      yield* call(n2!, "POST", "/v1/notes/c")
      expect(yield* notesAt(n3, 1)).toEqual(["c"])
      expect((yield* call(n1!, "GET", "/v1/status")).body).toMatchObject({ heldLinks: ["n3"], blocked: [] })

      expect(yield* call(n1!, "POST", "/v1/admin/hold", JSON.stringify({ held: [] }))).toEqual({ status: 200, body: { id: "n1", held: [] } })
      expect(yield* notesAt(n3, 3)).toEqual(["c", "a", "b"])
      yield* call(n1!, "POST", "/v1/notes/d")
      expect(yield* notesAt(n3, 4)).toEqual(["c", "a", "b", "d"])
    })))

  it("refuses a body that is not a list of this cluster's nodes, and keeps serving", () =>
    run(Effect.gen(function*() {
      const [n1] = yield* startRelays
      expect(yield* call(n1!, "POST", "/v1/admin/hold", JSON.stringify({ held: ["n9"] }))).toEqual({
        status: 400,
        body: { error: "not nodes of this cluster: n9" }
      })
      expect(yield* call(n1!, "POST", "/v1/admin/hold", JSON.stringify({ hold: "n2" }))).toMatchObject({
        status: 400,
        body: { error: expect.stringMatching(/^the body does not fit \{"held": \[node ids\]\}/) }
      })
      expect(yield* call(n1!, "GET", "/v1/admin/hold")).toMatchObject({ status: 405 })
      expect((yield* call(n1!, "GET", "/v1/status")).body).toMatchObject({ id: "n1", heldLinks: [] })
    })))
})
