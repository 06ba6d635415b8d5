import type { StepEvent } from "@parley/core"

/** How an event is marked on its lane: a glyph, the CSS class that colours it, and a short label. */
export interface EventMark {
  readonly glyph: string
  readonly kind: "deliver" | "drop" | "timer" | "crash" | "restart" | "local"
  readonly label: string
}

/** The marks of the terminal's swim lanes (tools/trace), so both read alike. */
export const eventMark = (event: StepEvent): EventMark => {
  switch (event._tag) {
    case "Deliver":
      return { glyph: "↺", kind: "deliver", label: event.message }
    case "Drop":
      return { glyph: "✗", kind: "drop", label: `${event.message} (lost)` }
    case "Timer":
      return { glyph: "◷", kind: "timer", label: `timer ${event.timer}` }
    case "Crash":
      return { glyph: "✖", kind: "crash", label: "CRASH" }
    case "Restart":
      return { glyph: "↻", kind: "restart", label: "restart" }
    case "Local":
      return { glyph: "•", kind: "local", label: event.label }
  }
}

/** Cuts `text` to at most `max` characters, ending in `…` when cut. */
export const clip = (text: string, max: number): string => {
  const chars = Array.from(text)
  return chars.length <= max ? text : chars.slice(0, Math.max(0, max - 1)).join("") + "…"
}
