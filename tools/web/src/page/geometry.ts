import type { TraceView } from "../view-model.ts"

export const HEADER_HEIGHT = 34
/** Room above the initial state's row. */
const TOP = 6
export const ROW_HEIGHT = 30
/** A step that involves no lane on show shrinks to a thin line, so a filtered trace stays short. */
export const FOLDED_HEIGHT = 5
export const GUTTER_WIDTH = 52
export const COLUMN_WIDTH = 130
export const ACTION_WIDTH = 460

/**
 * Where everything sits in the swim lanes for one choice of lanes on show:
 * a column per visible lane, a row per position (0 = the initial state).
 */
export interface Geometry {
  readonly columns: ReadonlyMap<string, number>
  /** The vertical centre of each position's row. */
  readonly rowY: ReadonlyArray<number>
  readonly rowHeight: ReadonlyArray<number>
  /** Whether a position's step involves a lane on show (the initial state always does). */
  readonly shown: ReadonlyArray<boolean>
  readonly width: number
  readonly height: number
  readonly actionX: number
}

export const layout = (view: TraceView, visible: ReadonlySet<string>): Geometry => {
  const lanes = view.lanes.filter((lane) => visible.has(lane))
  const columns = new Map(lanes.map((lane, i) => [lane, GUTTER_WIDTH + i * COLUMN_WIDTH + COLUMN_WIDTH / 2]))
  const shown = [true, ...view.steps.map((step) => step.participants.some((lane) => visible.has(lane)))]
  const rowY: Array<number> = []
  const rowHeight: Array<number> = []
  let top = TOP
  for (const isShown of shown) {
    const height = isShown ? ROW_HEIGHT : FOLDED_HEIGHT
    rowY.push(top + height / 2)
    rowHeight.push(height)
    top += height
  }
  const actionX = GUTTER_WIDTH + lanes.length * COLUMN_WIDTH + 12
  return { columns, rowY, rowHeight, shown, width: actionX + ACTION_WIDTH, height: top + ROW_HEIGHT / 2, actionX }
}
