/**
 * Gives every zod schema `.openapi()` (the OpenAPI document is generated from the contracts): each contract module
 * imports this first, so the method exists before its schemas are built (zod copies the prototype's methods onto each
 * schema when it is made). The extension only patches ZodType's prototype; handing it the `zod` namespace object itself
 * would make every function bundle keep all of zod (its locales and JSON-schema code), which the named imports of
 * `import * as z from 'zod'` otherwise leave out.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { ZodType } from 'zod';

extendZodWithOpenApi({ ZodType } as unknown as Parameters<typeof extendZodWithOpenApi>[0]);
