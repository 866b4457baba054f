// Once per e2e run: one real server (fresh database, demo seeded) for every browser test file; stopped gracefully at the end.
import fs from 'node:fs/promises'
import type { TestProject } from 'vitest/node'
import { SCREENSHOT_DIR, startServer } from './harness.js'

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
  }
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
      throw new Error(`The server ended during the run (${died}), before teardown. Its output:\n${server.output().slice(-20_000)}`)
    }
    const code = await server.stop()
    // Graceful shutdown is part of what is tested: SIGTERM must end the server by itself, with exit code 0.
    if (code !== 0) {
      throw new Error(`The server did not stop cleanly on SIGTERM (exit code ${code === null ? 'none: killed after 20 s' : code}). Its output:\n${server.output().slice(-20_000)}`)
    }
  }
}
