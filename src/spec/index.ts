export * from './json-schema.js';
export * from './tool.js';
export * from './domain.js';
export * from './task.js';
export * from './plan.js';
export * from './trajectory.js';
export * from './queue.js';
export * from './verification.js';
