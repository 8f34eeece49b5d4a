import { storageDriverSuite } from '@tsrun/testkit'
import { BindDriver } from '../src/bind-driver'

storageDriverSuite('bind', () => new BindDriver())
