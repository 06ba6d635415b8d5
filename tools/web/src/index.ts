/**
 * The page toolkit, Node side: a trace's view (what a page draws, computed
 * here), the bundler that turns a browser entry into one script, and the
 * self-contained document. The browser side is `@parley/web/page`; the
 * headless-browser test harness is `@parley/web/testing`.
 */
export { bundlePage, pageStyle, tracePageEntry } from "./bundle.ts"
export { embedJson, escapeHtml, pageDocument, type PageParts, staticDocument } from "./document.ts"
export { changedParts } from "./state-diff.ts"
export { renderTracePage, TRACE_DATA_ID } from "./trace-page.ts"
export { inFlightAt, messageHistory, traceView } from "./trace-view.ts"
export * from "./view-model.ts"
