/**
 * The node's traffic with its peers, over whichever Transport the node was
 * built with: the reducers' messages (PeerMessages) and forwarded client
 * requests (Forwarding) share one link per peer, so both keep its order.
 * Faults are applied here, to every frame in either direction, so a
 * partition cuts every transport the same way, and a held link keeps its
 * frames in order whichever transport carries them.
 */
import type { NodeId } from "@parley/core"
import { Context, Effect, Layer } from "effect"
import { Faults } from "./faults.ts"
import { forwardingOver, Forwarding } from "./forwarding.ts"
import { Inbox, offerEvent } from "./inbox.ts"
import { NodeMetrics } from "./metrics.ts"
import { Replies } from "./replies.ts"
import { Transport } from "./transport.ts"
import type { PeerFrame } from "./transport.ts"

export class PeerMessages extends Context.Service<PeerMessages, {
  /** Queues a message of the spec's protocol for `to`; `flush` sends what was queued. */
  send(to: NodeId, message: unknown): void
  flush(): void
}>()("@parley/runtime/PeerMessages") {
  /** Opens the transport; provides PeerMessages and Forwarding over it. */
  static readonly layer = Layer.effectContext(Effect.gen(function*() {
    const transport = yield* Transport
    const faults = yield* Faults
    const inbox = yield* Inbox
    const replies = yield* Replies
    const metrics = yield* NodeMetrics

    const send = (to: NodeId, frame: PeerFrame): void => {
      if (!faults.reaches(to)) return
      if (!faults.holds(to)) return perform(to, frame)
      // Released later, outside any batch: the frame goes out at once, unless a partition came since.
      faults.keep(to, () => {
        if (!faults.reaches(to)) return
        perform(to, frame)
        link.flush()
      })
    }
    const perform = (to: NodeId, frame: PeerFrame): void => {
      metrics.messageSent(to)
      link.send(to, frame)
    }
    const flush = (): void => link.flush()
    const { forwarding, requested } = forwardingOver(send, flush)

    const receive = (from: NodeId, frame: PeerFrame): void => {
      if (!faults.reaches(from)) return
      metrics.messageReceived(from)
      switch (frame._tag) {
        case "Message":
          return offerEvent(inbox, { _tag: "Message", from, message: frame.body })
        case "Forward":
          requested(from, frame.client)
          return offerEvent(inbox, { _tag: "Request", client: frame.client, request: frame.request })
        case "Answer":
          replies.deliver(frame.client, frame.response)
          return
      }
    }
    const link = yield* transport.open(receive)

    const messages = PeerMessages.of({ send: (to, message) => send(to, { _tag: "Message", body: message }), flush })
    return Context.make(PeerMessages, messages).pipe(Context.add(Forwarding, forwarding))
  }))
}
