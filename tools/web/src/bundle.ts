import { build } from "esbuild"
import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"

/**
 * The workspace's build step, run when a page is made rather than ahead of
 * time, so a page can never carry a stale bundle: esbuild bundles a browser
 * entry and everything it imports into one script, in memory, in tens of
 * milliseconds. Each entry is bundled once per process.
 */
const bundles = new Map<string, Promise<string>>()

const bundleNow = async (entry: string): Promise<string> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    charset: "utf8",
    legalComments: "none",
    logLevel: "silent"
  })
  const script = result.outputFiles[0]
  if (script === undefined) throw new Error(`esbuild wrote nothing for ${entry}`)
  return script.text
}

/** The script of a page whose code starts at `entry` (a path or a `file:` URL), bundled for the browser. */
export const bundlePage = (entry: string | URL): Promise<string> => {
  const path = entry instanceof URL ? fileURLToPath(entry) : entry
  const cached = bundles.get(path)
  if (cached !== undefined) return cached
  const bundled = bundleNow(path)
  bundles.set(path, bundled)
  bundled.catch(() => bundles.delete(path))
  return bundled
}

/** The toolkit's style sheet: swim lanes, state tree, stepper, messages. */
export const pageStyle = (): Promise<string> => readFile(new URL("./page/style.css", import.meta.url), "utf8")

/** The entry of the page `parley trace view` writes. */
export const tracePageEntry = new URL("./page/trace-page.ts", import.meta.url)
