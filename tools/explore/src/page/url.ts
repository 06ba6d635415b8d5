import type { Location } from "../location.ts"

/** The URL's own parameters; every other one is a spec option (`variant` among them). */
const RESERVED = new Set(["spec", "init", "path"])

/** The location a page URL names, or undefined when it names no spec (the page then starts where the command line said). */
export const locationInUrl = (search: string): Location | undefined => {
  const params = new URLSearchParams(search)
  const spec = params.get("spec")
  if (spec === null) return undefined
  const options: Record<string, string> = {}
  for (const [name, value] of params) if (!RESERVED.has(name)) options[name] = value
  const path = params.get("path") ?? ""
  // The server checks the path; text that is no index is sent as -1, which it refuses by name.
  const indices = path === "" ? [] : path.split(".").map((part) => /^\d+$/.test(part) ? Number(part) : -1)
  return { spec, options, init: Number(params.get("init") ?? "0"), path: indices }
}

/** The query a location is shared by: `?spec=raft&nodes=3&path=1.0.4`. */
export const urlOf = (location: Location): string => {
  const params = new URLSearchParams({ spec: location.spec, ...location.options })
  if (location.init !== 0) params.set("init", String(location.init))
  if (location.path.length > 0) params.set("path", location.path.join("."))
  return `?${params.toString()}`
}
