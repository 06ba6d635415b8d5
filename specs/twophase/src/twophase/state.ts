/**
 * The variables of TwoPhase.tla and its actions, as types: what the model,
 * its interners and its formatting share.
 */
import type { SetOf } from "@parley/core/model"

/** A resource manager: `rm1` … `rmN`. */
export type RM = `rm${number}`
export type RMState = "working" | "prepared" | "committed" | "aborted"
export type TMState = "init" | "done"

export type TwoPhaseMessage =
  | { readonly type: "Prepared"; readonly rm: RM }
  | { readonly type: "Commit" }
  | { readonly type: "Abort" }

/** The four variables of TwoPhase.tla, nothing more. */
export interface TwoPhaseState {
  readonly rmState: Readonly<Record<RM, RMState>>
  readonly tmState: TMState
  readonly tmPrepared: SetOf<RM>
  readonly msgs: SetOf<TwoPhaseMessage>
}

export type TwoPhaseAction =
  | { readonly name: "TMCommit" | "TMAbort" }
  | {
    readonly name: "TMRcvPrepared" | "RMPrepare" | "RMChooseToAbort" | "RMRcvCommitMsg" | "RMRcvAbortMsg"
    readonly rm: RM
  }
