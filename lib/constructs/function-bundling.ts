import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { OPENAPI_DOCUMENT_FILE } from '../../shared/http/openapi-file.js';

/**
 * How every function is bundled, in one place: the stack (PointsMallFunction) builds with `cdkBundling()`,
 * `npm run bench:cold-start` with `esbuildOptions()`, so the benchmark measures what is deployed.
 *
 * - The AWS SDK is bundled, minified and tree-shaken with the code, not left to the runtime's copy: a function
 *   loads the few SDK modules it uses from one file instead of resolving the full packages from
 *   /var/runtime/node_modules at every cold start (docs/benchmarks.md has both figures).
 * - Source maps are written beside each bundle (`index.mjs.map` in the deployed code) but not loaded:
 *   `--enable-source-maps` makes every error path pay for decoding them, including each 409 of a sold-out sale.
 *   A stack trace is mapped when it is read (docs/operations.md, "Reading a stack trace").
 */
export const functionBundling = {
  format: 'esm',
  target: 'node22',
  platform: 'node',
  minify: true,
  sourcemap: true,
  // Stack traces need the mappings, not a copy of every source file.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  /** Nothing is left to the runtime: see above. */
  external: [] as string[],
  // Lets CommonJS dependencies call require() inside the ESM bundle.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} as const;

export interface CdkBundlingProps {
  /**
   * Writes the OpenAPI document beside the bundle (the function that serves it: shared/http/openapi-file.ts), generated
   * from the contracts of the code being deployed.
   */
  readonly withOpenApiDocument?: boolean;
}

/** The bundling options of NodejsFunction. `externalModules: []` matters: CDK otherwise leaves `@aws-sdk/*` out. */
export function cdkBundling(props: CdkBundlingProps = {}): BundlingOptions {
  return {
    ...(props.withOpenApiDocument
      ? {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (inputDir: string, outputDir: string) => [
              `cd "${inputDir}" && npx tsx bin/write-openapi.ts "${outputDir}/${OPENAPI_DOCUMENT_FILE}"`,
            ],
          },
        }
      : {}),
    format: OutputFormat.ESM,
    target: functionBundling.target,
    minify: functionBundling.minify,
    sourceMap: functionBundling.sourcemap,
    sourcesContent: functionBundling.sourcesContent,
    mainFields: [...functionBundling.mainFields],
    externalModules: [...functionBundling.external],
    banner: functionBundling.banner,
  };
}

/** The same options for esbuild's JS API (what CDK passes on its command line, plus `bundle`). */
export function esbuildOptions(overrides: { external?: readonly string[] } = {}) {
  return {
    bundle: true,
    format: functionBundling.format,
    target: functionBundling.target,
    platform: functionBundling.platform,
    minify: functionBundling.minify,
    sourcemap: functionBundling.sourcemap,
    sourcesContent: functionBundling.sourcesContent,
    mainFields: [...functionBundling.mainFields],
    external: [...(overrides.external ?? functionBundling.external)],
    banner: { js: functionBundling.banner },
  };
}
