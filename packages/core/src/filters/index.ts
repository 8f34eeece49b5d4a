/** Docker's `--filter` for every listing and prune: the words (filter-args.ts) and each kind of object's keys. */
export * from './filter-args'
export * from './filter-time'
export * from './container-filter'
export * from './image-filter'
export * from './volume-filter'
export * from './network-filter'
export * from './prune-filter'
