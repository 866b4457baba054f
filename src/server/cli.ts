// Operator commands: migrate the database, reset the demo, create the first administrator, import a class table.
import fs from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from './config.js'
import { DEFAULT_DEMO_PASSWORD, ensureBuiltinRoles, isEmpty, seedDemo } from './demo/seed.js'
import { bootstrapAdmin } from './modules/identity/bootstrap.js'
import { parseClassCsv, upsertClasses } from './modules/classes/service.js'
import { openDatabase } from './platform/db/engine.js'
import { migrate } from './platform/db/migrate.js'
import { sql } from 'kysely'

const USAGE = `Usage: tsx src/server/cli.ts <command>

  migrate                       apply pending migrations (npm run migrate)
  reset-demo                    drop everything and seed the Xinzhou demo again (npm run demo:reset; demo mode only)
  create-admin --district-code 420117 --district-name 新洲区 --username admin [--password …]
                                create the district and its first administrator on an empty database (npm run admin:create)
  import-classes FILE.csv       load or update the component/event class table from a CSV file
`

async function main() {
  const [command, ...rest] = process.argv.slice(2)
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error — ${error.message}`)
      process.exit(1)
    }
    throw error
  }
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE)
    return
  }
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    switch (command) {
      case 'migrate': {
        const applied = await migrate(db)
        await ensureBuiltinRoles(db)
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.')
        break
      }
      case 'reset-demo': {
        if (config.production) throw new Error('reset-demo refuses to run in production mode (NODE_ENV=production)')
        await sql`drop schema public cascade; create schema public`.execute(db.kysely)
        await migrate(db)
        await ensureBuiltinRoles(db)
        const seeded = await seedDemo(db, config.demoPassword ?? DEFAULT_DEMO_PASSWORD)
        console.log(`Demo reset: ${seeded.units} units, ${seeded.cells} grid cells, ${seeded.classes} classes, ${seeded.users} users.`)
        break
      }
      case 'create-admin': {
        const { values } = parseArgs({ args: rest, options: { 'district-code': { type: 'string' }, 'district-name': { type: 'string' }, username: { type: 'string', default: 'admin' }, password: { type: 'string' } } })
        await migrate(db)
        await ensureBuiltinRoles(db)
        if (!values['district-code'] || !values['district-name']) throw new Error('--district-code and --district-name are required')
        if (!(await isEmpty(db))) throw new Error('the database already has an organisation; create further users in the web app')
        const result = await bootstrapAdmin(db, { districtCode: values['district-code'], districtName: values['district-name'], username: values.username ?? 'admin', password: values.password, minLength: config.passwordMinLength })
        console.log(`Created district ${values['district-name']} (${values['district-code']}) and administrator "${result.username}".`)
        if (result.generatedPassword) console.log(`Initial password (change it at first sign-in): ${result.generatedPassword}`)
        break
      }
      case 'import-classes': {
        const file = rest[0]
        if (!file) throw new Error('import-classes needs a CSV file')
        const rows = parseClassCsv(await fs.readFile(file, 'utf8'))
        console.log(`Loaded ${await upsertClasses(db.kysely, rows)} classes from ${file}.`)
        break
      }
      default:
        console.error(`Unknown command: ${command}\n\n${USAGE}`)
        process.exitCode = 2
    }
  } finally {
    await db.close()
  }
}

main().catch((error: unknown) => {
  console.error(`✖ ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
