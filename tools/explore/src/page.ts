import { bundlePage, pageDocument, pageStyle } from "@parley/web"
import { readFile } from "node:fs/promises"

const entry = new URL("./page/main.ts", import.meta.url)

const build = async (): Promise<string> => {
  const [script, style, own] = await Promise.all([bundlePage(entry), pageStyle(), readFile(new URL("./page/explore.css", import.meta.url), "utf8")])
  // The page reads its location from its URL and everything else from the API, so it embeds no data.
  return pageDocument({ title: "parley explore", style: `${style}\n${own}`, script, data: null, dataId: "parley-explore", connect: "self" })
}

let page: Promise<string> | undefined

/**
 * The explorer's page: one self-contained HTML document, its script bundled
 * from `page/main.ts` (by esbuild, in memory) on the first request and kept.
 */
export const explorerPage = (): Promise<string> => {
  page ??= build().catch((error: unknown) => {
    page = undefined
    throw error
  })
  return page
}
