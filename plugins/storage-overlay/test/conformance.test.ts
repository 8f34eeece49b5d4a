import { storageDriverSuite } from '@tsrun/testkit'
import { OverlayDriver } from '../src/overlay-driver'

storageDriverSuite('overlay', (home) => new OverlayDriver(home))
