import { Bag, equals, SetOf, withFingerprintMemo } from "@parley/core/model"
import type { NetworkSemantics, NetworkState } from "@parley/core/model"

/**
 * The in-flight messages under one of the network semantics. A `slot` names
 * one deliverable message: an index into the multiset or set, or a link
 * `from->to` whose queue head is next. Identical messages share one slot, so
 * delivering either copy of a duplicate is explored once.
 */
export interface Network<E> {
  readonly empty: NetworkState<E>
  send(network: NetworkState<E>, envelopes: ReadonlyArray<E>): NetworkState<E>
  slots(network: NetworkState<E>): ReadonlyArray<Slot>
  peek(network: NetworkState<E>, slot: Slot): E
  /** The network once the message in `slot` is delivered; a duplicating network keeps it. */
  deliver(network: NetworkState<E>, slot: Slot): NetworkState<E>
  /** The network once the message in `slot` is lost. */
  drop(network: NetworkState<E>, slot: Slot): NetworkState<E>
}

export type Slot = number | string

interface Routed {
  readonly from: string
  readonly to: string
}

const distinctIndices = <E>(items: ReadonlyArray<E>): ReadonlyArray<number> => {
  const indices: Array<number> = []
  for (let i = 0; i < items.length; i++) {
    let seen = false
    for (const j of indices) {
      if (equals(items[j], items[i])) {
        seen = true
        break
      }
    }
    if (!seen) indices.push(i)
  }
  return indices
}

const at = <E>(items: ReadonlyArray<E>, slot: Slot): E => {
  const item = items[slot as number]
  if (item === undefined) throw new RangeError(`no in-flight message in slot ${String(slot)}`)
  return item
}

const multiset = <E>(): Network<E> => ({
  empty: Bag.empty<E>(),
  send: (network, envelopes) => Bag.addAll(network as Bag<E>, envelopes),
  slots: (network) => distinctIndices(network as Bag<E>),
  peek: (network, slot) => at(network as Bag<E>, slot),
  deliver: (network, slot) => Bag.removeAt(network as Bag<E>, slot as number),
  drop: (network, slot) => Bag.removeAt(network as Bag<E>, slot as number)
})

const duplicating = <E>(): Network<E> => ({
  empty: SetOf.empty<E>(),
  send: (network, envelopes) => envelopes.reduce((set, envelope) => SetOf.add(set, envelope), network as SetOf<E>),
  slots: (network) => (network as SetOf<E>).map((_, index) => index),
  peek: (network, slot) => at(network as SetOf<E>, slot),
  deliver: (network) => network,
  drop: (network, slot) => SetOf.remove(network as SetOf<E>, at(network as SetOf<E>, slot))
})

type Links<E> = Readonly<Record<string, ReadonlyArray<E>>>

const linkOf = (envelope: Routed): string => `${envelope.from}->${envelope.to}`

/**
 * FIFO per link. An empty link has no key, so equal contents are one state.
 * Each queue keeps its own fingerprint (see `withFingerprintMemo`): a step
 * changes one or two links, and the others, shared with the state before,
 * are not hashed again.
 */
const perLinkFifo = <E extends Routed>(): Network<E> => {
  const queue = (items: Array<E>): ReadonlyArray<E> => withFingerprintMemo(items)
  const head = (network: NetworkState<E>, slot: Slot): E => {
    const items = (network as Links<E>)[slot as string]
    if (items === undefined || items.length === 0) throw new RangeError(`no in-flight message on link ${slot}`)
    return items[0]!
  }
  // Copied key by key rather than spread and `delete`d: deleting a key turns an object into a slow dictionary.
  const shift = (network: NetworkState<E>, slot: Slot): NetworkState<E> => {
    const links: Record<string, ReadonlyArray<E>> = {}
    for (const [link, items] of Object.entries(network as Links<E>)) {
      if (link !== slot) links[link] = items
      else if (items.length > 1) links[link] = queue(items.slice(1))
    }
    return links
  }
  return {
    empty: {},
    send: (network, envelopes) => {
      if (envelopes.length === 0) return network
      const links: Record<string, ReadonlyArray<E>> = { ...(network as Links<E>) }
      for (const envelope of envelopes) {
        const link = linkOf(envelope)
        links[link] = queue([...(links[link] ?? []), envelope])
      }
      return links
    },
    slots: (network) => Object.keys(network as Links<E>).sort(),
    peek: head,
    deliver: shift,
    drop: shift
  }
}

export const networkFor = <E extends Routed>(semantics: NetworkSemantics): Network<E> => {
  switch (semantics) {
    case "unordered":
      return multiset<E>()
    case "duplicating":
      return duplicating<E>()
    case "ordered":
      return perLinkFifo<E>()
  }
}
