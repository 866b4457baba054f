// The monthly publication job (考核通报自动发布): the previous month's rankings are published by themselves once the
// district's publication day has come, by one of any number of processes, with the system as the publisher.
import type { FastifyBaseLogger } from 'fastify'
import type { EvaluationService } from './service.js'

export const PUBLISH_JOB = 'evaluation.publish'
/** Every 10 minutes: the month is published within minutes of midnight on its day; the other rounds find it published. */
export const PUBLISH_EVERY_MS = 10 * 60_000

/** The handler Jobs.register takes: `jobs.register(PUBLISH_JOB, publishJob(evaluation, log), PUBLISH_EVERY_MS)`. */
export function publishJob(evaluation: EvaluationService, log: FastifyBaseLogger): () => Promise<void> {
  return async () => {
    const published = await evaluation.publishDue()
    if (published) log.info({ period: published }, 'evaluation period published automatically')
  }
}
