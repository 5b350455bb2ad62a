/**
 * The two pictures `make bench` writes into docs/perf/: each target's ratio against its limit, and where
 * the cold start's time goes. Plain SVG markup (horizontal bars), no charting library.
 */

export interface RatioBar {
  readonly label: string;
  readonly ratio: number;
  readonly limit: number;
  /** 'lower': the ratio must stay at or under the limit; 'higher': at or over it. */
  readonly better: 'lower' | 'higher';
}

export interface PhaseBar {
  readonly label: string;
  /** Consecutive phases, in ms; a bar with one phase is a total only. */
  readonly phases: readonly { readonly name: string; readonly ms: number }[];
}

const FONT = 'font-family="sans-serif" font-size="12"';
const LABEL_WIDTH = 330;
const PLOT_WIDTH = 420;
const ROW = 26;
const PASS = '#2e7d32';
const FAIL = '#c62828';
const PHASE_COLOURS = ['#546e7a', '#8d6e63', '#1565c0', '#ef6c00', '#6a1b9a'];

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function svg(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** One bar per target: the measured ratio, a dark mark at the limit, green when met, red when not. */
export function ratioChart(title: string, bars: readonly RatioBar[]): string {
  const max = Math.max(2, ...bars.map((bar) => Math.max(bar.ratio, bar.limit) * 1.1));
  const x = (ratio: number): number => LABEL_WIDTH + (ratio / max) * PLOT_WIDTH;
  const top = 30;
  const body = [`<text x="8" y="18" font-weight="bold">${escape(title)}</text>`];
  for (const tick of [0, 0.5, 1, 1.5, 2, 2.5, 3].filter((t) => t <= max)) {
    body.push(
      `<line x1="${x(tick)}" y1="${top}" x2="${x(tick)}" y2="${top + bars.length * ROW}" stroke="#ddd"/>`,
      `<text x="${x(tick)}" y="${top + bars.length * ROW + 14}" text-anchor="middle" fill="#555">${tick}×</text>`,
    );
  }
  bars.forEach((bar, index) => {
    const y = top + index * ROW;
    const met = bar.better === 'lower' ? bar.ratio <= bar.limit : bar.ratio >= bar.limit;
    const sign = bar.better === 'lower' ? '≤' : '≥';
    body.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 16}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 5}" width="${Math.max(1, x(bar.ratio) - LABEL_WIDTH)}" height="${ROW - 10}" fill="${met ? PASS : FAIL}"/>`,
      `<line x1="${x(bar.limit)}" y1="${y + 1}" x2="${x(bar.limit)}" y2="${y + ROW - 1}" stroke="#000" stroke-width="2"/>`,
      `<text x="${x(Math.max(bar.ratio, bar.limit)) + 6}" y="${y + 16}">${bar.ratio.toFixed(2)}× (${sign} ${bar.limit}×, ${met ? 'met' : 'missed'})</text>`,
    );
  });
  return svg(LABEL_WIDTH + PLOT_WIDTH + 170, top + bars.length * ROW + 24, body);
}

/** One stacked bar per candidate: its phases end to end, ms since the process started. */
export function phaseChart(title: string, bars: readonly PhaseBar[]): string {
  const totals = bars.map((bar) => bar.phases.reduce((sum, phase) => sum + phase.ms, 0));
  const max = Math.max(1, ...totals) * 1.05;
  const x = (ms: number): number => LABEL_WIDTH + (ms / max) * PLOT_WIDTH;
  const top = 30;
  const body = [`<text x="8" y="18" font-weight="bold">${escape(title)}</text>`];
  const names = [...new Set(bars.flatMap((bar) => (bar.phases.length > 1 ? bar.phases.map((p) => p.name) : [])))];
  bars.forEach((bar, index) => {
    const y = top + index * ROW;
    body.push(`<text x="${LABEL_WIDTH - 8}" y="${y + 16}" text-anchor="end">${escape(bar.label)}</text>`);
    let at = 0;
    for (const phase of bar.phases) {
      const colour =
        bar.phases.length > 1 ? PHASE_COLOURS[names.indexOf(phase.name) % PHASE_COLOURS.length] : '#9e9e9e';
      body.push(
        `<rect x="${x(at)}" y="${y + 5}" width="${Math.max(1, x(at + phase.ms) - x(at))}" height="${ROW - 10}" fill="${colour}"><title>${escape(phase.name)}: ${Math.round(phase.ms)} ms</title></rect>`,
      );
      at += phase.ms;
    }
    body.push(`<text x="${x(at) + 6}" y="${y + 16}">${Math.round(at)} ms</text>`);
  });
  const legendY = top + bars.length * ROW + 16;
  names.forEach((name, index) => {
    const lx = LABEL_WIDTH + index * 125;
    body.push(
      `<rect x="${lx}" y="${legendY - 10}" width="12" height="12" fill="${PHASE_COLOURS[index % PHASE_COLOURS.length]}"/>`,
      `<text x="${lx + 16}" y="${legendY}">${escape(name)}</text>`,
    );
  });
  return svg(LABEL_WIDTH + PLOT_WIDTH + 90, legendY + 12, body);
}
