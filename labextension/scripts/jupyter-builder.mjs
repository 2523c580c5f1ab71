// Runs the Python `jupyter-builder` CLI for the labextension build scripts without relying on the caller's PATH.
// It is found on PATH (pip's isolated build environment puts it there), else in the project's ../.venv (made by
// scripts/setup.sh), else the build stops with what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const venvBin = resolve(here, '..', '..', '.venv', 'bin');
const onPath = (process.env.PATH || '').split(delimiter).map(dir => join(dir, 'jupyter-builder'));
const found = [...onPath, join(venvBin, 'jupyter-builder')].find(candidate => existsSync(candidate));
if (!found) {
  console.error('error: jupyter-builder (the Python package) is not on PATH and not in ../.venv.');
  console.error('fix: run scripts/setup.sh dev from the repository root, or pip install "jupyter-builder>=1.3".');
  process.exit(2);
}
const env = { ...process.env, PATH: [dirname(found), process.env.PATH || ''].join(delimiter) };
const done = spawnSync(found, process.argv.slice(2), { stdio: 'inherit', env });
process.exit(done.status === null ? 1 : done.status);
