import type { Output } from "@parley/core"

/**
 * A step's outputs one per line, as etcd/raft's data-driven tests print
 * them: `payment <- Do T2 key=order-1:charge`, `set Retry order-1:charge`.
 */
export const render = <M, T>(
  out: ReadonlyArray<Output<M, T, unknown>>,
  formatMessage: (m: M) => string,
  formatTimer: (t: T) => string
): ReadonlyArray<string> =>
  out.map((o) => {
    switch (o._tag) {
      case "Send":
        return `${o.to} <- ${formatMessage(o.message)}`
      case "SetTimer":
        return `set ${formatTimer(o.timer)}`
      case "CancelTimer":
        return `cancel ${formatTimer(o.timer)}`
      case "Reply":
        return `reply ${o.client}`
    }
  })
