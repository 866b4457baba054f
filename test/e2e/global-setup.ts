// Once per e2e run: one real server (fresh database, demo seeded) for every browser test file; stopped gracefully at the end.
import fs from 'node:fs/promises'
import type { TestProject } from 'vitest/node'
import { SCREENSHOT_DIR, startServer } from './harness.js'

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
  }
}

/** Vitest 4 only logs an error thrown by a global teardown ("error during close") and still exits 0: set the code too. */
function failRun(message: string): never {
  process.exitCode = 1
  throw new Error(message)
}

export default async function setup(project: TestProject) {
  await fs.rm(SCREENSHOT_DIR, { recursive: true, force: true })
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true })
  const started = Date.now()
  const server = await startServer()
  console.log(`e2e: server ready at ${server.baseUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  project.provide('baseUrl', server.baseUrl)
  return async () => {
    const died = server.diedEarly()
    if (died) {
      await server.stop()
      failRun(`The server ended during the run (${died}), before teardown. Its output:\n${server.output().slice(-20_000)}`)
    }
    const stopping = Date.now()
    const code = await server.stop()
    // Graceful shutdown is part of what is tested: SIGTERM must end the server by itself, with exit code 0.
    if (code !== 0) {
      failRun(`The server did not stop cleanly on SIGTERM (exit code ${code === null ? 'none: killed after 20 s' : code}). Its output:\n${server.output().slice(-20_000)}`)
    }
    console.log(`e2e: server stopped on SIGTERM with exit code 0 in ${((Date.now() - stopping) / 1000).toFixed(1)} s`)
  }
}
