/**
 * A client's own session, named in two request headers (Raft thesis §6.3):
 *   Parley-Client: a name the client chose, 1 to 128 of A-Z a-z 0-9 _ . : -
 *   Parley-Seq:    its operation's sequence number, 1, 2, 3, … one at a time
 * A request sent again with the same pair is the same operation: it takes
 * effect at most once, and its answer is the first attempt's. Without them
 * the node lends the call a session of its own, which a retry cannot name.
 */
import { Result, Schema, SchemaTransformation } from "effect"
import type { ClientSlot } from "./client-slots.ts"

export const clientHeader = "Parley-Client"
export const seqHeader = "Parley-Seq"

/** The largest sequence number: fifteen digits, well inside a double's exact integers. */
export const maxSeq = 999_999_999_999_999

const ClientName = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_.:-]{1,128}$/))
const Seq = Schema.String.check(Schema.isPattern(/^[1-9][0-9]{0,14}$/)).pipe(
  Schema.decodeTo(Schema.Int, SchemaTransformation.numberFromString)
)

const SessionHeaders = Schema.Struct({
  "parley-client": ClientName,
  "parley-seq": Seq
})
const decodeSession = Schema.decodeUnknownResult(SessionHeaders)

/**
 * The reducer's client id for a named session. Node ids hold no `:`, so no
 * name a client picks is a session the node lends (`n1.<incarnation>.<i>`).
 */
export const namedClientId = (name: string): string => `client:${name}`

/** A session the request names: `{ client, seq }` for the reducer; undefined when it names none; a string says what is wrong. */
export const namedSession = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): Result.Result<ClientSlot | undefined, string> => {
  const client = headers["parley-client"]
  const seq = headers["parley-seq"]
  if (client === undefined && seq === undefined) return Result.succeed(undefined)
  if (client === undefined || seq === undefined) {
    return Result.fail(`${clientHeader} and ${seqHeader} come together: the request has ${client === undefined ? seqHeader : clientHeader} alone`)
  }
  const decoded = decodeSession({ "parley-client": client, "parley-seq": seq })
  if (Result.isSuccess(decoded)) {
    return Result.succeed({ client: namedClientId(decoded.success["parley-client"]), seq: decoded.success["parley-seq"] })
  }
  return Result.fail(
    typeof client !== "string" || !Schema.is(ClientName)(client)
      ? `${clientHeader} must be 1 to 128 of the characters A-Z a-z 0-9 _ . : -, got ${JSON.stringify(client)}`
      : `${seqHeader} must be a whole number from 1 to ${maxSeq}, got ${JSON.stringify(seq)}`
  )
}

/**
 * What a 503 after the deadline says: the operation may yet take effect,
 * and how to retry it so that it takes effect at most once.
 */
export const unknownOutcome = (reason: string, named: ClientSlot | undefined) => ({
  error: `${reason}; the outcome is unknown: the operation may still take effect`,
  outcome: "unknown",
  retry: named === undefined
    ? `this request named no session, so a retry is a new operation and may take effect a second time; ` +
      `send ${clientHeader} (a name of yours) and ${seqHeader} (1, 2, … one operation at a time) to make a retry the same operation`
    : `send the same request again with the same ${clientHeader} and ${seqHeader}: ` +
      `it takes effect at most once, and the answer is the first attempt's`
})
