/**
A GPU's rule labels (labels.ts gpuLabels): one frozen set per GPU while its index stays, so the per-second samples of
every GPU rule share it and its text, instead of a new label set, text and host copy per rule, GPU and tick.
*/
import {describe, expect, it} from 'vitest';
import {alertId, gpuLabels, labelsText} from '../../src/rules/labels.js';

describe('gpuLabels', () => {
	it('is one frozen set per GPU, with the text and alert id a plain set of the same labels has', () => {
		const a = gpuLabels(3, 'GPU-11111111-2222');
		expect(gpuLabels(3, 'GPU-11111111-2222')).toBe(a);
		expect(Object.isFrozen(a)).toBe(true);
		expect(a).toEqual({gpu: '3', uuid: 'GPU-11111111-2222'});
		const plain = {uuid: 'GPU-11111111-2222', gpu: '3'};
		expect(labelsText(a)).toBe(labelsText(plain));
		expect(labelsText(a)).toBe('gpu="3",uuid="GPU-11111111-2222"');
		expect(alertId('high_temperature', a)).toBe(alertId('high_temperature', plain));
	});

	it('a GPU whose index changed gets a new set with its new text', () => {
		const before = gpuLabels(0, 'GPU-aaaa-renumbered');
		const after = gpuLabels(1, 'GPU-aaaa-renumbered');
		expect(after).not.toBe(before);
		expect(labelsText(after)).toBe('gpu="1",uuid="GPU-aaaa-renumbered"');
		expect(labelsText(before)).toBe('gpu="0",uuid="GPU-aaaa-renumbered"');
	});

	it('stays right past its bound (a churn of UUIDs)', () => {
		const first = gpuLabels(0, 'GPU-churn-0');
		for (let i = 1; i < 3000; i++) gpuLabels(i % 8, `GPU-churn-${i}`);
		expect(labelsText(first)).toBe('gpu="0",uuid="GPU-churn-0"');
		expect(labelsText(gpuLabels(0, 'GPU-churn-0'))).toBe('gpu="0",uuid="GPU-churn-0"');
	});
});
