/**
 * The subset of EDN that Jepsen writes to `history.edn`: maps, vectors,
 * lists, sets, keywords, symbols, strings, characters, numbers, nil and
 * booleans, tagged values (`#jepsen.history.Op{...}`), comments and `#_`.
 * Each becomes its JSON-like counterpart: a keyword or symbol its name as a
 * string (`:invoke` is "invoke"), a map an object keyed by its keys' text,
 * a vector, list or set an array, a tagged value the value it tags.
 */
import { Result } from "effect"

/** One top-level value and the line it starts on (1-based). */
export interface EdnForm {
  readonly line: number
  readonly value: unknown
}

/** Deeper than this is not a history; refusing it keeps the reader's stack bounded. */
const MAX_DEPTH = 64

class EdnSyntaxError extends Error {}

const DELIMITERS = new Set(["(", ")", "[", "]", "{", "}", '"', ";"])
const isSpace = (c: string): boolean => c === " " || c === "," || c === "\n" || c === "\t" || c === "\r" || c === "\f"

class Reader {
  private at = 0
  private line = 1

  constructor(private readonly text: string) {}

  /** Every top-level form; a file that is one vector of maps gives its elements, each at its own line. */
  forms(): Array<EdnForm> {
    const forms: Array<EdnForm> = []
    for (this.skip(); this.at < this.text.length; this.skip()) {
      const line = this.line
      if (this.text[this.at] === "[" && forms.length === 0) {
        const elements = this.elementsWithLines()
        this.skip()
        if (this.at === this.text.length) return elements
        forms.push({ line, value: elements.map((element) => element.value) })
        continue
      }
      forms.push({ line, value: this.form(0) })
    }
    return forms
  }

  private elementsWithLines(): Array<EdnForm> {
    this.at++
    const elements: Array<EdnForm> = []
    for (this.skip(); this.text[this.at] !== "]"; this.skip()) {
      if (this.at >= this.text.length) this.fail("the vector opened at the start is never closed")
      elements.push({ line: this.line, value: this.form(1) })
    }
    this.at++
    return elements
  }

  private form(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`values nested deeper than ${MAX_DEPTH}`)
    this.skip()
    const c = this.text[this.at]
    if (c === undefined) this.fail("the text ends where a value should be")
    switch (c) {
      case "{":
        return this.map(depth)
      case "[":
        return this.sequence("]", depth)
      case "(":
        return this.sequence(")", depth)
      case '"':
        return this.string()
      case "\\":
        return this.character()
      case "#":
        return this.dispatch(depth)
      case ")":
      case "]":
      case "}":
        return this.fail(`unexpected "${c}"`)
      default:
        return this.atom()
    }
  }

  private map(depth: number): Record<string, unknown> {
    const entries = this.sequence("}", depth)
    if (entries.length % 2 === 1) this.fail("a map with a key and no value")
    const map: Record<string, unknown> = {}
    for (let i = 0; i < entries.length; i += 2) map[keyText(entries[i])] = entries[i + 1]
    return map
  }

  private sequence(close: string, depth: number): Array<unknown> {
    const line = this.line
    this.at++
    const elements: Array<unknown> = []
    for (this.skip(); this.text[this.at] !== close; this.skip()) {
      if (this.at >= this.text.length) this.fail(`the "${close}" for the collection opened on line ${line} is missing`)
      elements.push(this.form(depth + 1))
    }
    this.at++
    return elements
  }

  private dispatch(depth: number): unknown {
    const next = this.text[this.at + 1]
    if (next === "{") {
      this.at++
      return this.sequence("}", depth)
    }
    if (next === "_") {
      this.at += 2
      this.form(depth + 1)
      return this.form(depth)
    }
    // A tagged value: #tag followed by the value it tags.
    this.at++
    this.token()
    return this.form(depth + 1)
  }

  private string(): string {
    const line = this.line
    let text = ""
    for (this.at++; ; this.at++) {
      const c = this.text[this.at]
      if (c === undefined) this.fail(`the string opened on line ${line} is never closed`)
      if (c === '"') break
      if (c === "\n") this.line++
      if (c !== "\\") {
        text += c
        continue
      }
      const escaped = this.text[++this.at]
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", b: "\b", f: "\f" }
      if (escaped !== undefined && escaped in simple) text += simple[escaped]
      else if (escaped === "u") {
        text += String.fromCharCode(parseInt(this.text.slice(this.at + 1, this.at + 5), 16))
        this.at += 4
      } else this.fail(`unknown escape "\\${escaped ?? ""}" in a string`)
    }
    this.at++
    return text
  }

  private character(): string {
    this.at++
    const name = this.token()
    const named: Record<string, string> = { newline: "\n", space: " ", tab: "\t", return: "\r" }
    return named[name] ?? name
  }

  private atom(): unknown {
    const token = this.token()
    if (token === "nil") return null
    if (token === "true") return true
    if (token === "false") return false
    if (token.startsWith(":")) return token.slice(1)
    if (/^[+-]?\d/.test(token)) {
      const number = Number(token.replace(/[NM]$/, ""))
      if (Number.isNaN(number)) this.fail(`"${token}" is not a number`)
      return number
    }
    return token
  }

  private token(): string {
    const start = this.at
    while (this.at < this.text.length && !isSpace(this.text[this.at]!) && !DELIMITERS.has(this.text[this.at]!)) this.at++
    if (this.at === start) this.fail(`unexpected "${this.text[this.at]}"`)
    return this.text.slice(start, this.at)
  }

  private skip(): void {
    for (; this.at < this.text.length; this.at++) {
      const c = this.text[this.at]!
      if (c === "\n") this.line++
      else if (c === ";") {
        while (this.at < this.text.length && this.text[this.at] !== "\n") this.at++
        this.at--
      } else if (!isSpace(c)) return
    }
  }

  private fail(message: string): never {
    throw new EdnSyntaxError(`line ${this.line}: ${message}`)
  }
}

const keyText = (key: unknown): string => (typeof key === "string" ? key : JSON.stringify(key))

/** The top-level forms of an EDN text, or the first syntax error with its line. */
export const readEdn = (text: string): Result.Result<Array<EdnForm>, string> => {
  try {
    return Result.succeed(new Reader(text).forms())
  } catch (error) {
    if (error instanceof EdnSyntaxError) return Result.fail(error.message)
    throw error
  }
}
