/**
 * zod for everything a function loads: `zod/mini`, whose schemas are plain functions esbuild can drop when unused
 * (classic zod's schema classes carry every method, ~95 KB in each bundle). Import it as `import * as z from '.../zod.js'`.
 *
 * Classic zod registers its English messages when its first schema is built; zod/mini registers none (every issue
 * would read "Invalid input"). Clients and tests rely on the English messages, so they are configured here, once,
 * before any module that validates can build a schema: every such module imports zod through this file.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
