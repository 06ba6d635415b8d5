/**
 * What crosses a boundary in Chang and Roberts's ring election, each as an
 * effect Schema. Messages travel one way round the ring, to the sender's
 * successor. `epoch` numbers the election: a node that finds the leader
 * crashed starts the next one, and messages of an older epoch are dropped.
 */
import { Schema } from "effect"

export const Epoch = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
export type Epoch = typeof Epoch.Type

/** The highest candidate seen so far on its way round; it wins when it comes back to itself. */
export const Election = Schema.TaggedStruct("Election", { epoch: Epoch, candidate: Schema.String })
/** The winner's announcement, passed round once. */
export const Elected = Schema.TaggedStruct("Elected", { epoch: Epoch, leader: Schema.String })

/** With probes on: "are you there?", to the successor, and its answer. */
export const Ping = Schema.TaggedStruct("Ping", {})
export const Pong = Schema.TaggedStruct("Pong", {})
export const RingMessage = Schema.Union([Election, Elected, Ping, Pong])
export type RingMessage = typeof RingMessage.Type

/**
 * - `check-successor`: the failure detector finds the successor crashed, and the node skips it (with probes on:
 *   only if the successor has not answered the last Ping).
 * - `probe`: with probes on, time to Ping the successor.
 */
export const RingTimer = Schema.Literals(["check-successor", "probe"])
export type RingTimer = typeof RingTimer.Type

/** Nodes crash and stay down (crash-stop); nothing needs to survive. */
export const RingDurable = Schema.Null
export type RingDurable = typeof RingDurable.Type
