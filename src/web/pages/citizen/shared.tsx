// Small pieces the citizen pages share: the stage tag and a public case's class name in the UI language.
import { Tag } from 'antd'
import { useTranslation } from 'react-i18next'
import type { Lang, PublicCase } from '../../api/client'
import { STAGE_TAG } from './stages'

export function StageTag({ stage }: { stage: PublicCase['stage'] }) {
  const { t } = useTranslation()
  return <Tag color={STAGE_TAG[stage]} data-testid="citizen-stage-tag" data-stage={stage}>{t(`citizen.stage.${stage}`)}</Tag>
}

/** The class name of a public case in the UI language. */
export function publicClassName(c: Pick<PublicCase, 'className' | 'classNameEn'>, lang: Lang): string {
  return lang === 'en' && c.classNameEn ? c.classNameEn : c.className
}
