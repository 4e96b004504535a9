/** The built-in rules: they live in builtin/ by area (training, gpu, tasks, agents, system); this is their entry point. */
export {
	BUILTIN_NAMES,
	BUILTIN_RULES,
	builtinRule,
	CONVERGENCE,
	CORRELATION,
	defaultRules,
	errorRatio,
	HIGH_LOSS,
	LEAK,
	PLATEAU,
	SLA_BURN,
	SPIKE,
	TRAINING_STALE_MS,
	type BuiltinEntry,
} from './builtin/index.js';
