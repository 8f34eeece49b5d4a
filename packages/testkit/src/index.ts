/** @tsrun/testkit: conformance suites for tsrun backends, and the helpers they use. */
export { inRootfs } from './assemble.js'
export { layerInventorySuite } from './layer-inventory-suite.js'
export { makeLayer, type LayerFiles } from './layers.js'
export { storageDriverSuite } from './storage-suite.js'
export { inVolume } from './volume-mount.js'
export { volumeDriverSuite } from './volume-suite.js'
