/** The manifest loader's public API (see load.ts). */
export * from './load';
