/**
 * Types for altcha-lib 2.8: its package.json names a `types` file it does not
 * ship (./dist/index.d.ts) and keeps the real ones behind an `exports` map,
 * which this project's `moduleResolution: node` does not read. Node and
 * esbuild resolve the code through `exports`; these point TypeScript at the
 * same files' declarations.
 */
declare module 'altcha-lib' {
  export * from 'altcha-lib/dist/cjs/v2/index.js';
}
declare module 'altcha-lib/algorithms/sha' {
  export * from 'altcha-lib/dist/cjs/v2/algorithms/sha.js';
}
