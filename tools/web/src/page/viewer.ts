import type { TraceView, VerdictView } from "../view-model.ts"
import { html, replaceChildren } from "./dom.ts"
import { InFlight } from "./in-flight.ts"
import { StateTree } from "./state-tree.ts"
import { Stepper } from "./stepper.ts"
import { lanesAt, SwimLanes } from "./swim-lanes.ts"

export interface ViewerOptions {
  /** The position to show first; 0 (the initial state) unless given. */
  readonly position?: number
  /** Called after every move, e.g. to keep the position in the URL. */
  readonly onMove?: (position: number) => void
}

const verdictBanner = (verdict: VerdictView, go: (position: number) => void): HTMLElement => {
  const jump = html("button", { type: "button", class: "go-broken" }, verdict.brokenAt === 0 ? "Go to the initial state" : `Go to step ${verdict.brokenAt}`)
  jump.addEventListener("click", () => go(verdict.brokenAt))
  return html(
    "div",
    { class: `verdict ${verdict.kind === "sometimes" ? "reached" : "violated"}` },
    html("strong", {}, verdict.claim),
    html("div", { class: "verdict-line" }, verdict.verdict),
    jump
  )
}

/**
 * A behaviour on one page: its verdict, the swim lanes, a stepper, and for
 * the selected position the step taken, each lane's state with what changed,
 * and the messages in flight; lanes can be hidden. `parley trace view` mounts
 * one over a trace file; an explorer can mount one over the path so far and
 * call `show` as the path grows.
 */
export class TraceViewer {
  private view: TraceView
  private position = 0
  private visible: Set<string>
  private readonly lanes: SwimLanes
  private readonly tree = new StateTree()
  private readonly inFlight = new InFlight()
  private stepper: Stepper
  private readonly heading = html("div", { class: "heading" })
  private readonly filters = html("div", { class: "filters" })
  private readonly stepInfo = html("div", { class: "step-info" })
  private readonly controls = html("div", { class: "controls" })

  constructor(root: HTMLElement, view: TraceView, private readonly options: ViewerOptions = {}) {
    this.view = view
    this.visible = new Set(view.lanes)
    this.lanes = new SwimLanes(view, this.visible, { onSelect: (p) => this.move(p) })
    this.stepper = this.makeStepper()
    replaceChildren(
      root,
      html("header", {}, this.heading),
      html("div", { class: "toolbar" }, this.controls, this.filters),
      html(
        "main",
        {},
        html("div", { class: "lanes-pane" }, this.lanes.element),
        html("aside", { class: "detail-pane" }, this.stepInfo, this.tree.element, this.inFlight.element)
      )
    )
    this.show(view, options.position ?? 0)
  }

  /** Shows another behaviour (or the same path grown), at `position`. */
  show(view: TraceView, position: number = this.position): void {
    const previous = this.view
    this.view = view
    // Lanes the user hid stay hidden; a lane new to this behaviour is shown.
    this.visible = new Set(view.lanes.filter((lane) => this.visible.has(lane) || !previous.lanes.includes(lane)))
    if (view.steps.length !== previous.steps.length) this.stepper = this.makeStepper()
    replaceChildren(this.controls, this.stepper.element)
    replaceChildren(this.heading, ...this.headingParts())
    replaceChildren(this.filters, ...this.filterBoxes())
    this.lanes.show(view, this.visible)
    this.move(Math.max(0, Math.min(position, view.steps.length)))
  }

  /** Selects a position: 0 is the initial state, n the state after step n. */
  move(position: number): void {
    this.position = position
    this.stepper.set(position)
    this.lanes.select(position)
    const step = position === 0 ? undefined : this.view.steps[position - 1]
    this.tree.show(lanesAt(this.view, position), this.view.lanes, step?.changed ?? [], this.visible)
    this.inFlight.show(this.view, position, this.visible)
    this.showStepInfo(position)
    this.options.onMove?.(position)
  }

  private makeStepper(): Stepper {
    return new Stepper({ last: this.view.steps.length, onMove: (p) => this.move(p), next: (p, by) => this.nextShown(p, by) })
  }

  /** The next position in a direction whose step involves a lane on show. */
  private nextShown(position: number, by: 1 | -1): number {
    for (let p = position + by; p > 0 && p <= this.view.steps.length; p += by) {
      if (this.view.steps[p - 1]?.participants.some((lane) => this.visible.has(lane)) === true) return p
    }
    return by < 0 ? 0 : position
  }

  private headingParts(): ReadonlyArray<HTMLElement> {
    const { view } = this
    return [
      html("h1", {}, view.title),
      html("div", { class: "config" }, ...view.config.map((entry) => html("span", { class: "chip" }, entry))),
      view.verdict === null ? html("span") : verdictBanner(view.verdict, (p) => this.move(p))
    ]
  }

  private filterBoxes(): ReadonlyArray<HTMLElement> {
    const boxes = this.view.lanes.map((lane) => {
      const box = html("input", { type: "checkbox", checked: this.visible.has(lane), "data-lane": lane })
      box.addEventListener("change", () => {
        if (box.checked) this.visible.add(lane)
        else this.visible.delete(lane)
        this.lanes.show(this.view, this.visible)
        this.move(this.position)
      })
      return html("label", { class: "filter" }, box, lane)
    })
    return [html("span", { class: "filter-title" }, "Lanes:"), ...boxes]
  }

  private showStepInfo(position: number): void {
    const total = this.view.steps.length
    const step = position === 0 ? undefined : this.view.steps[position - 1]
    const loop = this.view.verdict?.loop ?? null
    const inLoop = loop !== null && position >= loop.first && position <= loop.last
    const broken = this.view.verdict !== null && this.view.verdict.brokenAt === position
    const sent = step?.sent.flatMap((id) => this.view.messages[id] ?? []) ?? []
    replaceChildren(
      this.stepInfo,
      html("h2", { id: "position-label" }, position === 0 ? `Initial state (of ${total} steps)` : `Step ${position} of ${total}`),
      html("p", { class: "action" }, step === undefined ? "before any step" : step.action),
      sent.length === 0 ? null : html("p", { class: "sent" }, `sends: ${sent.map((m) => `${m.message} → ${m.to}`).join(", ")}`),
      inLoop ? html("p", { class: "loop-note" }, `in the loop: steps ${loop.first}–${loop.last} repeat forever`) : null,
      broken && this.view.verdict !== null ? html("p", { class: "broken-note" }, this.view.verdict.verdict) : null
    )
  }
}
