import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { freshBundle } from "../bin/cli-bundle.mjs"

// A project of two modules in a scratch directory, bundled as `parley` bundles the CLI.
const root = mkdtempSync(join(tmpdir(), "parley-bundle-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
mkdirSync(join(root, "src"))
const greeting = join(root, "src", "greeting.ts")
const entry = join(root, "src", "main.ts")
writeFileSync(join(root, "package.json"), JSON.stringify({ name: "scratch", type: "module" }))
writeFileSync(greeting, `export const greeting: string = "hello"\n`)
writeFileSync(entry, `import { greeting } from "./greeting.ts"\nconsole.log(JSON.stringify({ greeting, url: import.meta.url }))\n`)
const target = { root, entry, cacheDir: join(root, "cache"), name: "cli" }

/** What the bundle prints when run. */
const run = (path: string): { greeting: string; url: string } => JSON.parse(execFileSync(process.execPath, [path], { encoding: "utf8" }))

const built = async () => {
  const result = await freshBundle(target)
  if (result._tag === "Failed") throw new Error(result.reason)
  return result
}

describe("the CLI bundle", () => {
  let first = ""

  it("is built the first time, and runs the sources, import.meta.url naming the source file", async () => {
    const result = await built()
    expect(result._tag).toBe("Built")
    first = result.path
    expect(run(first)).toEqual({ greeting: "hello", url: pathToFileURL(entry).href })
  })

  it("is taken from the cache while the sources are unchanged, even when a file was only touched", async () => {
    expect(await built()).toEqual({ _tag: "Fresh", path: first })
    const later = new Date(Date.now() + 5000)
    utimesSync(greeting, later, later)
    expect(await built()).toEqual({ _tag: "Fresh", path: first })
  })

  it("is built again when a source it was built from changes, and runs the change", async () => {
    writeFileSync(greeting, `export const greeting: string = "hello again"\n`)
    const result = await built()
    expect(result._tag).toBe("Built")
    expect(result.path).not.toBe(first)
    expect(run(result.path).greeting).toBe("hello again")
    expect(await built()).toEqual({ _tag: "Fresh", path: result.path })
  })

  it("is built again when a package.json above a source changes (its exports decide what an import finds)", async () => {
    const before = await built()
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "scratch", type: "module", version: "2.0.0" }))
    const after = await built()
    expect(after._tag).toBe("Built")
    expect(run(after.path).greeting).toBe("hello again")
    expect(after.path).not.toBe(before.path)
  })

  it("reports a source that does not compile, naming the file, for the caller to run from source instead", async () => {
    writeFileSync(greeting, `export const greeting: string = \n`)
    const result = await freshBundle(target)
    expect(result._tag).toBe("Failed")
    expect(result._tag === "Failed" ? result.reason : "").toContain("greeting.ts")
  })

  it("builds again over a manifest that does not fit", async () => {
    writeFileSync(greeting, `export const greeting: string = "hello"\n`)
    writeFileSync(join(target.cacheDir, "cli.manifest.json"), "{ not json")
    const result = await built()
    expect(result._tag).toBe("Built")
    expect(run(result.path).greeting).toBe("hello")
    expect(readFileSync(join(target.cacheDir, "cli.manifest.json"), "utf8")).toContain(result.path.slice(target.cacheDir.length + 1))
  })
})
