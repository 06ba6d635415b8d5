/**
 * One self-contained HTML file: the style and script inlined, the data as
 * JSON in a `<script type="application/json">`, and a Content-Security-Policy
 * that allows nothing from the network, so the page works from `file://`, in
 * a mail attachment or on a machine with no connection, and cannot leak.
 */
export interface PageParts {
  readonly title: string
  readonly style: string
  readonly script: string
  /** Read by the script from the element with id `dataId`. */
  readonly data: unknown
  readonly dataId: string
  /** `self`: the page may call the server that served it (an explorer's API); by default it reaches nothing. */
  readonly connect?: "self"
}

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)

/**
 * JSON that cannot end its `<script>` element early: every `<` becomes `\u003c`,
 * which JSON.parse reads back as `<`; U+2028 and U+2029 are escaped as well.
 */
export const embedJson = (data: unknown): string =>
  JSON.stringify(data).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029")

/** A script that cannot end its `<script>` element early (`<\/` means `</` in JavaScript strings and regexes). */
const embedScript = (script: string): string => script.replace(/<\/(script)/gi, "<\\/$1")

const policy = (connect: PageParts["connect"]): string =>
  `default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:${connect === "self" ? "; connect-src 'self'" : ""}`

/** The one head and body every page has, so every page gets the same policy and escaping. */
const shell = (head: { readonly title: string; readonly style: string; readonly connect?: "self" | undefined }, body: ReadonlyArray<string>): string =>
  [
    "<!doctype html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${policy(head.connect)}">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(head.title)}</title>`,
    `<style>${head.style.replace(/<\/style/gi, "<\\/style")}</style>`,
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    ""
  ].join("\n")

/** A page drawn by its script from its data. */
export const pageDocument = (parts: PageParts): string =>
  shell(parts, [
    `<div id="app"></div>`,
    `<script type="application/json" id="${escapeHtml(parts.dataId)}">${embedJson(parts.data)}</script>`,
    `<script>${embedScript(parts.script)}</script>`
  ])

/** A page whose HTML (an SVG, a table) is drawn ahead of time; `script`, if any, only adjusts it (scrolling, say). */
export const staticDocument = (parts: { readonly title: string; readonly style: string; readonly body: string; readonly script?: string }): string =>
  shell(parts, [parts.body, ...(parts.script === undefined ? [] : [`<script>${embedScript(parts.script)}</script>`])])
