/**
`mycotop rules test FILE`: unit tests for rules in the manner of `promtool test rules`. Input series in expanding
notation, expected alerts at given times; everything runs in accelerated time through the same engine.

  rule_files: [my-rules.yaml]        # optional: config files (with a rules: section) or bare rule lists
  rules: [...]                       # optional: inline rules, as in the config
  evaluation_interval: 1s            # default 1s
  stale_after: 15s                   # GPU series without a sample this long are stale (default max(15s, 2 intervals))
  tests:
    - name: hot GPU
      interval: 1s                   # spacing of input samples (default: evaluation_interval)
      input_series:
        - series: gpu_temperature_celsius{gpu="0"}
          values: 70+1x30
      alert_rule_test:
        - eval_time: 30s
          alertname: high_temperature
          exp_alerts:                # empty or absent: nothing may be firing
            - exp_labels: {gpu: "0"} # must be contained in the alert's labels
              exp_severity: critical # optional (ours)
              exp_state: firing      # optional: pending | firing | nodata (ours; promtool checks firing only)
              exp_message: ...       # optional: exact rendered message
*/
import {dirname, resolve} from 'node:path';
import {lineOf} from '../config/config.js';
import {readYamlFile, type YamlProblem} from '../config/yaml-file.js';
import {parseDuration} from './duration.js';
import {parseSelector, selectorLabels} from './labels.js';
import {RuleEngine} from './engine.js';
import {expandSeries} from './series-notation.js';
import {compileRules, ruleCountProblem, validateRules} from './user-rules.js';
import {SeriesWorld, WORLD_SERIES, type WorldSeriesName} from './world.js';

export interface RuleTestResult {
	readonly ok: boolean;
	/** Problems with the test file itself (file:line: field: message). */
	readonly errors: readonly string[];
	readonly groups: ReadonlyArray<{readonly name: string; readonly failures: readonly string[]; readonly checks: number}>;
	/** A limit refused the file or a rule file it names (size, aliases, nesting, rule count): exit 2. */
	readonly refused?: boolean;
}

/** `file:line: (file|yaml): problem`, the shape of every other message about a file. */
function yamlProblemText(file: string, p: YamlProblem): string {
	return `${file}:${p.line}: ${p.refused || p.line === 0 ? '(file)' : '(yaml)'}: ${p.message}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
Rules from a file: a config (mapping with `rules:`) or a bare list. Returns the list or errors with lines;
`refused` when a limit refused the file (yaml-file.ts's caps, more than MAX_RULES rules): exit 2, not 1.
*/
export function loadRuleList(path: string): {rules: unknown[]; errors: string[]; refused?: boolean} {
	const loaded = readYamlFile(path);
	if (!loaded.ok) return {rules: [], errors: loaded.problems.map((p) => yamlProblemText(path, p)), refused: loaded.problems.some((p) => p.refused)};
	const {doc, counter} = loaded;
	const raw: unknown = loaded.value;
	let list: unknown;
	let prefix: Array<string | number> = [];
	if (Array.isArray(raw)) list = raw;
	else if (isRecord(raw) && Array.isArray(raw['rules'])) {
		list = raw['rules'];
		prefix = ['rules'];
	} else return {rules: [], errors: [`${path}:1: (root): expected a list of rules or a mapping with a "rules:" list`]};
	const rules = list as unknown[];
	const tooMany = ruleCountProblem(rules);
	if (tooMany !== undefined) return {rules: [], errors: [`${path}:${lineOf(doc, counter, prefix)}: rules: ${tooMany}`], refused: true};
	const errors = validateRules(rules).map(([path_, message]) => {
		const full = [...prefix, ...path_];
		return `${path}:${lineOf(doc, counter, full)}: ${['rules', ...path_].join('.')}: ${message}`;
	});
	return {rules, errors};
}

export function runRuleTests(file: string, options: {readonly run?: RegExp} = {}): RuleTestResult {
	const errors: string[] = [];
	const loaded = readYamlFile(file);
	if (!loaded.ok) return {ok: false, errors: loaded.problems.map((p) => yamlProblemText(file, p)), groups: [], refused: loaded.problems.some((p) => p.refused)};
	const {doc, counter} = loaded;
	const raw: unknown = loaded.value;
	const where = (path: Array<string | number>) => `${file}:${lineOf(doc, counter, path)}: ${path.join('.') || '(root)'}`;
	if (!isRecord(raw)) return {ok: false, errors: [`${where([])}: expected a mapping with tests:`], groups: []};

	const ruleList: unknown[] = [];
	let refused = false;
	const files = raw['rule_files'] ?? [];
	if (!Array.isArray(files)) errors.push(`${where(['rule_files'])}: expected a list of files`);
	else
		for (const f of files) {
			const loaded = loadRuleList(resolve(dirname(file), String(f)));
			errors.push(...loaded.errors);
			ruleList.push(...loaded.rules);
			if (loaded.refused === true) refused = true;
		}
	if (raw['rules'] !== undefined) {
		if (!Array.isArray(raw['rules'])) errors.push(`${where(['rules'])}: expected a list of rules`);
		else {
			for (const [path, message] of validateRules(raw['rules'])) errors.push(`${where(['rules', ...path])}: ${message}`);
			ruleList.push(...raw['rules']);
		}
	}
	// The cap holds for the rules a test loads in all, from every file it names.
	const tooMany = ruleCountProblem(ruleList);
	if (tooMany !== undefined) {
		// A `rules:` list over the cap by itself was reported by validateRules already.
		if (!Array.isArray(raw['rules']) || ruleCountProblem(raw['rules']) === undefined) errors.push(`${where(['rule_files'])}: ${tooMany}`);
		refused = true;
	}
	if (refused) return {ok: false, errors, groups: [], refused};
	const evalMs = raw['evaluation_interval'] === undefined ? 1000 : parseDuration(String(raw['evaluation_interval']));
	if (evalMs === undefined || evalMs <= 0) errors.push(`${where(['evaluation_interval'])}: expected a duration`);
	const staleAfter = raw['stale_after'] === undefined ? undefined : parseDuration(String(raw['stale_after']));
	const tests = raw['tests'];
	if (!Array.isArray(tests)) errors.push(`${where(['tests'])}: expected a list of tests`);
	if (errors.length > 0 || !Array.isArray(tests) || evalMs === undefined) return {ok: false, errors, groups: []};

	const groups: Array<{name: string; failures: string[]; checks: number}> = [];
	tests.forEach((test: unknown, ti: number) => {
		const name = isRecord(test) && typeof test['name'] === 'string' ? test['name'] : `test ${ti + 1}`;
		if (options.run && !options.run.test(name)) return;
		const failures: string[] = [];
		const group = {name, failures, checks: 0};
		groups.push(group);
		if (!isRecord(test)) {
			failures.push(`${where(['tests', ti])}: expected a mapping`);
			return;
		}
		const interval = test['interval'] === undefined ? evalMs : parseDuration(String(test['interval']));
		if (interval === undefined || interval <= 0) {
			failures.push(`${where(['tests', ti, 'interval'])}: expected a duration`);
			return;
		}
		const world = new SeriesWorld();
		const inputs = Array.isArray(test['input_series']) ? test['input_series'] : [];
		inputs.forEach((input: unknown, si: number) => {
			const path = ['tests', ti, 'input_series', si];
			if (!isRecord(input) || typeof input['series'] !== 'string' || (typeof input['values'] !== 'string' && typeof input['values'] !== 'number')) {
				failures.push(`${where(path)}: expected series: and values:`);
				return;
			}
			const sel = parseSelector(input['series']);
			const labels = typeof sel === 'string' ? undefined : selectorLabels(sel.matchers);
			if (typeof sel === 'string' || labels === undefined) {
				failures.push(`${where([...path, 'series'])}: ${typeof sel === 'string' ? sel : 'input series take label="value" pairs only'}`);
				return;
			}
			if (!(WORLD_SERIES as readonly string[]).includes(sel.metric)) {
				failures.push(`${where([...path, 'series'])}: unknown input series "${sel.metric}" (expected one of: ${WORLD_SERIES.join(', ')})`);
				return;
			}
			const values = expandSeries(String(input['values']));
			if (typeof values === 'string') {
				failures.push(`${where([...path, 'values'])}: ${values}`);
				return;
			}
			values.forEach((v, i) => {
				if (v !== null) world.add(sel.metric as WorldSeriesName, labels, i * interval, v);
			});
		});
		const checks = Array.isArray(test['alert_rule_test']) ? (test['alert_rule_test'] as unknown[]) : [];
		const parsedChecks = checks.flatMap((c, ci) => {
			const path = ['tests', ti, 'alert_rule_test', ci];
			const at = isRecord(c) ? parseDuration(String(c['eval_time'])) : undefined;
			if (!isRecord(c) || at === undefined || typeof c['alertname'] !== 'string') {
				failures.push(`${where(path)}: expected eval_time: and alertname:`);
				return [];
			}
			return [{at, alertname: c['alertname'], expected: Array.isArray(c['exp_alerts']) ? (c['exp_alerts'] as unknown[]) : [], path}];
		});
		if (failures.length > 0) return;
		const engine = new RuleEngine(compileRules(ruleList), {staleAfterMs: staleAfter ?? Math.max(15_000, 2 * interval)});
		const end = Math.max(0, ...parsedChecks.map((c) => c.at));
		let nextCheck = 0;
		const sorted = [...parsedChecks].sort((a, b) => a.at - b.at);
		for (let ts = 0; ts <= end; ts += evalMs) {
			world.advance(ts);
			engine.evaluate(world.input(ts));
			while (nextCheck < sorted.length && sorted[nextCheck]!.at < ts + evalMs) {
				const check = sorted[nextCheck++]!;
				group.checks += 1;
				failures.push(...compareAlerts(engine, check, where, ts));
			}
		}
	});
	return {ok: errors.length === 0 && groups.every((g) => g.failures.length === 0), errors, groups};
}

function compareAlerts(
	engine: RuleEngine,
	check: {at: number; alertname: string; expected: unknown[]; path: Array<string | number>},
	where: (path: Array<string | number>) => string,
	ts: number,
): string[] {
	const states = new Set<string>(['firing']);
	for (const e of check.expected) if (isRecord(e) && typeof e['exp_state'] === 'string') states.add(e['exp_state']);
	const actual = engine
		.instances()
		.filter((i) => i.rule.name === check.alertname)
		.map((i) => ({state: i.state.phase === 'recovering' ? 'firing' : i.state.phase, labels: i.state.labels, severity: i.state.severity, message: i.state.message}))
		.filter((a) => states.has(a.state));
	const unmatched = [...actual];
	const failures: string[] = [];
	check.expected.forEach((e, ei) => {
		if (!isRecord(e)) return;
		const labels = isRecord(e['exp_labels']) ? (e['exp_labels'] as Record<string, unknown>) : {};
		const state = typeof e['exp_state'] === 'string' ? e['exp_state'] : 'firing';
		const i = unmatched.findIndex(
			(a) =>
				a.state === state &&
				Object.entries(labels).every(([k, v]) => a.labels[k] === String(v)) &&
				(e['exp_severity'] === undefined || a.severity === e['exp_severity']) &&
				(e['exp_message'] === undefined || a.message === e['exp_message']),
		);
		if (i < 0) failures.push(`${where([...check.path, 'exp_alerts', ei])}: at ${check.at / 1000}s ${check.alertname}: expected ${state} ${JSON.stringify(labels)}${e['exp_severity'] ? ` ${String(e['exp_severity'])}` : ''}, got ${describe(actual)}`);
		else unmatched.splice(i, 1);
	});
	for (const a of unmatched) failures.push(`${where(check.path)}: at ${check.at / 1000}s ${check.alertname}: unexpected ${a.state} ${a.severity} ${JSON.stringify(a.labels)} (evaluated at ${ts / 1000}s)`);
	return failures;
}

function describe(actual: ReadonlyArray<{state: string; labels: Readonly<Record<string, string>>; severity: string}>): string {
	return actual.length === 0 ? 'nothing' : actual.map((a) => `${a.state} ${a.severity} ${JSON.stringify(a.labels)}`).join('; ');
}
