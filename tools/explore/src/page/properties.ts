import { html, replaceChildren } from "@parley/web/page"
import type { PropertyView } from "../views.ts"

const at = (step: number): string => step === 0 ? "in the initial state" : `at step ${step}`

/** What the property says here, and how it reads: broken (red), reached (green), or neither. */
const reading = (property: PropertyView, here: number): { readonly status: "broken" | "reached" | "plain"; readonly text: string } => {
  const { holds, firstBroken, firstHeld } = property
  switch (property.kind) {
    case "always":
      return !holds ? { status: "broken", text: "broken here" } : firstBroken !== undefined ? { status: "broken", text: `holds here; broken ${at(firstBroken)}` } : { status: "plain", text: "holds along the path" }
    case "step":
      return firstBroken === here ? { status: "broken", text: "broken by the last step" } : firstBroken !== undefined ? { status: "broken", text: `broken by step ${firstBroken}` } : { status: "plain", text: "every step keeps it" }
    case "sometimes":
      return firstHeld === here ? { status: "reached", text: "reached here" } : firstHeld !== undefined ? { status: "reached", text: `reached ${at(firstHeld)}` } : { status: "plain", text: "not reached on this path" }
    case "eventually":
      return holds ? { status: "reached", text: "holds here" } : { status: "plain", text: "does not hold here (yet)" }
    case "leadsTo":
      return holds ? { status: "reached", text: "its goal holds here" } : property.premise === true ? { status: "plain", text: "its premise holds here, its goal not yet" } : { status: "plain", text: "neither its premise nor its goal holds here" }
  }
}

/** Every property read on the current state and along the path to it. */
export class PropertyList {
  readonly element = html("section", { class: "properties", id: "properties" })

  show(properties: ReadonlyArray<PropertyView>, here: number, within: boolean): void {
    const items = properties.map((property) => {
      const { status, text } = reading(property, here)
      return html("li", { class: `property ${status}`, "data-property": property.name }, html("span", { class: "kind" }, property.kind), html("strong", {}, property.name), html("span", { class: "reading" }, text))
    })
    replaceChildren(
      this.element,
      html("h3", {}, "Properties"),
      within ? null : html("p", { class: "note" }, "This state is outside the spec's boundary: the checker neither checks nor explores it."),
      html("ul", { class: "property-list" }, ...items)
    )
  }
}
