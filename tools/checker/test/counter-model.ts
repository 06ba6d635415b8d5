import type { Model, StepEvent } from "@parley/core"

/** One counter up to 3, with the properties given; a module of its own so a worker thread can load it (see `ModelSource`). */
export const counterModel = (properties: Model<number, "inc">["properties"] = []): Model<number, "inc"> => ({
  init: () => [0],
  actions: () => ["inc"],
  next: (n) => (n >= 3 ? undefined : n + 1),
  properties,
  describe: (): StepEvent => ({ _tag: "Local", node: "c", label: "inc" }),
  lanes: (n) => ({ c: n })
})
