import type { MessageView, StepView, TraceView } from "../view-model.ts"
import { html, replaceChildren, svg } from "./dom.ts"
import { clip, eventMark } from "./events.ts"
import { ACTION_WIDTH, GUTTER_WIDTH, HEADER_HEIGHT, type Geometry, layout, ROW_HEIGHT } from "./geometry.ts"

/** Rows drawn before the page first paints; the rest follow a chunk per animation frame. */
const FIRST_ROWS = 80
const ROWS_PER_FRAME = 150
const LABEL_CHARS = 26

export interface SwimLanesOptions {
  /** Called when the user clicks a row. */
  readonly onSelect: (position: number) => void
}

/** A crashed node's lane: `{down: true, durable: ...}`. */
export const isDown = (value: unknown): boolean =>
  typeof value === "object" && value !== null && "down" in value && value.down === true

/** The lanes' states at a position: the initial state at 0, else after step `position`. */
export const lanesAt = (view: TraceView, position: number): Readonly<Record<string, unknown>> =>
  position === 0 ? view.initial : view.steps[position - 1]?.lanes ?? view.initial

/**
 * The behaviour as a space-time diagram in SVG: a vertical line per node and
 * client (dashed while it is down), a row per step, an arrow per message from
 * the step that sent it to the step that delivered or lost it, and a mark for
 * each timer, crash, restart and local step. Rows are drawn incrementally, so
 * a trace of hundreds of steps opens at once; selecting a row touches two rows.
 */
export class SwimLanes {
  readonly element: HTMLElement
  private readonly header: SVGSVGElement
  private readonly body: SVGSVGElement
  private view: TraceView
  private geometry: Geometry
  private rows: Array<SVGGElement> = []
  private frame: number | undefined
  private selected = 0

  constructor(view: TraceView, visible: ReadonlySet<string>, private readonly options: SwimLanesOptions) {
    this.view = view
    this.geometry = layout(view, visible)
    this.header = svg("svg", { class: "lanes-header" })
    this.body = svg("svg", { class: "lanes-body" })
    this.element = html("div", { class: "swim-lanes", tabindex: -1 }, html("div", { class: "lanes-sticky" }, this.header), this.body)
    this.body.addEventListener("click", (event) => {
      const row = event.target instanceof Element ? event.target.closest("[data-position]") : null
      const position = Number(row?.getAttribute("data-position"))
      if (row !== null && Number.isInteger(position)) this.options.onSelect(position)
    })
    this.redraw()
  }

  /** Draws again from scratch: another trace or path, or other lanes on show. */
  show(view: TraceView, visible: ReadonlySet<string>): void {
    this.view = view
    this.geometry = layout(view, visible)
    this.redraw()
  }

  /** Marks a position's row as the selected one and scrolls it into view. */
  select(position: number): void {
    this.drawUpTo(position)
    this.rows[this.selected]?.classList.remove("selected")
    this.selected = position
    const row = this.rows[position]
    if (row === undefined) return
    row.classList.add("selected")
    const y = this.geometry.rowY[position] ?? 0
    const box = this.element
    const top = y - ROW_HEIGHT * 2
    const bottom = y + HEADER_HEIGHT + ROW_HEIGHT * 2
    if (top < box.scrollTop) box.scrollTop = top
    else if (bottom > box.scrollTop + box.clientHeight) box.scrollTop = bottom - box.clientHeight
  }

  /** How many positions' rows are drawn so far (the rest are on their way, a frame at a time). */
  get drawnRows(): number {
    return this.rows.length
  }

  private redraw(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame)
    this.frame = undefined
    this.rows = []
    const { width, height } = this.geometry
    for (const element of [this.header, this.body]) element.setAttribute("width", String(width))
    this.header.setAttribute("height", String(HEADER_HEIGHT))
    this.body.setAttribute("height", String(height))
    replaceChildren(this.header, ...this.laneNames())
    replaceChildren(this.body, arrowheads(), this.loopMark())
    this.drawUpTo(Math.min(FIRST_ROWS, this.view.steps.length))
    this.drawLater()
    this.select(Math.min(this.selected, this.view.steps.length))
  }

  private drawLater(): void {
    if (this.rows.length > this.view.steps.length) return
    this.frame = requestAnimationFrame(() => {
      this.drawUpTo(Math.min(this.rows.length + ROWS_PER_FRAME, this.view.steps.length))
      this.drawLater()
    })
  }

  private drawUpTo(position: number): void {
    while (this.rows.length <= position && this.rows.length <= this.view.steps.length) {
      const row = this.row(this.rows.length)
      this.rows.push(row)
      this.body.appendChild(row)
    }
  }

  private laneNames(): ReadonlyArray<SVGElement> {
    return [...this.geometry.columns].map(([lane, x]) =>
      svg("text", { x, y: HEADER_HEIGHT / 2 + 5, class: "lane-name", "text-anchor": "middle", "data-lane": lane }, clip(lane, 20))
    )
  }

  /** A bracket in the gutter over a lasso's loop. */
  private loopMark(): SVGElement | null {
    const loop = this.view.verdict?.loop ?? null
    if (loop === null) return null
    const { rowY, rowHeight } = this.geometry
    const top = (rowY[loop.first] ?? 0) - (rowHeight[loop.first] ?? 0) / 2
    const bottom = (rowY[loop.last] ?? 0) + (rowHeight[loop.last] ?? 0) / 2
    return svg(
      "g",
      { class: "loop-mark" },
      svg("path", { d: `M 21 ${top + 2} H 15 V ${bottom - 2} H 21` }),
      svg("text", { x: 12, y: (top + bottom) / 2, transform: `rotate(-90 12 ${(top + bottom) / 2})`, "text-anchor": "middle" }, "loop"),
      svg("title", {}, `steps ${loop.first}–${loop.last} repeat forever`)
    )
  }

  private row(position: number): SVGGElement {
    const { rowY, rowHeight, shown, width, actionX } = this.geometry
    const y = rowY[position] ?? 0
    const height = rowHeight[position] ?? 0
    const step = position === 0 ? undefined : this.view.steps[position - 1]
    const broken = this.view.verdict !== null && this.view.verdict.brokenAt === position
    const classes = ["row", shown[position] === true ? "" : "folded", broken ? "broken" : ""].filter((c) => c !== "")
    const row = svg("g", { class: classes.join(" "), "data-position": position })
    row.appendChild(svg("rect", { class: "row-bg", x: 0, y: y - height / 2, width, height }))
    const lanes = lanesAt(this.view, position)
    for (const [lane, x] of this.geometry.columns) {
      row.appendChild(svg("line", { class: isDown(lanes[lane]) ? "lifeline down" : "lifeline", x1: x, x2: x, y1: y - height / 2, y2: y + height / 2 }))
    }
    if (shown[position] !== true) return row
    row.appendChild(svg("text", { class: "step-number", x: GUTTER_WIDTH - 10, y: y + 4, "text-anchor": "end" }, position === 0 ? "init" : String(position)))
    if (broken) row.appendChild(svg("text", { class: "broken-mark", x: 24, y: y + 5 }, "✗"))
    if (step === undefined) {
      row.appendChild(svg("text", { class: "action", x: actionX, y: y + 4 }, "initial state"))
      return row
    }
    row.appendChild(svg("text", { class: "action", x: actionX, y: y + 4 }, clip(step.action, Math.floor(ACTION_WIDTH / 7)), svg("title", {}, step.action)))
    row.appendChild(this.event(step, y))
    return row
  }

  private event(step: StepView, y: number): SVGElement {
    const { event } = step
    const message = step.consumed === null ? undefined : this.view.messages[step.consumed]
    if ((event._tag === "Deliver" || event._tag === "Drop") && message !== undefined && event.from !== event.to) {
      return this.arrow(message, y, event._tag === "Drop")
    }
    const mark = eventMark(event)
    const node = event._tag === "Deliver" || event._tag === "Drop" ? event.to : event.node
    const x = this.geometry.columns.get(node)
    if (x === undefined) return svg("g")
    return svg(
      "g",
      { class: `mark ${mark.kind}` },
      svg("circle", { cx: x, cy: y, r: 9 }),
      svg("text", { x, y: y + 4, "text-anchor": "middle", class: "glyph" }, mark.glyph),
      svg("text", { x: x + 13, y: y + 4, class: "label" }, clip(mark.label, LABEL_CHARS), svg("title", {}, mark.label))
    )
  }

  /** A message's arrow, from where it was sent to where it arrived or was lost. */
  private arrow(message: MessageView, y: number, lost: boolean): SVGElement {
    const { columns, rowY } = this.geometry
    const toX = columns.get(message.to)
    const fromX = columns.get(message.from)
    const label = `${message.message}${lost ? " (lost)" : ""}`
    if (toX === undefined && fromX === undefined) return svg("g")
    // A hidden end: a short stub on the visible side, named after the lane off screen.
    const endX = toX ?? (fromX ?? 0) + 40
    const startX = fromX ?? endX - 40
    const startY = fromX === undefined ? y : rowY[message.sentAt] ?? y
    const tipX = lost ? startX + (endX - startX) * 0.7 : endX + (startX < endX ? -5 : 5)
    const tipY = lost ? startY + (y - startY) * 0.7 : y
    const rightward = startX <= endX
    const text = fromX === undefined ? `${message.from}: ${label}` : toX === undefined ? `→ ${message.to}: ${label}` : label
    return svg(
      "g",
      { class: `arrow${lost ? " lost" : ""}` },
      svg("line", { x1: startX, y1: startY, x2: tipX, y2: tipY, "marker-end": lost ? undefined : "url(#arrowhead)" }),
      lost ? svg("text", { x: tipX, y: tipY + 4, "text-anchor": "middle", class: "glyph" }, "✗") : null,
      svg(
        "text",
        { x: rightward ? tipX - 8 : tipX + 8, y: tipY - 5, "text-anchor": rightward ? "end" : "start", class: "label" },
        clip(text, LABEL_CHARS),
        svg("title", {}, `${message.from} → ${message.to}: ${label}`)
      )
    )
  }
}

const arrowheads = (): SVGElement =>
  svg(
    "defs",
    {},
    svg(
      "marker",
      { id: "arrowhead", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" })
    )
  )
