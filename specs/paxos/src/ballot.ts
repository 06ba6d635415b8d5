/**
 * What both Paxos models count with: ballots and majorities. Any two
 * majorities of one set share a member, and that is all Paxos's safety rests
 * on; ballots order the rounds in which they are formed.
 */
import { Schema } from "effect"

/** A whole number, 0 meaning "none"; each model says which node owns which ballot. */
export const Ballot = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
export type Ballot = typeof Ballot.Type

/** More than half of `members`: any two such sets share a member. */
export const majority = (members: number): number => Math.floor(members / 2) + 1
