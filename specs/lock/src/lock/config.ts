import type { NodeId } from "@parley/core"

/** The flags a variant switches on; all off is the fenced recipe. */
export interface LeaseBugs {
  /** Release reads the key, then deletes it if it held the client's value: two commands, with a gap between them. */
  readonly twoStepRelease: boolean
  /** The resource accepts every write, whatever its token. */
  readonly resourceIgnoresTokens: boolean
  /** Clients never renew their lease. */
  readonly noRenewal: boolean
}

export const fencedRecipe: LeaseBugs = { twoStepRelease: false, resourceIgnoresTokens: false, noRenewal: false }

export const LockServer: NodeId = "redis"
export const Resource: NodeId = "resource"

export interface LeaseConfig {
  readonly clients: ReadonlyArray<NodeId>
  /** Ticks of the server's clock a model client's lease lasts after it is granted or renewed. */
  readonly ttl: number
  readonly bugs: LeaseBugs
  /** The milliseconds of one tick, when hosted: how a hosted client's ttl in milliseconds becomes ticks. */
  readonly tickMs: number
}

/** The model's one lock, which its clients all take. */
export const modelLock = "lock"
