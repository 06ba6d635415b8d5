/**
 * The transport seam: how one node's frames reach another. A transport is a
 * Layer providing `Transport`, chosen when the node is assembled (host.ts),
 * as storage is: `tcpTransport` (transport/tcp.ts) between processes,
 * `MemoryNetwork` (transport/memory.ts) between nodes in one process.
 *
 * What a transport must do, and all it must do:
 * - `open(receive)`: start accepting frames from the peers and hand each to
 *   `receive` with the node it came from; release everything (sockets,
 *   servers, timers) when the scope closes.
 * - Keep each link ordered: the frames one node sends another arrive in the
 *   order sent, as the model's `ordered` network assumes.
 * - Decode what it did not make itself with `peerFrameJson` (the spec's
 *   Schemas); a frame that does not decode is logged and dropped, and the
 *   node goes on.
 * - Bound what it buffers. Delivery is best effort: a frame for a peer that
 *   is down or not reading may be dropped; the reducers survive message
 *   loss (Raft resends on its heartbeat).
 * Partitions and client forwarding are not a transport's business: the
 * runtime applies Faults to every frame either way and routes forwarded
 * requests itself (peers.ts), so every transport honours them alike.
 */
import type { AnyHostedSpec, NodeId } from "@parley/core"
import { Context, Result, Schema } from "effect"
import type { Effect, Scope } from "effect"
import { oneLine } from "./cluster-file.ts"
import { compiled } from "./compiled-schema.ts"
import type { ListenError } from "./errors.ts"
import { messageJson, rememberArrival } from "./message-json.ts"

/** Everything one node says to another, for a spec with these Schemas. */
export const peerFrameSchema = (hosted: AnyHostedSpec) =>
  Schema.Union([
    /** A message of the spec's protocol, from one reducer to another. */
    Schema.TaggedStruct("Message", { body: hosted.message }),
    /** A client request handed to the node believed to lead, to run through its reducer. */
    Schema.TaggedStruct("Forward", { client: Schema.String, request: hosted.request }),
    /** The reducer's answer to a forwarded request, on its way back to the node that forwarded it. */
    Schema.TaggedStruct("Answer", { client: Schema.String, response: hosted.response })
  ])

export type PeerFrame = ReturnType<typeof peerFrameSchema>["Type"]

/**
 * A frame as JSON and back, with the spec's Schemas: what a transport that
 * carries bytes puts on the wire. A protocol message's text is made once
 * for the wire and the event log alike, and one that arrives is remembered
 * with the JSON it came as (message-json.ts).
 */
export const peerFrameJson = (hosted: AnyHostedSpec) => {
  // The frame's parts too: a message's text is made apart from the frame's (message-json.ts), and the event log encodes requests and responses.
  compiled(hosted.message)
  compiled(hosted.request)
  compiled(hosted.response)
  const schema = compiled(peerFrameSchema(hosted))
  const encode = Schema.encodeSync(schema)
  const decodeValid = Schema.decodeUnknownSync(schema)
  const decodeDetailed = Schema.decodeUnknownResult(schema)
  /** The frame `json` decodes to by the compiled decoder's fast path, if it fits. */
  const decodesAs = (json: unknown): PeerFrame | undefined => {
    try {
      return decodeValid(json)
    } catch {
      return undefined
    }
  }
  /** The fast path; a frame that does not fit is decoded again by the one that says why. */
  const decode = (json: unknown): Result.Result<PeerFrame, Schema.SchemaError> => {
    const frame = decodesAs(json)
    return frame === undefined ? decodeDetailed(json) : Result.succeed(frame)
  }
  const messageText = messageJson(hosted.message)
  /** The frame, or why it is not one: a sentence for the log. */
  const decodeJson = (json: unknown): Result.Result<PeerFrame, string> => {
    const frame = Result.mapError(decode(json), (error) => `frame does not decode as a ${hosted.name} message: ${oneLine(error.message)}`)
    if (Result.isSuccess(frame) && frame.success._tag === "Message" && typeof json === "object" && json !== null && "body" in json) {
      rememberArrival(hosted.message, frame.success.body, { json: json.body })
    }
    return frame
  }
  return {
    encode: (frame: PeerFrame): unknown => encode(frame),
    /** The frame's JSON text. */
    text: (frame: PeerFrame): string =>
      frame._tag === "Message" ? `${messagePrefix}${messageText(frame.body)}}` : JSON.stringify(encode(frame)),
    decode: decodeJson,
    /**
     * The frame a text holds, or why it holds none. A message framed as
     * `text` frames it has its body parsed alone, and the body's text is
     * remembered as it came, for the event log (message-json.ts); any other
     * text is parsed whole.
     */
    read: (text: string): Result.Result<PeerFrame, string> => {
      const body = messageBodyText(text)
      const frame = body === undefined ? undefined : decodesAs({ _tag: "Message", body: body.json })
      if (body !== undefined && frame?._tag === "Message") {
        rememberArrival(hosted.message, frame.body, body.text)
        return Result.succeed(frame)
      }
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch (error) {
        return Result.fail(`frame is not JSON: ${error instanceof Error ? error.message : String(error)}`)
      }
      return decodeJson(json)
    }
  }
}

const messagePrefix = `{"_tag":"Message","body":`

/**
 * The body of a message frame in `text`'s form, its text and its JSON: the
 * text between the prefix and the last brace, when it parses alone (a frame
 * with another key after the body, or a key twice, does not) and is one
 * line (the log's records are lines).
 */
const messageBodyText = (text: string): { readonly text: string; readonly json: unknown } | undefined => {
  if (!text.startsWith(messagePrefix) || !text.endsWith("}")) return undefined
  const body = text.slice(messagePrefix.length, -1)
  if (body.includes("\n")) return undefined
  try {
    return { text: body, json: JSON.parse(body) }
  } catch {
    return undefined
  }
}

/** This node's end of its links to the other nodes. */
export interface PeerLink {
  /** Queues `frame` for `to`; nothing leaves before `flush`. */
  send(to: NodeId, frame: PeerFrame): void
  /** Sends everything queued since the last flush, one write per peer. */
  flush(): void
}

export class Transport extends Context.Service<Transport, {
  /** Connects this node to its peers until the scope closes; each frame that arrives is handed to `receive`. */
  open(receive: (from: NodeId, frame: PeerFrame) => void): Effect.Effect<PeerLink, ListenError, Scope.Scope>
}>()("@parley/runtime/Transport") {}
