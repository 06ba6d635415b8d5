/** A value in one line, cut to `max` characters: `{"role":"leader","term":2}`. */
export const brief = (value: unknown, max = 80): string => {
  const text = value === undefined ? "(absent)" : JSON.stringify(value) ?? String(value)
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
