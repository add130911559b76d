// `npm pack` hook: ships libdinero.so inside the package (lib/), so that the packed package
// works with no DINERO_LIBRARY. DINERO_BUNDLE_LIBRARY: unset = the repository's
// target/release/libdinero.so if it exists; "0" = ship none; a path = ship that file.
// `--remove` (postpack) deletes the copy again, so the working tree keeps finding the
// repository's own build. It also ships the licence files, and the third-party notices found
// beside the library (make dist writes them there).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const name = process.platform === 'darwin' ? 'libdinero.dylib' : process.platform === 'win32' ? 'dinero.dll' : 'libdinero.so';
const target = path.join(packageDir, 'lib', name);

// The licences, and the notices of the crates built into the library, go with it.
const repository = path.resolve(packageDir, '..', '..');
const licences = ['LICENSE-MIT', 'LICENSE-APACHE'].map((name) => [path.join(repository, name), path.join(packageDir, name)]);
const notices = path.join(packageDir, 'lib', 'LICENSE-THIRD-PARTY');

if (process.argv.includes('--remove')) {
  for (const file of [target, notices, ...licences.map(([, copy]) => copy)]) fs.rmSync(file, { force: true });
} else {
  // Outside a checkout (packing an unpacked tarball again) the package holds them already.
  for (const [source, copy] of licences) if (fs.existsSync(source)) fs.copyFileSync(source, copy);
  const choice = process.env.DINERO_BUNDLE_LIBRARY ?? '';
  const source = choice === '0' ? null
    : choice || path.resolve(packageDir, '..', '..', 'target', 'release', name);
  if (source !== null && fs.existsSync(source)) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(source, target);
    console.log(`bundled ${source} as lib/${name}`);
    const sourceNotices = path.join(path.dirname(source), 'LICENSE-THIRD-PARTY');
    if (fs.existsSync(sourceNotices)) fs.copyFileSync(sourceNotices, notices);
  } else if (choice && choice !== '0') {
    console.error(`DINERO_BUNDLE_LIBRARY=${choice}: no such file`);
    process.exit(1);
  }
}
