/** Rewrites known-violations.json from the tree: `npm run known-violations --workspace @parley/deps`. */
import { join } from "node:path"
import { describeViolation, findViolations } from "./cruise.ts"
import { writeKnownViolations } from "./known-violations.ts"

const violations = await findViolations(join(import.meta.dirname, "..", "..", ".."))
writeKnownViolations(violations)
for (const violation of violations) console.log(describeViolation(violation))
console.log(`${violations.length} known violations written`)
