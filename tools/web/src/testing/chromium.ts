import chromium from "@sparticuz/chromium"
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { brotliDecompressSync } from "node:zlib"

const run = promisify(execFile)

/**
 * Chromium from the `@sparticuz/chromium` package: a headless build that ships
 * inside the npm package (brotli-compressed, unpacked to the temp folder on
 * first use), so `npm ci` is all a machine or CI needs; no system browser, no
 * download. The flags keep it off the network: a closed network refuses its
 * background connections at every start.
 */
export const chromiumFlags: ReadonlyArray<string> = [
  ...chromium.args,
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic"
]

/** The libraries the package ships for machines without them (NSS, NSPR, expat), unpacked once. */
const bundledLibraries = async (): Promise<string> => {
  const target = join(tmpdir(), "parley-chromium-libs")
  const libraries = join(target, "lib")
  if (existsSync(join(libraries, "libnss3.so"))) return libraries
  const archive = fileURLToPath(new URL("../../bin/al2023.tar.br", import.meta.resolve("@sparticuz/chromium")))
  await mkdir(target, { recursive: true })
  const tar = join(target, "libs.tar")
  await writeFile(tar, brotliDecompressSync(await readFile(archive)))
  await run("tar", ["-xf", tar, "-C", target])
  return libraries
}

/**
 * The environment Chromium starts in: this process's, plus the package's own
 * libraries on LD_LIBRARY_PATH when the system lacks one that Chromium links
 * (a bare machine without libnss3, say).
 */
const launchEnvironment = async (executable: string): Promise<NodeJS.ProcessEnv> => {
  const { stdout } = await run("ldd", [executable]).catch(() => ({ stdout: "" }))
  if (!stdout.includes("not found")) return process.env
  const libraries = await bundledLibraries()
  const existing = process.env["LD_LIBRARY_PATH"]
  return { ...process.env, LD_LIBRARY_PATH: existing === undefined ? libraries : `${libraries}:${existing}` }
}

/** Where the unpacked Chromium is and the environment to start it in. */
export const chromiumExecutable = async (): Promise<{ readonly path: string; readonly env: NodeJS.ProcessEnv }> => {
  const path = await chromium.executablePath()
  return { path, env: await launchEnvironment(path) }
}
