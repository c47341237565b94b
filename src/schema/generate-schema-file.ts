// `npm run schema:generate`: writes schemas/configuration.schema.json from the field table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { configurationSchemaText } from './json-schema';

/** Where the shipped schema lives, relative to the repository root. */
export const SCHEMA_FILE = 'schemas/configuration.schema.json';

const target = resolve(__dirname, '..', '..', SCHEMA_FILE);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, configurationSchemaText());
console.log(`wrote ${SCHEMA_FILE}`);
