import { phaseChart, ratioChart } from '../../perf/charts';

describe('ratioChart', () => {
  const cases = [
    {
      name: 'a lower-is-better ratio under its limit',
      bar: { ratio: 0.9, limit: 1.1, better: 'lower' as const },
      colour: '#2e7d32',
      verdict: 'met',
    },
    {
      name: 'a lower-is-better ratio over its limit',
      bar: { ratio: 1.4, limit: 1.1, better: 'lower' as const },
      colour: '#c62828',
      verdict: 'missed',
    },
    {
      name: 'a higher-is-better ratio under its limit',
      bar: { ratio: 0.6, limit: 0.85, better: 'higher' as const },
      colour: '#c62828',
      verdict: 'missed',
    },
  ];

  it.each(cases)(
    'when the chart shows $name, then its bar has the verdict’s colour and says so',
    ({ bar, colour, verdict }) => {
      const svg = ratioChart('t', [{ label: 'P1 <cold> & start', ...bar }]);

      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg).toContain(`fill="${colour}"`);
      expect(svg).toContain(`${bar.ratio.toFixed(2)}×`);
      expect(svg).toContain(verdict);
      expect(svg).toContain('P1 &lt;cold&gt; &amp; start');
    },
  );
});

describe('phaseChart', () => {
  it('when a bar has phases, then each is a segment and the total is their sum', () => {
    const svg = phaseChart('t', [
      {
        label: 'ours',
        phases: [
          { name: 'module load', ms: 100 },
          { name: 'first request', ms: 150 },
        ],
      },
      { label: 'baseline', phases: [{ name: 'total', ms: 200 }] },
    ]);

    expect(svg).toContain('<title>module load: 100 ms</title>');
    expect(svg).toContain('<title>first request: 150 ms</title>');
    expect(svg).toContain('>250 ms<');
    expect(svg).toContain('>200 ms<');
  });
});
