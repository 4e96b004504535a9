/** The built-in rules: they live in builtin/ by area (training, gpu, tasks, agents, system); this is their entry point. */
export {BUILTIN_NAMES, BUILTIN_RULES, builtinRule, defaultRules, TRAINING_STALE_MS} from './builtin/index.js';
