// The built-in device models and their default rules, put in place at every start: a new built-in model or rule
// appears, and what an admin changed of an existing one is kept.
import { sql } from 'kysely'
import type { Db } from '../../platform/db/engine.js'
import { BUILTIN_MODELS } from './models.js'

export async function seedModels(db: Db): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    for (const model of BUILTIN_MODELS) {
      await trx.insertInto('device_models').values({
        key: model.key, name: model.name, name_en: model.nameEn, telemetry: JSON.stringify(model.telemetry), interval_seconds: model.intervalSeconds,
        class_kind: model.classOf?.kind ?? null, class_code: model.classOf?.code ?? null, builtin: true,
      }).onConflict((oc) => oc.column('key').doNothing()).execute()
      for (const rule of model.rules) {
        const exists = await trx.selectFrom('iot_rules').select('id').where('model_key', '=', model.key).where('device_id', 'is', null).where('name', '=', rule.name).executeTakeFirst()
        if (exists) continue
        await trx.insertInto('iot_rules').values({
          model_key: model.key, device_id: null, name: rule.name, name_en: rule.nameEn, severity: rule.severity, condition: JSON.stringify(rule.condition),
          create_case: Boolean(rule.createCase), class_kind: rule.createCase?.kind ?? null, class_code: rule.createCase?.code ?? null, builtin: true,
        }).execute()
      }
    }
    // keep the statistics fresh for the planner after a first seed
    await sql`ANALYZE device_models`.execute(trx)
  })
}
