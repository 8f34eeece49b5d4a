import { Flags } from '@oclif/core'

/**
 * podman's `--noheading` for a listing: the table without its header row
 * (`-n` where podman has it and Docker gives `-n` no other meaning: images,
 * volume ls; ps keeps `-n` for Docker's `--last`).
 */
export function noHeadingFlag(char?: 'n') {
  return Flags.boolean({ char, description: 'do not print the header row of a table (podman)' })
}
