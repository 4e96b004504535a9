import {describe, expect, it} from 'vitest';
import {correlationInsight} from '../../src/rules/rules-part.js';
import {type AlertTransition} from '../../src/rules/engine.js';

describe('error / GPU-temperature correlation insight', () => {
	it("has the seed's events:insights:correlations shape", () => {
		const t = {rule: 'error_performance_correlation', kind: 'firing', value: 88.5, timeMs: Date.parse('2026-11-29T12:00:00Z')} as unknown as AlertTransition;
		expect(correlationInsight(t, 'err-7', 'host:1:ab')).toEqual({
			type: 'error_performance_correlation',
			errorId: 'err-7',
			possibleCause: 'high_gpu_temperature',
			avgTemp: 88.5,
			recommendation: 'Check GPU cooling before retrying',
			timestamp: '2026-11-29T12:00:00.000Z',
			source: 'mycotop:host:1:ab',
		});
	});
});

describe('slow workflow step insight', () => {
	it("has the seed's events:insights:workflows shape", async () => {
		const {slowStepInsight} = await import('../../src/rules/rules-part.js');
		const t = {rule: 'slow_step_detected', kind: 'firing', value: 700, labels: {workflow: 'nightly', step: 'tokenize'}, timeMs: Date.parse('2026-11-29T12:00:00Z')} as unknown as AlertTransition;
		expect(slowStepInsight(t, 'h:1:ab')).toEqual({
			type: 'slow_step_detected',
			workflowId: 'nightly',
			stepId: 'tokenize',
			avgDuration: 700,
			recommendation: 'Consider parallelization or resource optimization',
			timestamp: '2026-11-29T12:00:00.000Z',
			source: 'mycotop:h:1:ab',
		});
	});
});
