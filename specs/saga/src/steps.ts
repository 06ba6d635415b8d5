/**
 * The saga both specs run: an order (the model checks one, `order-1`; a
 * hosted cluster runs as many as it is asked to), whose steps T1…Tn each run
 * on a service of their own and each have a compensation C1…Cn. Every
 * operation has an idempotency key derived from the saga and the operation
 * (`order-1:charge`, `order-1:refund`), so a resend carries the same key as
 * the first send and a service can answer it from its table instead of
 * applying it again.
 */
import type { NodeId } from "@parley/core"

export const SAGA_ID = "order-1"

export interface SagaStep {
  /** 1-based: T1 runs first, C1 is compensated last. */
  readonly step: number
  readonly service: NodeId
  readonly action: string
  readonly compensation: string
}

const catalogue: ReadonlyArray<Omit<SagaStep, "step">> = [
  { service: "inventory", action: "reserve", compensation: "release" },
  { service: "payment", action: "charge", compensation: "refund" },
  { service: "shipping", action: "ship", compensation: "recall" },
  { service: "loyalty", action: "award", compensation: "revoke" }
]

export const MAX_STEPS = catalogue.length

/** The payment service: the one the `no-idempotency` variant breaks, so its counterexample is a double charge. */
export const PAYMENT_STEP = 2

/** T1…Tn of the catalogue. */
export const sagaSteps = (count: number): ReadonlyArray<SagaStep> =>
  catalogue.slice(0, count).map((entry, index) => ({ ...entry, step: index + 1 }))

export const stepAt = (steps: ReadonlyArray<SagaStep>, step: number): SagaStep => {
  const found = steps[step - 1]
  if (found === undefined) throw new RangeError(`the saga has no step T${step}; it has T1 to T${steps.length}`)
  return found
}

/** The idempotency key of saga `saga`'s step `step`: its action (`order-1:charge`) or compensation (`order-1:refund`). */
export const operationKey = (steps: ReadonlyArray<SagaStep>, saga: string, step: number, op: "do" | "undo"): string => {
  const entry = stepAt(steps, step)
  return `${saga}:${op === "do" ? entry.action : entry.compensation}`
}

/** Known bugs a variant switches on; every flag off is the saga as it should be written. */
export interface SagaBugs {
  /** The payment service ignores idempotency keys: a resent charge (or refund) is applied again. */
  readonly noIdempotency: boolean
  /** A step whose outcome has not come back when the retry budget is spent is taken as failed and compensation starts. */
  readonly compensateEarly: boolean
}

export const noBugs: SagaBugs = { noIdempotency: false, compensateEarly: false }
