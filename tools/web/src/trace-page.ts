import type { TraceFile } from "@parley/core"
import { bundlePage, pageStyle, tracePageEntry } from "./bundle.ts"
import { pageDocument } from "./document.ts"
import { traceView } from "./trace-view.ts"

/** The id of the element that holds the trace's view in the page (read by `page/trace-page.ts`). */
export const TRACE_DATA_ID = "parley-data"

/** A counterexample as one self-contained, interactive HTML page. */
export const renderTracePage = async (trace: TraceFile): Promise<string> => {
  const view = traceView(trace)
  const [script, style] = await Promise.all([bundlePage(tracePageEntry), pageStyle()])
  return pageDocument({ title: `${view.title} — parley trace`, style, script, data: view, dataId: TRACE_DATA_ID })
}
