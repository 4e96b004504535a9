export * from './names.js';
export * from './events.js';
export * from './sanitize.js';
export * from './validate.js';
