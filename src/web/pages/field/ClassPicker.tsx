// The class of a report, picked on a phone: a sheet with a search by name or code over the component (部件) and event
// (事件) classes, the recently used ones first. Works as a form control (value / onChange).
import { useMemo, useState } from 'react'
import { Drawer, Empty, Input, Segmented, Tag, Typography } from 'antd'
import { RightOutlined, SearchOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import type { CaseClass, Lang } from '../../api/client'
import { localName } from '../../app/i18n'

export interface ClassRef {
  kind: CaseClass['kind']
  code: string
}

const RECENT_KEY = 'xiuhua.field.recentClasses'
const RECENT_MAX = 8
const keyOf = (c: ClassRef) => `${c.kind}:${c.code}`

function readRecent(): string[] {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(RECENT_KEY) ?? '[]')
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
  } catch {
    return []
  }
}

/** Puts a class at the head of the recently used list (kept in this browser). */
export function rememberClass(cls: ClassRef): void {
  const list = [keyOf(cls), ...readRecent().filter((k) => k !== keyOf(cls))].slice(0, RECENT_MAX)
  try {
    window.localStorage.setItem(RECENT_KEY, JSON.stringify(list))
  } catch {
    // storage full or refused: the list is a convenience
  }
}

type KindFilter = 'all' | CaseClass['kind']

function matches(cls: CaseClass, words: string[]): boolean {
  const text = [cls.smallCode, cls.smallName, cls.smallNameEn, cls.bigCode, cls.bigName, cls.bigNameEn].filter(Boolean).join(' ').toLowerCase()
  return words.every((w) => text.includes(w))
}

function ClassRow({ cls, lang, onPick }: { cls: CaseClass; lang: Lang; onPick: (cls: CaseClass) => void }) {
  const { t } = useTranslation()
  return (
    <button type="button" className="xh-field-option" onClick={() => onPick(cls)} data-testid={`field-class-option-${cls.kind}-${cls.smallCode}`}>
      <Tag color={cls.kind === 'component' ? 'geekblue' : 'magenta'}>{t(`classes.kinds.${cls.kind}`)}</Tag>
      <span className="xh-field-option-main">
        <span className="xh-field-option-name">{localName(cls.smallName, cls.smallNameEn, lang)}</span>
        <Typography.Text type="secondary" className="xh-field-option-sub">{cls.smallCode} · {localName(cls.bigName, cls.bigNameEn, lang)}</Typography.Text>
      </span>
    </button>
  )
}

export function ClassPicker({ value, onChange, classes, id }: {
  value?: ClassRef
  onChange?: (value: ClassRef) => void
  classes: CaseClass[]
  id?: string
}) {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const [open, setOpen] = useState(false)
  const [query, setQuery] = useState('')
  const [kind, setKind] = useState<KindFilter>('all')
  const [recent, setRecent] = useState<string[]>(readRecent)
  const active = useMemo(() => classes.filter((c) => c.active), [classes])
  const chosen = value ? active.find((c) => c.kind === value.kind && c.smallCode === value.code) : undefined

  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean)
  const shown = active.filter((c) => (kind === 'all' || c.kind === kind) && matches(c, words))
  const rank = (c: CaseClass) => {
    const i = recent.indexOf(keyOf({ kind: c.kind, code: c.smallCode }))
    return i < 0 ? RECENT_MAX : i
  }
  // Browsing: the recent ones in a section of their own; searching: the recent hits first.
  const recentShown = words.length === 0 ? shown.filter((c) => rank(c) < RECENT_MAX).sort((a, b) => rank(a) - rank(b)) : []
  const rest = words.length === 0 ? shown.filter((c) => rank(c) === RECENT_MAX) : [...shown].sort((a, b) => rank(a) - rank(b))

  const pick = (cls: CaseClass) => {
    const ref = { kind: cls.kind, code: cls.smallCode }
    rememberClass(ref)
    setRecent(readRecent())
    onChange?.(ref)
    setOpen(false)
    setQuery('')
  }

  return (
    <>
      <button type="button" id={id} className="xh-field-select" onClick={() => setOpen(true)} data-testid="field-class" data-value={value ? keyOf(value) : ''}>
        {chosen ? (
          <span className="xh-field-option-main">
            <span className="xh-field-option-name">
              <Tag color={chosen.kind === 'component' ? 'geekblue' : 'magenta'}>{t(`classes.kinds.${chosen.kind}`)}</Tag>
              {localName(chosen.smallName, chosen.smallNameEn, lang)}
            </span>
            <Typography.Text type="secondary" className="xh-field-option-sub">{chosen.smallCode} · {localName(chosen.bigName, chosen.bigNameEn, lang)}</Typography.Text>
          </span>
        ) : (
          <Typography.Text type="secondary" className="xh-field-option-main">{t('field.report.classPlaceholder')}</Typography.Text>
        )}
        <RightOutlined />
      </button>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        placement="bottom"
        size="85%"
        title={t('field.report.classTitle')}
        styles={{ body: { padding: 0, display: 'flex', flexDirection: 'column' } }}
        destroyOnHidden
      >
        <div className="xh-field-sheet-head">
          <Input
            allowClear
            size="large"
            prefix={<SearchOutlined />}
            placeholder={t('field.report.classSearch')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            data-testid="field-class-search"
          />
          <Segmented<KindFilter>
            block
            value={kind}
            onChange={setKind}
            options={[
              { value: 'all', label: t('classes.all') },
              { value: 'component', label: t('classes.kinds.component') },
              { value: 'event', label: t('classes.kinds.event') },
            ]}
          />
        </div>
        <div className="xh-field-sheet-list" data-testid="field-class-list">
          {recentShown.length > 0 && (
            <>
              <div className="xh-field-sheet-section">{t('field.report.recent')}</div>
              {recentShown.map((c) => <ClassRow key={`${c.kind}-${c.smallCode}`} cls={c} lang={lang} onPick={pick} />)}
              <div className="xh-field-sheet-section">{t('field.report.allClasses')}</div>
            </>
          )}
          {rest.map((c) => <ClassRow key={`${c.kind}-${c.smallCode}`} cls={c} lang={lang} onPick={pick} />)}
          {shown.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('field.report.noClass')} />}
        </div>
      </Drawer>
    </>
  )
}
