/** The models `parley history check --model` offers, by name. */
import type { AnyHistoryModel } from "./model.ts"
import { list } from "./models/list.ts"
import { casRegister, kv, register } from "./models/registers.ts"

export const models: ReadonlyArray<AnyHistoryModel> = [register, casRegister, kv, list]

export const findModel = (name: string): AnyHistoryModel | undefined => models.find((model) => model.name === name)
