/** Short human-readable numbers for the panel. Pure. */

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m ${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const units: [number, string][] = [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, suffix] of units) {
    if (Math.abs(value) >= size) {
      const scaled = value / size;
      return `${scaled >= 100 ? scaled.toFixed(0) : scaled.toFixed(1)}${suffix}`;
    }
  }
  return String(Math.round(value));
}

export function formatRate(tokensPerSecond: number): string {
  if (!Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0) return '–';
  return `${tokensPerSecond >= 100 ? tokensPerSecond.toFixed(0) : tokensPerSecond.toFixed(1)} tok/s`;
}

export function formatLoss(loss: number | undefined): string {
  return loss === undefined || !Number.isFinite(loss) ? '–' : loss.toFixed(3);
}

/** Clamps and rounds settings typed into the panel; bad input falls back to the previous value. */
export function parseSetting(raw: string, previous: number, min: number, max: number, integer: boolean): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value)) return previous;
  const clamped = Math.min(max, Math.max(min, value));
  return integer ? Math.round(clamped) : clamped;
}
