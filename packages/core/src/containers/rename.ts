import * as path from 'node:path'
import { InvalidArgumentError } from '../errors'
import { readJson, writeJsonAtomic } from '../util/atomic'
import type { ContainerService } from './container-service'
import type { ContainerRecord } from './record'
import { ANNOTATION_NAME } from './security-spec'

/**
 * `tsrun rename OLD NEW`. Order keeps every step safe under a crash or a
 * concurrent `run --name NEW`: reserve NEW (symlink(2), atomic: only one
 * wins), rewrite the record by rename(2) (readers see the old or the new
 * one), then free OLD. The bundle's name annotation follows, so events of
 * later starts carry the new name (a running monitor keeps the old one
 * until it ends).
 */
export function renameContainer(containers: ContainerService, rec: ContainerRecord, newName: string): ContainerRecord {
  const wanted = newName.replace(/^\//, '')
  if (wanted === rec.name) throw new InvalidArgumentError(`renaming container ${rec.name}: the new name is the same as the current one`)
  const name = containers.store.names.reserve(rec.id, wanted)
  const renamed: ContainerRecord = { ...rec, name }
  try {
    containers.store.save(renamed)
  } catch (err) {
    containers.store.names.release(name, rec.id)
    throw err
  }
  containers.store.names.release(rec.name, rec.id)
  const config = path.join(containers.store.dir(rec.id), 'bundle', 'config.json')
  const spec = readJson<{ annotations?: Record<string, string> }>(config)
  if (spec) {
    spec.annotations = { ...spec.annotations, [ANNOTATION_NAME]: name }
    writeJsonAtomic(config, spec)
  }
  containers.events.emit('rename', renamed, { oldName: rec.name })
  return renamed
}
