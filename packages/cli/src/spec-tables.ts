/**
 * A spec's options and variants as the Markdown tables its README carries,
 * generated from its definition so the README cannot drift from it, and the
 * markers that delimit them in the README.
 */
import { CorrectVariant } from "@parley/core"
import type { SpecDefinition, SpecOption } from "@parley/core"

const values = (option: SpecOption): string => {
  switch (option.kind) {
    case "int":
      return `${option.min} to ${option.max}`
    case "choice":
      return option.choices.map((c) => `\`${c}\``).join(", ")
    case "flag":
      return "flag"
  }
}

/** A table cell: a `|` inside the text would end the cell. */
const cell = (text: string): string => text.replaceAll("|", "\\|")

export const tableStart = (spec: SpecDefinition): string =>
  `<!-- parley list --markdown ${spec.name}: generated from the spec's definition; REWRITE=1 npm test rewrites it -->`

export const tableEnd = (spec: SpecDefinition): string => `<!-- end of parley list --markdown ${spec.name} -->`

export const specTables = (spec: SpecDefinition): string => {
  const options = spec.options.length === 0
    ? ["`" + spec.name + "` has no options."]
    : [
      "| option | meaning | values | default |",
      "|---|---|---|---|",
      ...spec.options.map((o) => `| \`--${o.name}\` | ${cell(o.description)} | ${values(o)} | ${String(o.default)} |`)
    ]
  const variants = [
    "| variant | the bug it plants |",
    "|---|---|",
    `| \`${CorrectVariant}\` | none: the algorithm as published (the default) |`,
    ...spec.variants.map((v) => `| \`${v.name}\` | ${cell(v.description)} |`)
  ]
  return [tableStart(spec), "", ...options, "", ...variants, "", tableEnd(spec)].join("\n")
}
