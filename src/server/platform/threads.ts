// Worker threads that run the server's own TypeScript modules, whatever started this process (npm start, tsx, vitest).
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

/** tsx's ESM API module (its `register`), found through tsx's own export map wherever this process was started from. */
function tsxLoaderApi(): string {
  const require = createRequire(import.meta.url)
  const manifest = require.resolve('tsx/package.json')
  const api = (require(manifest) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!.import.default
  return pathToFileURL(path.join(path.dirname(manifest), api)).href
}

/** Starts a worker thread on a TypeScript module: the thread registers tsx's loader, as `npm start` does, then loads it. */
export function typeScriptWorker(module: URL): Worker {
  const bootstrap = `import(${JSON.stringify(tsxLoaderApi())}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}) })`
  return new Worker(bootstrap, { eval: true })
}
