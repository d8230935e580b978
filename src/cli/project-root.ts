// The project's folder, whether this code runs from its TypeScript sources or compiled
// into dist/ (dist/src/config/project-root.js).
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const above = resolve(fileURLToPath(new URL('../../', import.meta.url)));

export const PROJECT_ROOT =
  basename(above) === 'dist' && existsSync(join(dirname(above), 'package.json')) ? dirname(above) : above;
