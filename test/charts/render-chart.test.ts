/** Golden frames of the chart renderer for known curves, and its size invariant. */
import {describe, expect, it} from 'vitest';
import {lineText, renderChart, type ChartOptions, type ChartSeries} from '../../src/charts/render-chart.js';
import {durationHistogram} from '../../src/charts/histogram.js';
import {cellWidth} from '../../src/format/text-width.js';

const base: ChartOptions = {width: 40, height: 10, cells: 'braille', log: false, ignoreOutliers: true, xMode: 'step', unit: 'plain'};

function frame(series: readonly ChartSeries[], options: Partial<ChartOptions> = {}): string {
	const lines = renderChart(series, {...base, ...options});
	return `\n${lines.map((l) => `|${lineText(l)}|`).join('\n')}\n`;
}

const steps = (n: number) => Array.from({length: n}, (_, i) => i * 10);
const loss = (name: string, ys: readonly number[]): ChartSeries => ({name, tone: 'accent', xs: steps(ys.length), ys});

describe('golden frames', () => {
	it('a NaN step is marked at the top of its column and counted in the legend', () => {
		const ys = Array.from({length: 40}, (_, i) => 2 - i * 0.04);
		ys[20] = Number.NaN;
		expect(frame([loss('loss', ys)])).toMatchInlineSnapshot(`
			"
			|■ loss 0.440  min 0.440  max 2.000  !1 ~|
			|2┤⠙⠒⠲⢤⣀⡀             !                  |
			| │     ⠉⠓⠒⠦⣄⣀⡀                          |
			| │           ⠉⠓⠒⢦⣀⣀                     |
			| │                ⠈⠙⠒⠲⠤⣄⡀               |
			|1┤                      ⠉⠉⠳⠤⢤⣀          |
			| │                           ⠈⠉⠙⠲⠤⢤⣀    |
			| │                                 ⠈⠉⠓⠦⠤|
			| └┬──────────────────┬──────────────────|
			|  0                 200                 |
			"
		`);
	});

	it('a single spike is drawn at the top edge with a marker, the curve keeps its scale', () => {
		const ys = Array.from({length: 60}, (_, i) => 1 + 0.1 * Math.sin(i / 4));
		ys[30] = 50;
		expect(frame([loss('loss', ys)])).toMatchInlineSnapshot(`
			"
			|■ loss 1.082  min 0.900  max 50.00      |
			| │                  ⢀▲                  |
			| │  ⢠⠖⠲⣄⡀           ⡼⠘⠒⢲⡀           ⣰⠒⠒⡆|
			| │ ⡴⠋   ⢳⡀         ⣸⠁   ⠳⣄         ⡞⠁   |
			| │⢰⠃     ⠳⡄       ⡞⠁     ⢸        ⣠⠇    |
			|1┤⠉       ⢳      ⣸⠁      ⠘⢦⡀     ⣸⠁     |
			| │        ⠈⠳⡄   ⡞⠁         ⢧    ⣠⠇      |
			| │          ⠹⣄⣀⡴⠃          ⠈⠳⣄⣀⡼⠁       |
			| └┬───────────┬────────────┬───────────┬|
			|  0          200          400        600|
			"
		`);
	});

	it('the same spike with outlier scaling off sets the range', () => {
		const ys = Array.from({length: 60}, (_, i) => 1 + 0.1 * Math.sin(i / 4));
		ys[30] = 50;
		expect(frame([loss('loss', ys)], {ignoreOutliers: false, cells: 'block'})).toMatchInlineSnapshot(`
			"
			|■ loss 1.082  min 0.900  max 50.00      |
			|50┤                  █                  |
			|  │                  █                  |
			|  │                  █                  |
			|  │                  █                  |
			|  │                  █                  |
			|  │                  █                  |
			| 0┤▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄█▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄|
			|  └┬───────────┬───────────┬───────────┬|
			|   0          200         400        600|
			"
		`);
	});

	it('a flat line sits in the middle of a band around its value', () => {
		expect(frame([loss('loss', Array.from({length: 30}, () => 0.5))])).toMatchInlineSnapshot(`
			"
			|■ loss 0.500  min 0.500  max 0.500      |
			|   │                                    |
			|   │                                    |
			|   │                                    |
			|0.5┤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤|
			|   │                                    |
			|   │                                    |
			|   │                                    |
			|   └┬───────────┬───────────┬───────────|
			|    0          100         200          |
			"
		`);
	});

	it('log scale over 5 decades: a straight line, ticks at decades; zero and below marked at the bottom', () => {
		const ys = Array.from({length: 51}, (_, i) => 10 ** (2 - i / 10));
		ys[50] = 0;
		expect(frame([loss('loss', ys)], {log: true, ignoreOutliers: false, height: 14})).toMatchInlineSnapshot(`
			"
			|■ loss 0.000  min 0.000  max 100.0  ▼1 ~|
			| 100┤⠙⢦⡀                                |
			|    │  ⠉⠉⠳⣄                             |
			|    │     ⠈⠙⠲⣄⡀                         |
			|    │         ⠉⠓⢦⡀                      |
			|   1┤            ⠙⠲⠤⣄                   |
			|    │               ⠈⠓⠦⣄                |
			|    │                  ⠈⠓⠲⢤⡀            |
			|    │                      ⠙⠦⣄⡀         |
			|0.01┤                         ⠉⠳⢤⣀      |
			|    │                            ⠈⠳⣄⣀⡀  |
			|    │                                ⠙⢦▼|
			|    └┬─────────────────────────────────┬|
			|     0                               500|
			"
		`);
	});

	it('a count that is flat at zero keeps its axis at zero (no band below it)', () => {
		const text = frame([{name: 'done', tone: 'accent', xs: [0, 1, 2], ys: [0, 0, 0]}], {unit: 'per-hour', height: 6});
		expect(text).not.toContain('-1');
		expect(text).toMatch(/0\/h┤/);
	});

	it('one point', () => {
		expect(frame([loss('loss', [0.7])])).toMatchInlineSnapshot(`
			"
			|■ loss 0.700  min 0.700  max 0.700      |
			|   │                                    |
			|   │                                    |
			|   │                                    |
			|0.7┤                  ⠄                 |
			|   │                                    |
			|   │                                    |
			|   │                                    |
			|   └──────────────────┬─────────────────|
			|                      0                 |
			"
		`);
	});

	it('no data at all, and no finite value', () => {
		expect(frame([])).toMatchInlineSnapshot(`
			"
			| │                                      |
			| │                                      |
			| │                                      |
			| │               no data                |
			| │                                      |
			| │                                      |
			| │                                      |
			| │                                      |
			| └──────────────────────────────────────|
			|                                        |
			"
		`);
		expect(frame([loss('loss', [Number.NaN, Number.NaN])], {height: 6})).toMatchInlineSnapshot(`
			"
			|■ loss NaN  min -  max -  !2 NaN/Inf    |
			| │                                      |
			| │       no finite value to draw        |
			| │                                      |
			| └┬──────────────────┬─────────────────┬|
			|  0                  5                10|
			"
		`);
	});

	it('raw faint under smoothed bright, ASCII cells and axes', () => {
		const xs = steps(80);
		const ys = xs.map((_, i) => 3 * Math.exp(-i / 20) + (i % 3) * 0.2);
		const lines = renderChart(
			[
				{name: 'raw', tone: 'accent', faint: true, xs, ys},
				{name: 'smoothed', tone: 'accent', xs, ys: ys.map((_, i) => 3 * Math.exp(-i / 20) + 0.2)},
			],
			{...base, cells: 'ascii', height: 12},
		);
		const text = lines.map(lineText);
		expect(text.every((l) => /^[\x20-\x7e]*$/.test(l))).toBe(true);
		expect(lines.flat().some((s) => s.faint === true && /[.:']/.test(s.text))).toBe(true);
		expect(text.join('\n')).toMatchInlineSnapshot(`
			"# raw 0.258  min 0.061  max 3.115       
			# smoothed 0.258  min 0.258  max 3.200  
			 |::                                    
			 | :::                                  
			 |   ::..                               
			2+    ''::..                            
			 |       '':...                         
			 |         '':::::.....                 
			 |              ''':::::::::::::........
			0+                     '''''''''''::::::
			 ++----------------------+--------------
			  0                     500             "
		`);
	});

	it('the duration histogram with the SLA line', () => {
		const lines = durationHistogram([3, 5, 8, 4, 2, 1, 1, 0, 0, 2, 0, 0, 1], 40, 7, 'block');
		expect(`\n${lines.map((l) => `|${lineText(l)}|`).join('\n')}\n`).toMatchInlineSnapshot(`
			"
			|8┤     ███         │                    |
			| │  ▁▁▁███         │                    |
			| │  ██████▄▄▄      │                    |
			| │▇▇█████████▂▂▂   │        ▂▂▂         |
			|0┤██████████████▅▅▅▅▅▅      ███      ▅▅▅|
			| └─────────────────┬────────────────────|
			|  0       15m      SLA 30m  45m     60m+|
			"
		`);
	});
});

describe('size', () => {
	it('every line is exactly width cells and there are exactly height lines, whatever the input', () => {
		const inputs: ChartSeries[][] = [
			[],
			[loss('x', [1])],
			[loss('a very long name that does not fit 界界界', Array.from({length: 500}, (_, i) => Math.sin(i) * 1e6))],
			[loss('n', [Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e-300, 1e300])],
		];
		for (const series of inputs) {
			for (const [width, height] of [[20, 3], [20, 5], [79, 20], [199, 56], [10, 2], [3, 8]] as const) {
				for (const cells of ['braille', 'block', 'ascii'] as const) {
					for (const log of [false, true]) {
						const lines = renderChart(series, {...base, width, height, cells, log, title: 'title'});
						expect(lines).toHaveLength(height);
						for (const l of lines) expect(cellWidth(lineText(l))).toBe(width);
					}
				}
			}
		}
	});

	it('draws 1,000,000 points and keeps a one-sample spike', () => {
		const n = 1_000_000;
		const xs = new Float64Array(n).map((_, i) => i);
		const ys = new Float64Array(n).fill(1);
		ys[777_777] = 5;
		const lines = renderChart([{name: 'loss', tone: 'accent', xs, ys}], {...base, width: 100, height: 20, ignoreOutliers: false});
		const text = lines.map(lineText);
		// The spike's column reaches the top plot row (legend first, then the plot).
		const top = text[1]!;
		expect(top.trim().length).toBeGreaterThan(1);
		expect(text[0]).toContain('max 5.000');
	});
});
