/**
 * Compact, JSON-like text for a state value: `{phase: "init", votes: ["p1"]}`.
 * Keys that are plain identifiers go unquoted; strings keep their quotes, so
 * `"1"` and `1` stay distinguishable.
 */
export const showValue = (value: unknown): string => {
  if (value === undefined) return "undefined"
  if (value === null || typeof value === "boolean" || typeof value === "number") return String(value)
  if (typeof value === "string") return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(showValue).join(", ")}]`
  if (typeof value === "object") {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined)
    if (fields.length === 0) return "{}"
    return `{${fields.map(([k, v]) => `${showKey(k)}: ${showValue(v)}`).join(", ")}}`
  }
  return String(value)
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

export const showKey = (key: string): string => IDENTIFIER.test(key) ? key : JSON.stringify(key)

/** Cuts `text` to at most `max` characters, ending in `…` when cut. */
export const truncate = (text: string, max: number): string => {
  const chars = Array.from(text)
  if (chars.length <= max) return text
  if (max <= 0) return ""
  return chars.slice(0, max - 1).join("") + "…"
}
