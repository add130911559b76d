// Finding libdinero.so (the same order as every binding, DESIGN.md):
//
// 1. DINERO_LIBRARY: the full path of the library. When set it is the only candidate: a wrong
//    path is an error rather than a silent fall-back to some other copy.
// 2. The library shipped inside this package (lib/libdinero.so), if a pack put it there.
// 3. The repository's target/release: the first ancestor folder of this package that has
//    target/release/libdinero.so (a package used from, or installed out of, the repository).
// 4. The system loader (libdinero.so.0, then libdinero.so: LD_LIBRARY_PATH, ldconfig's cache,
//    the default folders).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ENV_VAR = 'DINERO_LIBRARY';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const FILE_NAMES = process.platform === 'darwin' ? ['libdinero.dylib']
  : process.platform === 'win32' ? ['dinero.dll'] : ['libdinero.so'];
const SYSTEM_NAMES = process.platform === 'darwin' ? ['libdinero.0.dylib', 'libdinero.dylib']
  : process.platform === 'win32' ? ['dinero.dll'] : ['libdinero.so.0', 'libdinero.so'];

/** libdinero could not be loaded from any of the places it is looked for. */
export class LibraryNotFoundError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LibraryNotFoundError';
  }
}

/** The paths or names tried, in order (only the environment variable when it is set). */
export function candidates(env = process.env) {
  const override = env[ENV_VAR];
  if (override) return [override];
  const found = FILE_NAMES.map((name) => path.join(PACKAGE_DIR, 'lib', name));
  search: for (let dir = path.dirname(PACKAGE_DIR); ; dir = path.dirname(dir)) {
    for (const name of FILE_NAMES) {
      const candidate = path.join(dir, 'target', 'release', name);
      if (fs.existsSync(candidate)) {
        found.push(candidate);
        break search;
      }
    }
    if (path.dirname(dir) === dir) break;
  }
  found.push(...SYSTEM_NAMES);
  return found;
}

/**
 * Tries `load(name)` on each candidate and returns the first success as {path, value}.
 * Throws LibraryNotFoundError listing what was tried.
 */
export function loadFirst(load, env = process.env) {
  const errors = [];
  for (const name of candidates(env)) {
    const isPath = name.includes(path.sep);
    if (isPath && !fs.existsSync(name)) {
      errors.push(`${name}: no such file`);
      continue;
    }
    try {
      return { path: name, value: load(name) };
    } catch (error) {
      errors.push(`${name}: ${error.message}`);
    }
  }
  const hint = env[ENV_VAR]
    ? `${ENV_VAR} is set: point it at an existing libdinero`
    : `build it (\`make build\`) or set ${ENV_VAR} to its full path`;
  throw new LibraryNotFoundError(`cannot load libdinero (${hint}); tried: ${errors.join('; ')}`);
}
