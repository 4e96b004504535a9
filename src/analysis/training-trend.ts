/** The seed's training trend analysis (analyzeTrainingTrends), as a pure function over a loss series. */

export interface TrendAnalysis {
	readonly trend: 'improving' | 'degrading' | 'stable' | 'insufficient_data';
	/** Least-squares slope of loss per sample index. */
	readonly slope: number;
	/** Population standard deviation of the loss values. */
	readonly volatility: number;
	/** Loss changed by less than 1% over the last 10% of samples. */
	readonly converged: boolean;
	readonly sampleCount: number;
}

/** Slope of the least-squares line through (index, value). */
export function linearSlope(values: readonly number[]): number {
	const n = values.length;
	if (n < 2) return 0;
	let sumX = 0;
	let sumY = 0;
	let sumXY = 0;
	let sumX2 = 0;
	for (let i = 0; i < n; i++) {
		const y = values[i]!;
		sumX += i;
		sumY += y;
		sumXY += i * y;
		sumX2 += i * i;
	}
	const denominator = n * sumX2 - sumX * sumX;
	return denominator === 0 ? 0 : (n * sumXY - sumX * sumY) / denominator;
}

/**
Trend of a loss series, oldest first, computed as the seed does: at least 10 finite points; slope below -0.01
is improving, above 0.01 degrading; converged when the last 10% of samples span less than 1% of their minimum.
Non-finite points are left out (they are reported by the non-finite-loss rule, not averaged in).
*/
export function analyzeTrend(series: readonly number[]): TrendAnalysis {
	const values = series.filter(Number.isFinite);
	const n = values.length;
	if (n < 10) return {trend: 'insufficient_data', slope: 0, volatility: 0, converged: false, sampleCount: n};
	const slope = linearSlope(values);
	const mean = values.reduce((sum, v) => sum + v, 0) / n;
	const volatility = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / n);
	const recent = values.slice(-Math.max(1, Math.floor(n * 0.1)));
	const recentMin = Math.min(...recent);
	const recentMax = Math.max(...recent);
	const recentChange = recentMin === 0 ? (recentMax === 0 ? 0 : Number.POSITIVE_INFINITY) : ((recentMax - recentMin) / Math.abs(recentMin)) * 100;
	const trend = slope < -0.01 ? 'improving' : slope > 0.01 ? 'degrading' : 'stable';
	return {trend, slope, volatility, converged: recentChange < 1, sampleCount: n};
}
