/**
 * A throwaway tree laid out as the repository is: workspaces under
 * packages/, specs/ and tools/, each linked into node_modules/@parley by its
 * package name as npm links them, so imports by name resolve as they do in
 * the real tree.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"

export interface Fixture {
  readonly root: string
  readonly remove: () => void
}

/** `files` maps a path under the root to its text; every workspace that holds one gets a package.json and a link. */
export const makeFixture = (files: Readonly<Record<string, string>>): Fixture => {
  const root = mkdtempSync(join(tmpdir(), "parley-deps-"))
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "fixture", private: true, workspaces: ["packages/*", "specs/*", "tools/*"] }))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  const workspaces = new Set(Object.keys(files).map((path) => path.split("/").slice(0, 2).join("/")))
  mkdirSync(join(root, "node_modules", "@parley"), { recursive: true })
  for (const workspace of workspaces) {
    const name = `@parley/${basename(workspace)}`
    writeFileSync(join(root, workspace, "package.json"), JSON.stringify({ name, type: "module", exports: { ".": "./src/index.ts" } }))
    symlinkSync(join(root, workspace), join(root, "node_modules", name), "dir")
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) }
}
