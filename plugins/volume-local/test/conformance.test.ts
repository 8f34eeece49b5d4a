import { volumeDriverSuite } from '@tsrun/testkit'
import { LocalVolumeDriver } from '../src/local-driver'

volumeDriverSuite('local', () => new LocalVolumeDriver())
