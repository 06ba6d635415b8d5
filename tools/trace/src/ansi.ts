const CODES = {
  bold: "1",
  dim: "2",
  red: "31",
  boldRed: "1;31",
  green: "32",
  yellow: "33",
  magenta: "35",
  cyan: "36",
  boldCyan: "1;36"
} as const

export type Style = keyof typeof CODES

/** Wraps text in an ANSI style, or leaves it alone: with `color` off, no escape code is ever written. */
export type Paint = (style: Style | undefined, text: string) => string

export const painter = (color: boolean): Paint => (style, text) =>
  color && style !== undefined && text.length > 0 ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text
