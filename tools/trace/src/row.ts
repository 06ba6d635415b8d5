import type { Paint, Style } from "./ansi.ts"

interface Cell {
  readonly char: string
  readonly style: Style | undefined
}

const BLANK: Cell = { char: " ", style: undefined }

/**
 * One line of a diagram as fixed cells, so marks can be placed by column and
 * styled independently. Every character drawn is one cell wide.
 */
export class Row {
  private readonly cells: Array<Cell> = []

  /** Writes `text` from column `at` on, one character per cell. */
  put(at: number, text: string, style?: Style): this {
    let column = at
    for (const char of text) {
      while (this.cells.length < column) this.cells.push(BLANK)
      this.cells[column] = { char, style }
      column++
    }
    return this
  }

  render(paint: Paint): string {
    let out = ""
    let run = ""
    let runStyle: Style | undefined = undefined
    for (const cell of this.cells) {
      if (cell.style !== runStyle) {
        out += paint(runStyle, run)
        run = ""
        runStyle = cell.style
      }
      run += cell.char
    }
    out += paint(runStyle, run)
    return out.trimEnd()
  }
}
