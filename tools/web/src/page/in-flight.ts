import type { MessageView, TraceView } from "../view-model.ts"
import { html, replaceChildren } from "./dom.ts"

const inFlightAt = (messages: ReadonlyArray<MessageView>, position: number): ReadonlyArray<number> =>
  messages.flatMap((m, id) => m.sentAt <= position && (m.endedAt === null || m.endedAt > position) ? [id] : [])

const messageLine = (message: MessageView, note: string, kind: string): HTMLElement =>
  html(
    "li",
    { class: kind },
    html("span", { class: "route" }, `${message.from} → ${message.to}`),
    " ",
    html("span", { class: "message" }, message.message),
    note === "" ? null : html("span", { class: "note" }, ` ${note}`)
  )

/**
 * The network at one position: the message the step took (delivered or
 * lost), the ones it sent, and every other message still in flight with the
 * step that sent it; only those that touch a lane on show.
 */
export class InFlight {
  readonly element: HTMLElement = html("div", { class: "in-flight" })

  show(view: TraceView, position: number, visible: ReadonlySet<string>): void {
    const touches = (m: MessageView) => visible.has(m.from) || visible.has(m.to)
    const step = position === 0 ? undefined : view.steps[position - 1]
    const taken = step?.consumed === null || step === undefined ? undefined : view.messages[step.consumed]
    const flying = inFlightAt(view.messages, position).flatMap((id) => view.messages[id] ?? []).filter(touches)
    const lines = [
      taken !== undefined && touches(taken) ? messageLine(taken, taken.lost ? "lost at this step" : "delivered at this step", taken.lost ? "lost" : "taken") : null,
      ...flying.map((m) =>
        m.sentAt === position && position > 0
          ? messageLine(m, "sent at this step", "new")
          : messageLine(m, m.sentAt === 0 ? "in flight from the start" : `sent at step ${m.sentAt}`, "waiting")
      )
    ]
    const count = flying.length
    replaceChildren(
      this.element,
      html("h3", {}, `Messages in flight: ${count}`),
      lines.some((line) => line !== null) ? html("ul", {}, ...lines) : html("p", { class: "empty" }, "none")
    )
  }
}
