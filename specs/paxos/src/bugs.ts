/**
 * The known bugs `paxos` and `multi-paxos` offer as variants: the same two,
 * in one decree or in every slot of a log. Each spec describes them in its
 * own terms; the flags they switch on are declared here once.
 */
import type { VariantDecl } from "@parley/core"

/** Known bugs a variant switches on; every flag off is Paxos as published. */
export interface PaxosBugs {
  /** An acceptor keeps only its vote across a crash and restarts promised to the ballot of that vote, forgetting higher promises. */
  readonly forgetPromise: boolean
  /** A proposer with a quorum of promises proposes its own value even when a promise reports a vote. */
  readonly ignoreAccepted: boolean
}

export const noBugs: PaxosBugs = { forgetPromise: false, ignoreAccepted: false }

export type PaxosVariant = "forget-promise" | "ignore-accepted"

/** Both variants, each with the flag it turns on and the description a spec gives it. */
export const paxosVariants = (
  descriptions: Readonly<Record<PaxosVariant, string>>
): { readonly [V in PaxosVariant]: VariantDecl<PaxosBugs> } => ({
  "forget-promise": { description: descriptions["forget-promise"], bugs: { forgetPromise: true } },
  "ignore-accepted": { description: descriptions["ignore-accepted"], bugs: { ignoreAccepted: true } }
})
