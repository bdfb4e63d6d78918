export * from './cn-pboc.js';
