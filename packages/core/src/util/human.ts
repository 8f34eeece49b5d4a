/**
 * Human renderings used in tables, matching Docker's wording
 * (`3 seconds`, `About a minute`, `2 hours`), and size parsing/printing.
 */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 1) return 'Less than a second'
  if (s === 1) return '1 second'
  if (s < 60) return `${s} seconds`
  const m = Math.round(s / 60)
  if (m === 1) return 'About a minute'
  if (m < 60) return `${m} minutes`
  const h = Math.round(s / 3600)
  if (h === 1) return 'About an hour'
  if (h < 48) return `${h} hours`
  const d = Math.round(h / 24)
  if (d < 14) return `${d} days`
  if (d < 60) return `${Math.round(d / 7)} weeks`
  if (d < 730) return `${Math.round(d / 30)} months`
  return `${Math.round(d / 365)} years`
}

/** `5.2MB`, decimal units as Docker prints image sizes. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let v = bytes
  let i = 0
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  // Three significant digits, trailing zeros dropped: 4.26MB, 42.6MB, 426MB, 5MB.
  const digits = v.toFixed(i === 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0)
  return `${digits.includes('.') ? digits.replace(/\.?0+$/, '') : digits}${units[i]}`
}
