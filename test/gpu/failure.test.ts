import {describe, expect, test} from 'vitest';
import {backoffMs, classifyFailure, isHung} from '../../src/gpu/failure.js';
import {FULL_GPU_FIELDS, MINIMAL_GPU_FIELDS, gpuQueryArgs, reduceFields} from '../../src/gpu/query-fields.js';
import {scenarioJson} from './fixtures.js';

function fromScenario(name: string) {
	const s = scenarioJson(name);
	return classifyFailure({exitCode: s.exitCode, stdout: s.stdout ?? '', stderr: s.stderr ?? ''});
}

describe('classifyFailure', () => {
	test('recorded failures', () => {
		expect(fromScenario('driver-not-loaded')).toMatchObject({kind: 'driver-not-loaded', reason: 'NVIDIA driver not loaded'});
		const mismatch = fromScenario('version-mismatch');
		expect(mismatch.kind).toBe('version-mismatch');
		expect(mismatch.reason).toContain('NVML 535.161');
		expect(fromScenario('no-gpus').kind).toBe('no-gpus');
	});

	test('version mismatch is recognised by text on stdout even with another exit code', () => {
		expect(classifyFailure({exitCode: 255, stdout: 'Failed to initialize NVML: Driver/library version mismatch', stderr: ''}).kind).toBe('version-mismatch');
		expect(classifyFailure({exitCode: 18, stdout: '', stderr: ''}).kind).toBe('version-mismatch');
	});

	test('exit codes without text', () => {
		expect(classifyFailure({exitCode: 9, stdout: '', stderr: ''}).kind).toBe('driver-not-loaded');
		expect(classifyFailure({exitCode: 255, stdout: '', stderr: ''}).kind).toBe('no-gpus');
		expect(classifyFailure({exitCode: 4, stdout: '', stderr: ''}).kind).toBe('permission');
		expect(classifyFailure({exitCode: 15, stdout: '', stderr: ''}).kind).toBe('gpu-lost');
		expect(classifyFailure({exitCode: 12, stdout: '', stderr: ''}).kind).toBe('nvml-missing');
		expect(classifyFailure({exitCode: 3, stdout: 'Something odd\n', stderr: ''})).toEqual({kind: 'error', reason: 'nvidia-smi exited 3: Something odd'});
		expect(classifyFailure({signal: 'SIGSEGV', stdout: '', stderr: ''}).reason).toContain('SIGSEGV');
	});

	test('unknown field names the field', () => {
		const f = classifyFailure({exitCode: 2, stdout: 'Field "clocks_throttle_reasons.unknown" is not a valid field to query.\n', stderr: ''});
		expect(f).toMatchObject({kind: 'bad-field', field: 'clocks_throttle_reasons.unknown'});
	});

	test('spawn errors and timeouts', () => {
		expect(classifyFailure({spawnErrorCode: 'ENOENT', stdout: '', stderr: '', bin: '/opt/x/nvidia-smi'}).reason).toContain('/opt/x/nvidia-smi not found');
		expect(classifyFailure({spawnErrorCode: 'EACCES', stdout: '', stderr: ''}).kind).toBe('not-executable');
		expect(classifyFailure({timedOut: true, timeoutMs: 3000, stdout: '', stderr: ''})).toMatchObject({kind: 'hung', reason: 'nvidia-smi did not answer within 3000 ms'});
	});
});

test('backoff doubles and caps', () => {
	expect([0, 1, 2, 3, 10].map((a) => backoffMs(a))).toEqual([1000, 2000, 4000, 8000, 60_000]);
	expect(backoffMs(2, 100, 300)).toBe(300);
});

test('isHung: three intervals without a frame, counted from the last frame or the start', () => {
	expect(isHung(10_000, 7_500, 0, 1000)).toBe(false);
	expect(isHung(10_000, 6_900, 0, 1000)).toBe(true);
	expect(isHung(10_000, undefined, 8_000, 1000)).toBe(false);
	expect(isHung(10_000, 1_000, 9_000, 1000)).toBe(false);
	expect(isHung(10_000, 1_000, 6_000, 1000)).toBe(true);
	// Before the stream's first frame, the start-up grace applies.
	expect(isHung(10_000, 1_000, 6_000, 1000, 3, 5000)).toBe(false);
	expect(isHung(12_000, 1_000, 6_000, 1000, 3, 5000)).toBe(true);
	expect(isHung(10_000, 9_000, 6_000, 1000, 3, 5000)).toBe(false);
});

describe('field sets', () => {
	test('a named unknown field is dropped; a required one cannot be', () => {
		expect(reduceFields(FULL_GPU_FIELDS, 'mig.mode.current')).toEqual(FULL_GPU_FIELDS.filter((f) => f !== 'mig.mode.current'));
		expect(reduceFields(FULL_GPU_FIELDS, 'uuid')).toBeUndefined();
	});

	test('an unnamed rejection falls back to the minimal set once, then gives up', () => {
		expect(reduceFields(FULL_GPU_FIELDS, undefined)).toEqual(MINIMAL_GPU_FIELDS);
		expect(reduceFields(MINIMAL_GPU_FIELDS, undefined)).toBeUndefined();
	});

	test('name is last; query args carry -lms and --id', () => {
		expect(FULL_GPU_FIELDS[FULL_GPU_FIELDS.length - 1]).toBe('name');
		expect(MINIMAL_GPU_FIELDS[MINIMAL_GPU_FIELDS.length - 1]).toBe('name');
		expect(gpuQueryArgs(['index', 'name'], [0, 3], 500)).toEqual(['--query-gpu=index,name', '--format=csv,noheader,nounits', '--id=0,3', '-lms', '500']);
		expect(gpuQueryArgs(['index'], undefined)).toEqual(['--query-gpu=index', '--format=csv,noheader,nounits']);
	});
});
