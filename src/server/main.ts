// Start-up only: config → database → migrations → demo seed → app → broker → jobs, and a graceful stop.
import pino from 'pino'
import { buildApp } from './app.js'
import { type Config, ConfigError, loadConfig } from './config.js'
import { closeContext, createContext, reload } from './context.js'
import { DEFAULT_DEMO_PASSWORD, DEMO_USERS, ensureBuiltinRoles, isEmpty, resetDemoPasswords, seedDemo } from './demo/seed.js'
import { AUDIT_SEAL_EVERY_MS } from './platform/audit.js'
import { type Broker, connectExternalBroker } from './platform/broker.js'
import { DEMO_OPEN311_KEY, ensureDemoKey } from './modules/open311/keys.js'
import { openDatabase } from './platform/db/engine.js'
import { startBrokerThread } from './modules/iot/ingest/broker-thread.js'
import { consumeExternal } from './modules/iot/ingest/mqtt.js'
import { migrate } from './platform/db/migrate.js'

function fail(message: string): never {
  console.error(`\n✖ ${message}\n`)
  process.exit(1)
}

function portTaken(error: unknown, variable: string, port: number): never | void {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') fail(`Port ${port} is already in use. Set ${variable} to a free port (e.g. ${variable}=${port + 1}).`)
  if ((error as NodeJS.ErrnoException).code === 'EACCES') fail(`Port ${port} needs privileges. Set ${variable} to a port above 1024.`)
}

async function main() {
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) fail(`Configuration error — ${error.message}`)
    throw error
  }
  const log = pino({ level: config.logLevel })
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  const applied = await migrate(db)
  if (applied.length) log.info({ applied }, 'migrations applied')
  await ensureBuiltinRoles(db)
  const demoPassword = config.demoPassword ?? DEFAULT_DEMO_PASSWORD
  if (config.demo) {
    if (await isEmpty(db)) {
      const started = Date.now()
      const seeded = await seedDemo(db, demoPassword)
      log.info({ ...seeded, ms: Date.now() - started }, 'Xinzhou demo seeded')
    }
    await resetDemoPasswords(db, demoPassword)
    // a demo seeded before Open311 existed gets its key too
    await ensureDemoKey(db.kysely)
  }
  const context = await createContext(config, db, log)
  await reload(context)
  const app = await buildApp(context, { logger: log })

  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (error) {
    portTaken(error, 'PORT', config.port)
    throw error
  }
  let broker: Broker
  try {
    broker = config.mqttUrl
      ? await connectExternalBroker(config.mqttUrl, (client) => consumeExternal(client, context.telemetry, context.devices), config.mqttConnections)
      : await startBrokerThread(config.mqttPort, config.host, context.telemetry, context.devices, {
        onRestart: ({ error, restarts, inMs }) => log.error({ err: error, restarts, inMs }, 'the MQTT broker thread died; starting it again'),
      })
  } catch (error) {
    portTaken(error, 'MQTT_PORT', config.mqttPort)
    throw error
  }
  context.broker = broker
  // polled as often as the audit log is sealed, so an entry is in the hash chain within about a second or two
  context.jobs.start(AUDIT_SEAL_EVERY_MS)

  const address = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${(app.server.address() as { port: number }).port}`
  const lines = [
    '',
    `  Xiuhua 绣花 is running at ${address}`,
    `  mode:     ${db.engine === 'embedded' ? `embedded (PGlite + PostGIS, data in ${db.location})` : `native PostgreSQL (${db.location})`}`,
    `  broker:   ${broker.status().detail}${config.mqttUrl ? ' (external)' : ' (embedded)'}`,
    `  API docs: ${address}/docs   health: ${address}/api/health   metrics: ${address}/metrics`,
    `  citizens: ${address}/citizen   Open311: ${address}/open311/v2/discovery.json`,
  ]
  if (config.demo) {
    lines.push('', `  Demo users (password: ${demoPassword}):`)
    for (const user of DEMO_USERS) lines.push(`    ${user.username.padEnd(12)} ${user.displayName}`)
    lines.push('', `  Open311 demo key: ${DEMO_OPEN311_KEY}${config.smsGatewayUrl ? '' : '   (no SMS gateway: text messages, one-time codes too, go to the log)'}`)
  } else if (await isEmpty(db)) {
    lines.push('', '  No organisation yet. Create the first administrator with: npm run admin:create -- --district-code 420117 --district-name 新洲区 --username admin')
  }
  console.log(lines.join('\n') + '\n')

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping: finishing in-flight requests')
    const force = setTimeout(() => process.exit(1), 15_000)
    force.unref()
    await app.close() // stops accepting, waits for in-flight requests
    await closeContext(context)
    await db.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
