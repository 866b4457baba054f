// The services of one process, wired once: main.ts and the tests both build them here.
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.js'
import type { Broker } from './platform/broker.js'
import type { Db } from './platform/db/engine.js'
import { EventBus } from './platform/events.js'
import { AUDIT_SEAL_EVERY_MS, AUDIT_SEAL_JOB, sealAudit } from './platform/audit.js'
import { Jobs } from './platform/jobs.js'
import { createMetrics, type Metrics } from './platform/metrics.js'
import { createFileStorage } from './platform/files/storage.js'
import { DistrictCalendar } from './modules/cases/calendar-settings.js'
import { DispatchMatrix } from './modules/cases/matrix-service.js'
import { OVERDUE_EVERY_MS, OVERDUE_JOB, overdueJob } from './modules/cases/overdue.js'
import { CaseService } from './modules/cases/service.js'
import { PUBLISH_EVERY_MS, PUBLISH_JOB, publishJob } from './modules/evaluation/publication.js'
import { EvaluationService } from './modules/evaluation/service.js'
import { FileService } from './modules/files/service.js'
import { CitizenService } from './modules/citizen/service.js'
import { CitizenNotifier } from './modules/citizen/notify.js'
import { Deliveries } from './platform/notify/deliveries.js'
import { LogSms, type SmsMessage, type SmsSender, smsFromConfig } from './platform/notify/sms.js'
import { Open311Keys } from './modules/open311/keys.js'
import { Open311Service } from './modules/open311/service.js'
import { NotificationService } from './modules/notifications/service.js'
import { IdentityService } from './modules/identity/service.js'
import { GridService } from './modules/org/grid.js'
import { OrgService } from './modules/org/service.js'
import { DeviceRegistry } from './modules/iot/registry.js'
import { TelemetryIngest } from './modules/iot/ingest/pipeline.js'
import { AlarmService } from './modules/iot/rules/alarms.js'
import { OFFLINE_EVERY_MS, OFFLINE_JOB, offlineJob } from './modules/iot/rules/offline.js'
import { AnalyticsService, HOTSPOTS_REFRESH_EVERY_MS, HOTSPOTS_REFRESH_JOB } from './modules/analytics/service.js'

export interface Context {
  config: Config
  db: Db
  log: FastifyBaseLogger
  events: EventBus
  jobs: Jobs
  metrics: Metrics
  org: OrgService
  grid: GridService
  identity: IdentityService
  cases: CaseService
  matrix: DispatchMatrix
  files: FileService
  calendar: DistrictCalendar
  notifications: NotificationService
  citizen: CitizenService
  sms: SmsSender
  /** SMS and webhooks through the jobs table (retried, survive a restart). */
  deliveries: Deliveries
  open311: Open311Service
  devices: DeviceRegistry
  /** Device messages from the brokers and the HTTP device API: checked, written in batches, handed to the rules. */
  telemetry: TelemetryIngest
  /** IoT rules and alarms: every accepted reading goes through `alarms.handle`. */
  alarms: AlarmService
  /** Comprehensive evaluation (综合考核): rankings, published periods. */
  evaluation: EvaluationService
  /** The city management brain (城管大脑): summaries, trends, hot spots, forecasts over the cases. */
  analytics: AnalyticsService
  broker: Broker | undefined
}

const TELEMETRY_PARTITIONS_JOB = 'iot.partitions'

/** The text messages the log adapter kept (the demo and tests read one-time codes there); none with a gateway. */
export function smsSent(context: Pick<Context, 'sms'>): SmsMessage[] {
  return context.sms instanceof LogSms ? context.sms.recent() : []
}

export async function createContext(config: Config, db: Db, log: FastifyBaseLogger): Promise<Context> {
  const events = new EventBus(db)
  await events.start()
  const org = new OrgService(db, events)
  const grid = new GridService(db, events, org)
  const identity = new IdentityService(db, events, org, {
    ttlMinutes: config.sessionTtlMinutes,
    idleMinutes: config.sessionIdleMinutes,
    minLength: config.passwordMinLength,
    lockoutThreshold: config.lockoutThreshold,
    lockoutMinutes: config.lockoutMinutes,
  })
  const jobs = new Jobs(db, log)
  jobs.register(AUDIT_SEAL_JOB, async () => void (await sealAudit(db.kysely)), AUDIT_SEAL_EVERY_MS)
  jobs.register('jobs.purge', async () => void (await jobs.purgeDone()), 3600_000)
  jobs.register('sessions.purge', async () => void (await identity.sessions.purgeExpired()), 3600_000)
  jobs.register('grid.revision-check', () => grid.checkRevision(), 60_000)
  jobs.register(OVERDUE_JOB, overdueJob(db, events), OVERDUE_EVERY_MS)
  const matrix = new DispatchMatrix(db, events, org)
  const calendar = new DistrictCalendar(db, events)
  const cases = new CaseService(db, events, org, grid, calendar, matrix, { metres: config.duplicateMetres, hours: config.duplicateHours })
  // an in-memory database (tests) keeps its files in memory too: both go with the process
  const files = new FileService(db, createFileStorage({ dataDir: db.location === 'memory' ? undefined : config.dataDir }), { maxPhotoBytes: config.maxPhotoMb * 1024 * 1024 })
  const sms = smsFromConfig(config, log)
  // a webhook's address and secret are read when it is sent: a key revoked meanwhile gets nothing
  const deliveries = new Deliveries(jobs, sms, async (keyId) => {
    const key = await db.kysely.selectFrom('open311_keys').select(['webhook_url', 'webhook_secret']).where('id', '=', keyId).where('revoked_at', 'is', null).executeTakeFirst()
    return key?.webhook_url && key.webhook_secret ? { url: key.webhook_url, secret: key.webhook_secret } : undefined
  }, log)
  deliveries.register()
  // one-time codes go at once (the citizen is waiting and may ask again); the rest through the jobs table
  const citizen = new CitizenService(db, cases, files, {
    now: (to, text) => sms.send({ to, text }),
    queue: async (to, text) => void (await deliveries.sms(to, text)),
  })
  new CitizenNotifier(db, jobs, cases, { sms: async (to, text) => void (await deliveries.sms(to, text)), webhook: async (id, type, body) => void (await deliveries.webhook(id, type, body)) }, log).register(events)
  const metrics = createMetrics()
  const devices = new DeviceRegistry(db, events, { grid, org })
  const telemetry = new TelemetryIngest(db, events, { retentionDays: config.telemetryRetentionDays }, metrics.registry)
  await telemetry.start()
  const alarms = new AlarmService(db, events, cases, log)
  jobs.register(OFFLINE_JOB, offlineJob(db, events, alarms), OFFLINE_EVERY_MS)
  // every accepted reading goes to the rules at once, before its write commits
  telemetry.onReading((reading) => alarms.handle(reading))
  jobs.register(TELEMETRY_PARTITIONS_JOB, async () => {
    await telemetry.partitions.ensureAhead()
    const dropped = await telemetry.partitions.dropOlderThan(config.telemetryRetentionDays)
    if (dropped.length) log.info({ dropped }, 'telemetry partitions past the retention dropped')
  }, 3600_000)
  const evaluation = new EvaluationService(db, org)
  jobs.register(PUBLISH_JOB, publishJob(evaluation, log), PUBLISH_EVERY_MS)
  const analytics = new AnalyticsService(db, org, calendar)
  jobs.register(HOTSPOTS_REFRESH_JOB, async () => void (await analytics.refreshHotspots()), HOTSPOTS_REFRESH_EVERY_MS)
  const context: Context = {
    config, db, log, events, jobs, metrics, org, grid, identity, cases, matrix, files, calendar, notifications: new NotificationService(db, events), citizen,
    open311: new Open311Service(citizen, org, new Open311Keys(db)), sms, deliveries, devices, telemetry, alarms, evaluation, analytics, broker: undefined,
  }
  await reload(context)
  return context
}

/** Reads the in-memory views (units, roles, grid index) from the database, e.g. after seeding. */
export async function reload(context: Context): Promise<void> {
  await context.org.load()
  await context.identity.loadRoles()
  await context.grid.load()
  await context.matrix.load()
  await context.calendar.load()
  await context.alarms.load()
}

export async function closeContext(context: Context): Promise<void> {
  await context.jobs.stop()
  await context.broker?.close()
  await context.telemetry.close()
  await context.alarms.close()
  await context.events.stop()
  await context.files.close()
}
