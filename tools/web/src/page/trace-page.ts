import type { TraceView } from "../view-model.ts"
import { html, replaceChildren } from "./dom.ts"
import { TraceViewer } from "./viewer.ts"

/** The page `parley trace view` writes: the trace's view is embedded as JSON beside this script. */
const DATA_ID = "parley-data"

const positionInHash = (): number | undefined => {
  const match = /^#step-(\d+)$/.exec(location.hash)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

const start = (): void => {
  const root = document.getElementById("app") ?? document.body
  const data = document.getElementById(DATA_ID)?.textContent
  if (data === undefined || data === null) {
    replaceChildren(root, html("p", { class: "error" }, "This page holds no trace."))
    return
  }
  // The JSON was written with the page by `parley trace view` from a decoded trace file.
  const view: TraceView = JSON.parse(data)
  const viewer = new TraceViewer(root, view, {
    position: positionInHash() ?? 0,
    onMove: (position) => history.replaceState(null, "", `#step-${position}`)
  })
  window.addEventListener("hashchange", () => {
    const position = positionInHash()
    if (position !== undefined) viewer.move(position)
  })
}

start()
