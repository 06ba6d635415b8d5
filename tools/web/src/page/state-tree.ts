import { showValue } from "@parley/trace/show"
import type { ChangeView } from "../view-model.ts"
import { html, replaceChildren } from "./dom.ts"
import { clip } from "./events.ts"
import { isDown } from "./swim-lanes.ts"

/** A value whose text is at most this long, and that holds no change, is shown on one line. */
const INLINE_CHARS = 56

const keyOf = (path: ReadonlyArray<string>): string => path.join("\u0000")

const isContainer = (value: unknown): value is Readonly<Record<string, unknown>> | ReadonlyArray<unknown> =>
  typeof value === "object" && value !== null

/** The changes of one position, looked up by path. */
class ChangeIndex {
  private readonly byPath = new Map<string, ChangeView>()
  private readonly inside = new Set<string>()
  /** Keys that a change says are gone, by the path of the object that held them. */
  private readonly goneKeys = new Map<string, Array<ChangeView>>()

  constructor(changes: ReadonlyArray<ChangeView>, at: (path: ReadonlyArray<string>) => boolean) {
    for (const change of changes) {
      this.byPath.set(keyOf(change.path), change)
      for (let i = 1; i < change.path.length; i++) this.inside.add(keyOf(change.path.slice(0, i)))
      if (!at(change.path)) {
        const parent = keyOf(change.path.slice(0, -1))
        this.goneKeys.set(parent, [...this.goneKeys.get(parent) ?? [], change])
      }
    }
  }

  at(path: ReadonlyArray<string>): ChangeView | undefined {
    return this.byPath.get(keyOf(path))
  }

  holdsChange(path: ReadonlyArray<string>): boolean {
    return this.inside.has(keyOf(path))
  }

  gone(path: ReadonlyArray<string>): ReadonlyArray<ChangeView> {
    return this.goneKeys.get(keyOf(path)) ?? []
  }
}

/** Whether a path leads to something in the lanes (a key that went does not). */
const lookup = (lanes: Readonly<Record<string, unknown>>, path: ReadonlyArray<string>): boolean => {
  let value: unknown = lanes
  for (const key of path) {
    if (!isContainer(value) || !Object.hasOwn(value, key)) return false
    value = Object.getOwnPropertyDescriptor(value, key)?.value
  }
  return true
}

/**
 * Each lane's state at one position as a collapsible tree, with what the step
 * changed highlighted: a replaced value shows the old one struck out, a new
 * key or element is marked new, a key or element that left is listed struck
 * out. What the user opened or closed stays so from step to step; a lane is
 * redrawn only when its state or its changes differ from what is on show.
 */
export class StateTree {
  readonly element: HTMLElement = html("div", { class: "state-tree" })
  /** Open or closed by the user, by path; otherwise a part is open when it holds a change or is near the top. */
  private readonly opened = new Map<string, boolean>()
  private readonly shown = new Map<string, { readonly signature: string; readonly element: HTMLElement }>()

  show(
    lanes: Readonly<Record<string, unknown>>,
    order: ReadonlyArray<string>,
    changes: ReadonlyArray<ChangeView>,
    visible: ReadonlySet<string>
  ): void {
    const index = new ChangeIndex(changes, (path) => lookup(lanes, path))
    const sections = order.filter((lane) => visible.has(lane)).map((lane) => {
      const laneChanges = changes.filter((change) => change.path[0] === lane)
      const signature = JSON.stringify([lanes[lane] ?? null, laneChanges])
      const cached = this.shown.get(lane)
      if (cached !== undefined && cached.signature === signature) return cached.element
      const element = this.lane(lane, lanes[lane], index, laneChanges.length > 0)
      this.shown.set(lane, { signature, element })
      return element
    })
    replaceChildren(this.element, ...sections)
  }

  private lane(lane: string, value: unknown, changes: ChangeIndex, changed: boolean): HTMLElement {
    const down = isDown(value)
    const badges = [down ? html("span", { class: "badge down" }, "DOWN") : null, changed ? html("span", { class: "badge changed" }, "changed") : null]
    const whole = changes.at([lane])
    return html(
      "section",
      { class: `lane-state${changed ? " has-change" : ""}`, "data-lane": lane },
      html("h3", {}, lane, ...badges),
      whole !== undefined && "before" in whole
        ? html("div", { class: "changed" }, html("del", { class: "was" }, clip(showValue(whole.before), INLINE_CHARS)), " → ")
        : null,
      this.node([lane], value, changes, 0)
    )
  }

  /** A value at a path: one line when short and unchanged inside, else a collapsible list of its parts. */
  private node(path: ReadonlyArray<string>, value: unknown, changes: ChangeIndex, depth: number): HTMLElement {
    const holdsChange = changes.holdsChange(path)
    const text = showValue(value)
    const gone = changes.gone(path)
    if (!isContainer(value) || (!holdsChange && gone.length === 0 && text.length <= INLINE_CHARS)) {
      return html("span", { class: "value", title: text.length > INLINE_CHARS * 4 ? text.slice(0, 2000) : undefined }, text)
    }
    const entries: ReadonlyArray<readonly [string, unknown]> = Array.isArray(value)
      ? value.map((item, i) => [String(i), item] as const)
      : Object.entries(value).filter(([, v]) => v !== undefined)
    const key = keyOf(path)
    const details = html(
      "details",
      { open: this.opened.get(key) ?? (holdsChange || depth < 1) },
      html("summary", { class: holdsChange ? "holds-change" : undefined }, html("span", { class: "preview" }, clip(text, 72))),
      html(
        "ul",
        {},
        ...entries.map(([name, child]) => this.entry([...path, name], name, child, changes, depth + 1)),
        ...gone.map((change) => this.goneEntry(change)),
        ...(changes.at(path)?.removed ?? []).map((item) => html("li", { class: "removed" }, `− ${showValue(item)}`))
      )
    )
    details.addEventListener("toggle", () => this.opened.set(key, details.open))
    return details
  }

  private entry(path: ReadonlyArray<string>, name: string, value: unknown, changes: ChangeIndex, depth: number): HTMLElement {
    const change = changes.at(path)
    const isNew = change !== undefined && !("before" in change) && change.removed === undefined
    const replaced = change !== undefined && "before" in change
    const classes = [isNew ? "added" : "", replaced ? "changed" : ""].filter((c) => c !== "").join(" ")
    return html(
      "li",
      { class: classes === "" ? undefined : classes, "data-path": path.slice(1).join(".") },
      html("span", { class: "key" }, `${name}: `),
      replaced ? html("del", { class: "was" }, clip(showValue(change.before), INLINE_CHARS)) : null,
      replaced ? " → " : null,
      this.node(path, value, changes, depth)
    )
  }

  private goneEntry(change: ChangeView): HTMLElement {
    return html(
      "li",
      { class: "removed", "data-path": change.path.slice(1).join(".") },
      html("span", { class: "key" }, `${change.path[change.path.length - 1] ?? ""}: `),
      html("del", {}, clip(showValue(change.before), INLINE_CHARS))
    )
  }
}
