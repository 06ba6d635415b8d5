#!/usr/bin/env node
// @ts-check
// The workspaces are TypeScript. The CLI runs from a bundle of them built on
// demand (cli-bundle.mjs), or from source under tsx when the bundle cannot be
// built, when PARLEY_BUNDLE=off, or when the command loads a TypeScript module
// of the user's (`history check --model-file`), which tsx compiles and which
// must share the CLI's own modules. Everything is resolved from here, so the
// command works from any directory.
import * as nodeModule from "node:module"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { freshBundle } from "./cli-bundle.mjs"

const root = fileURLToPath(new URL("../../..", import.meta.url))

const bundled = async () => {
  if (process.env["PARLEY_BUNDLE"] === "off" || process.argv.some((arg) => arg.startsWith("--model-file"))) return undefined
  const bundle = await freshBundle({
    root,
    entry: fileURLToPath(new URL("../src/main.ts", import.meta.url)),
    cacheDir: join(root, "node_modules", ".cache", "parley"),
    name: "cli",
    external: ["esbuild"]
  })
  if (bundle._tag !== "Failed") return bundle.path
  console.error(`parley: could not build the CLI bundle (${bundle.reason}); running from source under tsx, which starts about a second slower`)
  return undefined
}

const bundle = await bundled()
if (bundle === undefined) {
  ;(await import("tsx/esm/api")).register()
  await import("../src/main.ts")
} else {
  // V8's code for the bundle, kept beside it, so that a start compiles none of it again (Node 22.1 and later).
  nodeModule.enableCompileCache?.(`${bundle}.v8`)
  await import(pathToFileURL(bundle).href)
}
