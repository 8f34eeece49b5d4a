import type { Gunzip } from 'node:zlib'

/**
 * A gunzip stream. node:zlib is required on first use rather than imported:
 * only image transfers need it, and loading it would slow every command.
 */
export function createGunzip(): Gunzip {
  return (require('node:zlib') as typeof import('node:zlib')).createGunzip()
}
