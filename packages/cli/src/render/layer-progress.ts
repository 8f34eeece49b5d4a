import { humanSize, type PullEvent, type PushEvent } from '@tsrun/core'

/**
 * Per-layer progress as Docker shows it. On a terminal: one line per layer,
 * redrawn in place (at most ten times a second) with a bar while bytes move.
 * Otherwise: one plain line each time a layer changes state, never per byte,
 * so logs stay readable.
 */
export class LayerProgress {
  private readonly order: string[] = []
  private readonly lines = new Map<string, { status: string; current?: number; total?: number }>()
  private drawn = 0
  private timer?: NodeJS.Timeout

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }, private readonly tty = Boolean(out.isTTY)) {}

  update(digest: string, status: string, current?: number, total?: number): void {
    const id = digest.replace(/^sha256:/, '').slice(0, 12)
    const prev = this.lines.get(id)
    if (!prev) this.order.push(id)
    this.lines.set(id, { status, current, total })
    if (this.tty) {
      this.timer ??= setTimeout(() => this.redraw(), 100)
    } else if (prev?.status !== status) {
      this.out.write(`${id}: ${status}\n`)
    }
  }

  /** Draw the final state (terminal) and stop. */
  done(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.tty && this.order.length) this.redraw()
  }

  private redraw(): void {
    this.timer = undefined
    let text = this.drawn ? `\x1b[${this.drawn}A` : ''
    for (const id of this.order) {
      const l = this.lines.get(id)!
      text += `\x1b[2K${id}: ${l.status}${l.current !== undefined && l.total ? ` ${bar(l.current, l.total)} ${humanSize(l.current)}/${humanSize(l.total)}` : ''}\n`
    }
    this.drawn = this.order.length
    this.out.write(text)
  }
}

function bar(current: number, total: number): string {
  const width = 30
  const filled = Math.min(width, Math.floor((current / total) * width))
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled ? '>' : ''}${' '.repeat(width - filled)}]`
}

const PULL_WORDS: Record<string, string> = {
  exists: 'Already exists',
  waiting: 'Pulling fs layer',
  downloading: 'Downloading',
  verified: 'Download complete',
  extracting: 'Extracting',
  complete: 'Pull complete',
}

/** Feed pull events to a LayerProgress. */
export function pullProgress(p: LayerProgress): (e: PullEvent) => void {
  return (e) => {
    if (e.type === 'layer') p.update(e.digest, PULL_WORDS[e.status], e.status === 'downloading' ? e.current : undefined, e.total)
  }
}

const PUSH_WORDS: Record<string, string> = { exists: 'Layer already exists', mounted: 'Mounted', uploading: 'Pushing', pushed: 'Pushed' }

/** Feed push events to a LayerProgress. */
export function pushProgress(p: LayerProgress): (e: PushEvent) => void {
  return (e) => {
    if (e.type === 'blob') p.update(e.digest, e.status === 'mounted' ? `Mounted from ${e.from}` : PUSH_WORDS[e.status])
  }
}
