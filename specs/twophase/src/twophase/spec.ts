/**
 * `twophase`: Lamport's TwoPhase.tla as a Model (model.ts), for a number of
 * resource managers, with its known bugs as variants. This module is what a
 * checker worker thread loads (`module`), so it imports only
 * `@parley/core/model`.
 */
import { CorrectVariant, defineSpec, int } from "@parley/core/model"
import type { Model } from "@parley/core/model"
import { twoPhaseCorrect, twoPhaseModel } from "./model.ts"
import type { TwoPhaseAction, TwoPhaseState } from "./model.ts"

export const twoPhaseSpec = defineSpec({
  module: import.meta.url,
  name: "twophase",
  description: "Lamport's TwoPhase.tla: a transaction manager and resource managers agree to commit or abort",
  options: {
    rms: int("number of resource managers", { default: 3, min: 1, max: 12 })
  },
  correct: twoPhaseCorrect,
  variants: {
    "commit-without-votes": {
      description: "TMCommit does not wait until every RM has said Prepared, so an RM that chose to abort meets a Commit",
      bugs: { commitWithoutVotes: true }
    },
    "abort-after-commit": {
      description: "TMAbort does not check that the TM is still undecided, so it can send Abort after Commit",
      bugs: { abortAfterCommit: true }
    },
    "abort-when-prepared": {
      description: "RMChooseToAbort is allowed after the RM has said Prepared, so it can abort while the TM commits",
      bugs: { abortWhenPrepared: true }
    }
  },
  build: (options, bugs) => ({ _tag: "Model", model: twoPhaseModel(options.rms, bugs) })
})

/** `twoPhaseModel` from one plain argument, as a worker thread of a parallel search builds its model. */
export const twoPhaseModelFrom = (input: { readonly rms: number; readonly variant?: string }): Model<TwoPhaseState, TwoPhaseAction> =>
  twoPhaseModel(input.rms, twoPhaseSpec.bugsOf(input.variant ?? CorrectVariant))
