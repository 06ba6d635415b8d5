/**
 * A protocol message's JSON, made once. A node that logs its steps writes
 * every message it sends into its event log and puts the same message on
 * the wire; each is encoded with the spec's Schema and made text once,
 * remembered by identity (reducers never change a value they made), and
 * whichever comes second takes the text. A message that came off the wire
 * is remembered with the JSON it arrived as (the frame's own text of it,
 * when the transport could keep that: no JSON made again), which the
 * event log writes as the step's input: it decodes to the very message the
 * reducer took, and it is what the sender logged, so `parley validate`
 * matches the two.
 */
import { Schema } from "effect"

type MessageSchema = Schema.Codec<unknown, unknown>

const texts = new WeakMap<MessageSchema, WeakMap<object, string>>()
const arrivals = new WeakMap<MessageSchema, WeakMap<object, Arrival>>()

const memoOf = <V>(memos: WeakMap<MessageSchema, WeakMap<object, V>>, schema: MessageSchema): WeakMap<object, V> => {
  let memo = memos.get(schema)
  if (memo === undefined) {
    memo = new WeakMap()
    memos.set(schema, memo)
  }
  return memo
}

/** The JSON text of a message of `schema`, as the Schema encodes it. */
export const messageJson = (schema: MessageSchema) => {
  const encode = Schema.encodeSync(schema)
  const memo = memoOf(texts, schema)
  return (message: unknown): string => {
    if (typeof message !== "object" || message === null) return JSON.stringify(encode(message))
    let text = memo.get(message)
    if (text === undefined) {
      text = JSON.stringify(encode(message))
      memo.set(message, text)
    }
    return text
  }
}

/**
 * Remembers what `message` was decoded from as it came off the wire: the
 * body's own text when the transport kept it, else its parsed JSON, made
 * text only if the event log asks for it.
 */
export const rememberArrival = (schema: MessageSchema, message: unknown, arrived: Arrival): void => {
  if (typeof message === "object" && message !== null) memoOf(arrivals, schema).set(message, arrived)
}

/** A message's text as it came, or its JSON as parsed. */
export type Arrival = string | { readonly json: unknown }

/** The JSON text `message` came off the wire as, or its own encoding when it did not (a memory transport hands values over). */
export const arrivedJson = (schema: MessageSchema) => {
  const own = messageJson(schema)
  const memo = memoOf(arrivals, schema)
  return (message: unknown): string => {
    const arrived = typeof message === "object" && message !== null ? memo.get(message) : undefined
    if (arrived === undefined) return own(message)
    return typeof arrived === "string" ? arrived : JSON.stringify(arrived.json)
  }
}
