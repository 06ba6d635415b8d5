import type { TwoPhaseAction, TwoPhaseMessage } from "./state.ts"

/** One line per message, as traces show it: `Prepared(rm2)`, `Commit`, `Abort`. */
export const formatTwoPhaseMessage = (message: TwoPhaseMessage): string =>
  message.type === "Prepared" ? `Prepared(${message.rm})` : message.type

/** The action as TwoPhase.tla names it: `TMCommit`, `TMRcvPrepared(rm2)`. */
export const twoPhaseActionLabel = (action: TwoPhaseAction): string =>
  "rm" in action ? `${action.name}(${action.rm})` : action.name
