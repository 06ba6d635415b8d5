// @ts-check
/**
 * The CLI as one prebuilt ES module, so that a command (above all a
 * restarted node) does not spend a second on tsx compiling and loading some
 * 1,600 modules before it does anything. Built on demand by esbuild into
 * node_modules/.cache/parley, named by a digest of the sources, and built
 * again when any file it was built from changes: a developer never runs a
 * stale CLI and never runs a build by hand.
 *
 * Plain JavaScript (checked by tsc through JSDoc): it runs before anything
 * that could compile TypeScript. The manifest is a disposable cache, so it is
 * checked by hand rather than by an effect Schema (loading effect unbundled
 * would cost the time this saves): whatever does not fit means "build again".
 */
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

/** `import.meta`, spelled so that this file, bundled into the CLI, is not rewritten by its own plugin below. */
const META = ["import", "meta"].join(".")
/** Bumped when what the build produces changes in a way the inputs do not show. */
const FORMAT = 1
/** A build takes about two seconds; a lock older than this belongs to a process that died. */
const LOCK_STALE_MS = 120_000
/** A bundle another process may still be about to load is kept this long after it is replaced. */
const KEEP_REPLACED_MS = 10 * 60_000

/**
 * @typedef {object} BundleTarget
 * @property {string} root the repository's root: inputs are recorded relative to it
 * @property {string} entry the entry module; with `entrySource`, the name it is given, from whose directory its imports resolve
 * @property {string} [entrySource] the entry's text, when it is generated rather than a file's
 * @property {string} cacheDir where the bundle, its source map and the manifest go
 * @property {string} name the bundle's name: NAME-DIGEST.mjs, NAME.manifest.json
 * @property {ReadonlyArray<string>} [external] packages left to Node's own resolution (esbuild: it finds its binary beside itself)
 */

/**
 * @typedef {object} Manifest
 * @property {number} format
 * @property {string} bundle the bundle's file name in the cache directory
 * @property {string} digest the sources' digest
 * @property {ReadonlyArray<WatchedFile>} watched every file whose change means a rebuild
 */

/** @typedef {[path: string, mtimeMs: number, size: number]} WatchedFile */

/**
 * @typedef {{ readonly _tag: "Fresh", readonly path: string }
 *   | { readonly _tag: "Built", readonly path: string, readonly ms: number }
 *   | { readonly _tag: "Failed", readonly reason: string }} BundleResult
 */

/** @param {BundleTarget} target */
const manifestPath = (target) => join(target.cacheDir, `${target.name}.manifest.json`)

/** @param {string} path @returns {WatchedFile | undefined} */
const watch = (path) => {
  const stat = statSync(path, { throwIfNoEntry: false })
  return stat === undefined ? undefined : [path, stat.mtimeMs, stat.size]
}

/** @param {unknown} value @returns {value is WatchedFile} */
const isWatchedFile = (value) =>
  Array.isArray(value) && value.length === 3 && typeof value[0] === "string" && typeof value[1] === "number" && typeof value[2] === "number"

/** @param {BundleTarget} target @returns {Manifest | undefined} */
const readManifest = (target) => {
  try {
    /** @type {unknown} */
    const parsed = JSON.parse(readFileSync(manifestPath(target), "utf8"))
    if (typeof parsed !== "object" || parsed === null) return undefined
    const { format, bundle, digest, watched } = /** @type {Record<string, unknown>} */ (parsed)
    if (format !== FORMAT || typeof bundle !== "string" || typeof digest !== "string") return undefined
    if (!Array.isArray(watched) || !watched.every(isWatchedFile)) return undefined
    return { format, bundle, digest, watched }
  } catch {
    return undefined
  }
}

/** @param {BundleTarget} target @param {string} path */
const absolute = (target, path) => resolve(target.root, path)

/** The digest of what the bundle is built from: the watched files' contents, in order. @param {BundleTarget} target @param {ReadonlyArray<string>} paths */
const digestOf = (target, paths) => {
  const hash = createHash("sha256").update(`parley-bundle ${FORMAT}\n${target.entrySource ?? ""}\n`)
  for (const path of paths) {
    const contents = existsSync(absolute(target, path)) ? readFileSync(absolute(target, path)) : Buffer.from("(missing)")
    hash.update(`${path}\n${contents.length}\n`).update(contents)
  }
  return hash.digest("hex").slice(0, 16)
}

/**
 * Whether the manifest still describes the sources. Every watched file is
 * stat'ed (a few milliseconds); only when one's time or size moved are the
 * contents read, so a checkout that touched files without changing them
 * does not cost a rebuild.
 * @param {BundleTarget} target @param {Manifest} manifest
 */
const stillFresh = (target, manifest) => {
  if (!existsSync(join(target.cacheDir, manifest.bundle))) return false
  const moved = manifest.watched.some(([path, mtimeMs, size]) => {
    const now = watch(absolute(target, path))
    return now === undefined || now[1] !== mtimeMs || now[2] !== size
  })
  if (!moved) return true
  const paths = manifest.watched.map(([path]) => path)
  if (digestOf(target, paths) !== manifest.digest) return false
  writeAtomically(manifestPath(target), JSON.stringify({ ...manifest, watched: watchAll(target, paths) }))
  return true
}

/** @param {BundleTarget} target @param {ReadonlyArray<string>} paths @returns {Array<WatchedFile>} */
const watchAll = (target, paths) =>
  paths.flatMap((path) => {
    const watched = watch(absolute(target, path))
    return watched === undefined ? [] : [[path, watched[1], watched[2]]]
  })

/** @param {string} path @param {string | Uint8Array} contents */
const writeAtomically = (path, contents) => {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, contents)
  renameSync(temporary, path)
}

/**
 * What else decides the bundle beside the modules esbuild read: for a
 * package under node_modules its package.json (its version), npm's record of
 * the install, and for our own modules each enclosing package.json (its
 * exports) and tsconfig.json (how esbuild reads the TypeScript).
 * @param {BundleTarget} target @param {ReadonlyArray<string>} inputs absolute paths
 */
const watchedPaths = (target, inputs) => {
  const paths = new Set([join(target.root, "node_modules", ".package-lock.json")])
  const modules = `${sep}node_modules${sep}`
  for (const input of inputs) {
    const inModules = input.lastIndexOf(modules)
    if (inModules >= 0) {
      const packages = input.slice(0, inModules + modules.length)
      const parts = input.slice(packages.length).split(sep)
      const name = parts[0]?.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)
      paths.add(join(packages, ...name, "package.json"))
      continue
    }
    paths.add(input)
    for (let dir = dirname(input); dir === target.root || dir.startsWith(target.root + sep); dir = dirname(dir)) {
      for (const file of ["package.json", "tsconfig.json", "tsconfig.base.json"]) paths.add(join(dir, file))
      if (dir === target.root) break
    }
  }
  return [...paths].filter((path) => existsSync(path)).map((path) => relative(target.root, path)).sort()
}

/**
 * `import.meta.url` in our own modules as the source file's URL, not the
 * bundle's: the checker starts its worker threads from source files beside
 * it, the page bundler reads its page's sources, and a spec names its module
 * for the workers by it.
 * @returns {import("esbuild").Plugin}
 */
const sourceLocations = () => ({
  name: "parley-source-locations",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined
      const source = readFileSync(args.path, "utf8")
      if (!source.includes(`${META}.`)) return undefined
      const contents = source
        .replaceAll(`${META}.url`, JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll(`${META}.dirname`, JSON.stringify(dirname(args.path)))
        .replaceAll(`${META}.filename`, JSON.stringify(args.path))
      return { contents, loader: args.path.endsWith("ts") ? "ts" : "js" }
    })
  }
})

/** Removes bundles this one replaces, once no process can still be about to load them. @param {BundleTarget} target @param {string} kept */
const removeReplaced = (target, kept) => {
  const now = Date.now()
  for (const file of readdirSync(target.cacheDir)) {
    if (!file.startsWith(`${target.name}-`) || file.startsWith(kept.replace(/\.mjs$/, ""))) continue
    const path = join(target.cacheDir, file)
    const stat = statSync(path, { throwIfNoEntry: false })
    if (stat !== undefined && now - stat.mtimeMs > KEEP_REPLACED_MS) rmSync(path, { recursive: true, force: true })
  }
}

/** @param {BundleTarget} target @returns {Promise<string>} the bundle's path */
const build = async (target) => {
  const esbuild = await import("esbuild")
  const banner = `import { createRequire as __parleyCreateRequire } from "node:module"; const require = __parleyCreateRequire(${META}.url);`
  const result = await esbuild.build({
    ...(target.entrySource === undefined
      ? { entryPoints: [target.entry] }
      : { stdin: { contents: target.entrySource, resolveDir: dirname(target.entry), sourcefile: target.entry, loader: "js" } }),
    absWorkingDir: target.root,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "es2024",
    // Bundled CommonJS packages call require; the banner gives the module one.
    banner: { js: banner },
    external: [...(target.external ?? [])],
    keepNames: true,
    sourcemap: "linked",
    metafile: true,
    write: false,
    outfile: join(target.cacheDir, `${target.name}.mjs`),
    logLevel: "silent",
    plugins: [sourceLocations()]
  })
  // Inputs are relative to the working directory; a few are esbuild's own (a disabled module, say), with a namespace and no file.
  const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(target.root, input)).filter((input) => existsSync(input))
  const paths = watchedPaths(target, [...inputs, fileURLToPath(import.meta.url)])
  const digest = digestOf(target, paths)
  const bundle = `${target.name}-${digest}.mjs`
  for (const output of result.outputFiles) {
    const file = output.path.endsWith(".map") ? `${bundle}.map` : bundle
    const contents = output.path.endsWith(".map") ? output.contents : Buffer.from(output.text.replace(/\/\/# sourceMappingURL=[^\n]*\s*$/, `//# sourceMappingURL=${bundle}.map\n`))
    writeAtomically(join(target.cacheDir, file), contents)
  }
  /** @type {Manifest} */
  const manifest = { format: FORMAT, bundle, digest, watched: watchAll(target, paths) }
  writeAtomically(manifestPath(target), JSON.stringify(manifest))
  removeReplaced(target, bundle)
  return join(target.cacheDir, bundle)
}

/** @param {number} pid */
const alive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === "EPERM"
  }
}

/**
 * Takes the build lock, or waits while a live process holds it (it is
 * building the same bundle). True when this process holds it.
 * @param {string} lock
 */
const takeLock = async (lock) => {
  const deadline = Date.now() + LOCK_STALE_MS
  while (Date.now() < deadline) {
    try {
      closeSync(openSync(lock, "wx"))
      writeFileSync(lock, `${process.pid}\n`)
      return true
    } catch {
      const holder = Number.parseInt(existsSync(lock) ? readFileSync(lock, "utf8") : "", 10)
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0)
      if ((Number.isInteger(holder) && !alive(holder)) || age > LOCK_STALE_MS) {
        rmSync(lock, { force: true })
        continue
      }
      await new Promise((wake) => setTimeout(wake, 100))
    }
  }
  return false
}

/**
 * The path of a bundle of `target` built from the sources as they are now:
 * the one in the cache when it is fresh, else a new one. Never throws: a
 * failure says why, for the caller to fall back on.
 * @param {BundleTarget} given @returns {Promise<BundleResult>}
 */
export const freshBundle = async (given) => {
  const target = { ...given, root: resolve(given.root), cacheDir: resolve(given.cacheDir) }
  try {
    const cached = readManifest(target)
    if (cached !== undefined && stillFresh(target, cached)) return { _tag: "Fresh", path: join(target.cacheDir, cached.bundle) }
    mkdirSync(target.cacheDir, { recursive: true })
    const lock = join(target.cacheDir, `${target.name}.lock`)
    const started = performance.now()
    if (!(await takeLock(lock))) return { _tag: "Failed", reason: `${lock} is held by another build` }
    try {
      // Another process may have built it while this one waited.
      const built = readManifest(target)
      if (built !== undefined && stillFresh(target, built)) return { _tag: "Fresh", path: join(target.cacheDir, built.bundle) }
      const path = await build(target)
      return { _tag: "Built", path, ms: Math.round(performance.now() - started) }
    } finally {
      rmSync(lock, { force: true })
    }
  } catch (error) {
    return { _tag: "Failed", reason: failureReason(error) }
  }
}

/** esbuild's first error with its place, or the error's message. @param {unknown} error */
const failureReason = (error) => {
  const errors = typeof error === "object" && error !== null ? Reflect.get(error, "errors") : undefined
  const first = Array.isArray(errors) ? errors[0] : undefined
  if (first !== undefined && typeof first.text === "string") {
    return first.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ${first.text}` : first.text
  }
  return error instanceof Error ? error.message : String(error)
}
