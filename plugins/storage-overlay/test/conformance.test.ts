import * as path from 'node:path'
import { layerInventorySuite, storageDriverSuite } from '@tsrun/testkit'
import { OverlayDriver } from '../src/overlay-driver'

storageDriverSuite('overlay', (home) => new OverlayDriver(home))
layerInventorySuite('overlay', (home) => new OverlayDriver(home), (home) => path.join(home, 'layers'))
