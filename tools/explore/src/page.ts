/** The explorer's page: one self-contained HTML document, its script and styles inlined. */
export const explorerPage = (): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>parley explore</title></head><body><p>parley explore</p></body></html>`
