/**
 * How traces and the runtime's logs print the `2pc` system: each message,
 * timer, request and response as one short line, and a node's state
 * without its constant role tag.
 */
import type { TwoPcNodeState } from "./node.ts"
import type { TwoPcMessage, TwoPcRequest, TwoPcResponse, TwoPcTimer, Write } from "./messages.ts"

const writesOf = (writes: ReadonlyArray<Write>): string => writes.map((w) => `${w.key}=${w.value}`).join(" ")

/** One line per message, as traces show it: `Prepare t1 k1=v1`, `Vote t1 yes`, `Commit t1`, `Abort t1`, `Inquire t1`. */
export const formatTwoPcMessage = (message: TwoPcMessage): string => {
  switch (message._tag) {
    case "Prepare":
      return `Prepare ${message.tx} ${writesOf(message.writes)}`
    case "Inquire":
      return `Inquire ${message.tx}`
    case "Vote":
      return `Vote ${message.tx} ${message.vote}`
    case "Decision":
      return `${message.decision === "commit" ? "Commit" : "Abort"} ${message.tx}`
  }
}

/** `VoteTimeout t1`, `FlushLog t1`, `CastVote t1 no`, `InDoubt t1`. */
export const formatTwoPcTimer = (timer: TwoPcTimer): string =>
  timer._tag === "CastVote" ? `CastVote ${timer.tx} ${timer.vote}` : `${timer._tag} ${timer.tx}`

/** `#1 Begin k1=v1 k2=v1`, `#2 Read k1`, `#3 TxQuery t1`. */
export const formatTwoPcRequest = (request: TwoPcRequest): string => {
  switch (request._tag) {
    case "Begin":
      return `#${request.seq} Begin ${writesOf(request.writes)}`
    case "Read":
      return `#${request.seq} Read ${request.key}`
    case "TxQuery":
      return `#${request.seq} TxQuery ${request.tx}`
  }
}

/** `#1 Outcome t1 commit`. */
export const formatTwoPcResponse = (response: TwoPcResponse): string => {
  switch (response._tag) {
    case "Outcome":
      return `#${response.seq} Outcome ${response.tx} ${response.decision}`
    case "Value":
      return `#${response.seq} Value ${response.key}=${response.value ?? "(none)"}`
    case "TxView":
      return `#${response.seq} TxView ${response.tx} ${response.node} ${response.state}`
    case "Elsewhere":
      return `#${response.seq} Elsewhere ${response.node}`
  }
}

/** What a trace shows of a node: its state without the constant role tag (nor a participant's constant id). */
export const twoPcView = (state: TwoPcNodeState): unknown => {
  if (state.role === "coordinator") {
    const { role: _role, ...shown } = state
    return shown
  }
  const { role: _role, self: _self, ...shown } = state
  return shown
}
