/**
 * How traces and the runtime's logs print the `2pc` system: each message,
 * timer, request and response as one short line, and a node's state
 * without its constant role tag.
 */
import type { TwoPcNodeState } from "./node.ts"
import type { TwoPcMessage, TwoPcRequest, TwoPcResponse, TwoPcTimer } from "./messages.ts"

/** One line per message, as traces show it: `Prepare`, `Vote(yes)`, `Commit`, `Abort`, `Inquire`. */
export const formatTwoPcMessage = (message: TwoPcMessage): string => {
  switch (message._tag) {
    case "Prepare":
    case "Inquire":
      return message._tag
    case "Vote":
      return `Vote(${message.vote})`
    case "Decision":
      return message.decision === "commit" ? "Commit" : "Abort"
  }
}

/** `VoteTimeout`, `FlushLog`, `CastVote(no)`. */
export const formatTwoPcTimer = (timer: TwoPcTimer): string =>
  timer._tag === "CastVote" ? `CastVote(${timer.vote})` : timer._tag

export const formatTwoPcRequest = (request: TwoPcRequest): string => request._tag

/** `Outcome(commit)`. */
export const formatTwoPcResponse = (response: TwoPcResponse): string => `Outcome(${response.decision})`

/** What a trace shows of a node: its state without the constant role tag. */
export const twoPcView = (state: TwoPcNodeState): unknown => {
  const { role: _role, ...shown } = state
  return shown
}
