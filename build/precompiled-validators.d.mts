// Types of build/precompiled-validators.mjs, for the benchmarks and tests that bundle as esbuild.mjs does.
import type { Plugin } from 'esbuild';

/** The esbuild plugin that replaces src/schema/ajv-validators.ts with validators ajv precompiled at build time. */
export declare function precompiledValidators(): Plugin;
