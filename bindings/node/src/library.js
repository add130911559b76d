// Finding libdinero.so, in the order every binding uses (docs/design.md, "Finding the
// library"):
//
// 1. DINERO_LIBRARY: the full path of the library. When set it is the only candidate: a wrong
//    path is an error rather than a silent fall-back to some other copy.
// 2. The library shipped inside this package (lib/libdinero.so), if a pack put it there.
// 3. In a development checkout only: the repository's target/release/libdinero.so. The
//    repository is the nearest folder above this package that holds include/dinero.h and
//    Cargo.toml; a package installed anywhere else never looks into target/release. The file
//    is skipped when it, or a folder from the repository down to it, is writable by group or
//    others or owned by another user (anyone who could swap it could run code in this process).
// 4. The system loader (libdinero.so.0, then libdinero.so: LD_LIBRARY_PATH, ldconfig's cache,
//    the default folders).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ENV_VAR = 'DINERO_LIBRARY';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const FILE_NAME = process.platform === 'darwin' ? 'libdinero.dylib' : 'libdinero.so';
const SYSTEM_NAMES = process.platform === 'darwin' ? ['libdinero.0.dylib', 'libdinero.dylib']
  : ['libdinero.so.0', 'libdinero.so'];

/** libdinero could not be loaded from any of the places it is looked for. */
export class LibraryNotFoundError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LibraryNotFoundError';
  }
}

/** The paths or names tried, in order (only the environment variable when it is set). */
export function candidates(env = process.env, packageDir = PACKAGE_DIR) {
  const override = env[ENV_VAR];
  if (override) return [override];
  const found = [path.join(packageDir, 'lib', FILE_NAME)];
  const checkout = developmentBuild(packageDir);
  if (checkout !== null) found.push(checkout);
  return [...found, ...SYSTEM_NAMES];
}

/** The checkout's target/release library, if this package lies in a checkout and nobody but
 *  its owner (or root) could have put the library there. */
function developmentBuild(packageDir) {
  for (let root = path.dirname(packageDir); ; root = path.dirname(root)) {
    if (fs.existsSync(path.join(root, 'include', 'dinero.h')) && fs.existsSync(path.join(root, 'Cargo.toml'))) {
      const library = path.join(root, 'target', 'release', FILE_NAME);
      const chain = [root, path.join(root, 'target'), path.dirname(library), library];
      return fs.existsSync(library) && chain.every(trusted) ? library : null;
    }
    if (path.dirname(root) === root) return null;
  }
}

function trusted(file) {
  const info = fs.statSync(file);
  return (info.uid === 0 || info.uid === process.geteuid()) && (info.mode & 0o022) === 0;
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
