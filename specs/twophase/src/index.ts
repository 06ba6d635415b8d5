export * from "./twophase/format.ts"
export * from "./twophase/model.ts"
export * from "./twophase/spec.ts"

export { clientWrites, twoPcClient } from "./2pc/client.ts"
export type { TwoPcClientState } from "./2pc/client.ts"
export { COORDINATOR, initialCoordinator, twoPcCorrect } from "./2pc/coordinator.ts"
export type { CoordinatorConfig, CoordinatorState, CoordinatorTx, TwoPcBugs } from "./2pc/coordinator.ts"
export * from "./2pc/format.ts"
export * from "./2pc/messages.ts"
export { twoPcActor } from "./2pc/node.ts"
export type { TwoPcActor, TwoPcNodeState } from "./2pc/node.ts"
export { initialParticipant } from "./2pc/participant.ts"
export type { ParticipantState, ParticipantTx } from "./2pc/participant.ts"
export {
  agreement,
  clientOutcomeMatches,
  commitNeedsAllYes,
  coordinatorAgrees,
  locksExclusive,
  twoPcProperties,
  twoPcTerminal
} from "./2pc/properties.ts"
export type { TwoPcSystemState, TwoPhaseCommitSystem } from "./2pc/properties.ts"
export { keyOwnedBy, ownerOf, shardsOf } from "./2pc/shards.ts"
export * from "./2pc/spec.ts"
export { maxWrites, TwoPcHostOptions, twoPcHosted, TwoPcStatus, twoPcTimerDefaults } from "./2pc/hosting.ts"
