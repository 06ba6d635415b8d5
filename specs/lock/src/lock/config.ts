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
  /** Ticks of the server's clock a lease lasts after it is granted or renewed. */
  readonly ttl: number
  readonly bugs: LeaseBugs
}
