export * from './names.js';
export * from './events.js';
export * from './sanitize.js';
export * from './validate.js';
export * from './limits.js';
export * from './ids.js';
export * from './time.js';
