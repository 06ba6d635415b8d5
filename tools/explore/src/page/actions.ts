import { html, replaceChildren } from "@parley/web/page"
import type { ActionView, LaneChange } from "../views.ts"
import { brief } from "./show.ts"

const changeLine = (change: LaneChange): string => {
  switch (change.kind) {
    case "field":
      return `${change.lane}.${change.field ?? ""}: ${brief(change.before, 40)} → ${brief(change.after, 40)}`
    case "whole":
      return `${change.lane}: ${brief(change.before, 40)} → ${brief(change.after, 40)}`
    case "down":
      return `${change.lane} crashes, keeping ${brief(change.after, 60)}`
    case "up":
      return `${change.lane} comes back up`
  }
}

const sentLines = (action: ActionView): ReadonlyArray<string> =>
  "sent" in action.event ? (action.event.sent ?? []).map((sent) => `sends ${sent.message} → ${sent.to}`) : []

/** One enabled action: a button that takes it, and what it would change. */
const actionItem = (action: ActionView, take: (index: number) => void): HTMLElement => {
  const button = html("button", { type: "button", class: "take", "data-action": action.index, disabled: action.idle }, action.name)
  button.addEventListener("click", () => take(action.index))
  const notes = [
    ...(action.idle ? ["changes nothing: the checker takes no such step"] : []),
    ...(action.outside ? ["leads outside the spec's boundary, where the checker does not go"] : []),
    ...action.changes.map(changeLine),
    ...sentLines(action)
  ]
  const classes = ["action", action.idle ? "idle" : "", action.outside ? "outside" : ""].filter((c) => c !== "").join(" ")
  return html("li", { class: classes }, button, notes.length === 0 ? null : html("ul", { class: "action-preview" }, ...notes.map((note) => html("li", {}, note))))
}

/** The actions the current state enables, each with its preview; clicking one takes it. */
export class ActionList {
  readonly element = html("section", { class: "actions", id: "actions" })

  constructor(private readonly take: (index: number) => void) {}

  show(actions: ReadonlyArray<ActionView>, terminal: boolean): void {
    const title = html("h3", {}, `Enabled actions (${actions.filter((a) => !a.idle).length})`)
    if (actions.length === 0) {
      replaceChildren(this.element, title, html("p", { class: terminal ? "note" : "note deadlock" }, terminal ? "No action is enabled: the spec calls this state an expected end." : "No action is enabled: a deadlock, unless the spec expects to stop here."))
      return
    }
    replaceChildren(this.element, title, html("ol", { class: "action-list" }, ...actions.map((action) => actionItem(action, this.take))))
  }
}
