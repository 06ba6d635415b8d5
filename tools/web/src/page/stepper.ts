import { html } from "./dom.ts"

const CLICKABLE_INPUTS: ReadonlySet<string> = new Set(["checkbox", "radio", "button", "submit", "reset"])

export interface StepperOptions {
  /** The last position (the number of steps). */
  readonly last: number
  readonly onMove: (position: number) => void
  /** The next position from `position` in direction `by` (±1) that is worth showing; by default the adjacent one. */
  readonly next?: (position: number, by: 1 | -1) => number
}

/**
 * A slider over positions with first/previous/next/last buttons, and the
 * keyboard: ← and → step, Home and End jump, anywhere on the page but in a
 * text field or a list.
 */
export class Stepper {
  readonly element: HTMLElement
  private readonly slider: HTMLInputElement
  private position = 0

  constructor(private readonly options: StepperOptions) {
    this.slider = html("input", { type: "range", min: 0, max: options.last, value: 0, class: "slider", "aria-label": "step" })
    this.slider.addEventListener("input", () => this.options.onMove(Number(this.slider.value)))
    const button = (label: string, title: string, move: () => number) => {
      const element = html("button", { type: "button", title }, label)
      element.addEventListener("click", () => this.options.onMove(move()))
      return element
    }
    this.element = html(
      "div",
      { class: "stepper" },
      button("«", "First (Home)", () => 0),
      button("◀", "Previous step (←)", () => this.step(-1)),
      this.slider,
      button("▶", "Next step (→)", () => this.step(1)),
      button("»", "Last (End)", () => this.options.last)
    )
    document.addEventListener("keydown", (event) => this.onKey(event))
  }

  /** Shows a position as the current one (the page moved there). */
  set(position: number): void {
    this.position = position
    this.slider.value = String(position)
  }

  private step(by: 1 | -1): number {
    const next = this.options.next?.(this.position, by) ?? this.position + by
    return Math.max(0, Math.min(this.options.last, next))
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target
    // Arrows move the caret in a text field; a checkbox or button has no use for them.
    const typing = target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement ||
      (target instanceof HTMLInputElement && target !== this.slider && !CLICKABLE_INPUTS.has(target.type))
    if (typing || event.altKey || event.ctrlKey || event.metaKey) return
    const moves: Readonly<Record<string, () => number>> = {
      ArrowLeft: () => this.step(-1),
      ArrowRight: () => this.step(1),
      Home: () => 0,
      End: () => this.options.last
    }
    const move = moves[event.key]
    if (move === undefined) return
    // The slider would move by itself too, and skip the steps filtered out.
    event.preventDefault()
    this.options.onMove(move())
  }
}
